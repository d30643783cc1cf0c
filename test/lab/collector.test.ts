// The collector without namespaces: fake daemons answer on the node control
// sockets (fake-lab.ts), reports come in through our daemon's own HTTP-over-Unix
// poster, as JSON lines and over TCP /mutate, and the page's event stream follows.
import t from 'tap';
import http from 'node:http';
import net from 'node:net';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildReport, httpPost, pythonJson } from '../../src/daemon/report.js';
import { startCollector } from '../../src/lab/collector.js';
import { makePlan } from '../../src/lab/plan.js';
import { clos } from '../../src/lab/topology.js';
import type { ViewChange } from '../../src/lab/view-change.js';
import type { GobgpNeighbor } from '../../src/lab/gobgpd.js';
import type { LinkNlri } from '../../src/bgp/ls/nlri.js';
import { eventStream, fakeDaemon, nextView } from './fake-lab.js';
import { freePort } from './lab-helpers.js';
import { encodeMrtMessage } from '../../src/bgp/mrt.js';
import { encodeMessage } from '../../src/bgp/wire/message.js';
import type { PathAttribute } from '../../src/bgp/wire/update.js';

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

t.test('collector: reports, control sockets, page and live events', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lsoe-lab-collector-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const plan = makePlan({ name: 'c1', links: clos(1, 2), port: await freePort(), stateRoot: root });
  mkdirSync(plan.stateDir, { recursive: true });
  const [l0, l1] = [plan.links[0]!, plan.links[1]!];
  let spineUp = true;
  const daemons = [
    fakeDaemon(plan.nodes[0]!.socket, () => [
      { ifname: 'leaf0', peerMac: l0.lower.mac, peerId: plan.nodes[1]!.localId, state: spineUp ? 'open' : 'opening' },
      { ifname: 'leaf1', peerMac: l1.lower.mac, peerId: plan.nodes[2]!.localId, state: 'open' },
    ]),
    fakeDaemon(plan.nodes[1]!.socket, () => [{ ifname: 'spine0', peerMac: l0.upper.mac, peerId: null, state: 'open' }]),
    // leaf1 has no daemon at all.
  ];
  t.teardown(() => daemons.forEach((d) => d.close()));
  const logs: string[] = [];
  const collector = await startCollector(plan, { pollMs: 100, log: (l) => logs.push(l) });
  t.teardown(() => collector.close());
  const url = plan.collector.url;

  const first = await nextView(url, (v) => v.nodes.some((n) => n.daemon));
  t.same(first.nodes.map((n) => [n.name, n.layer, n.daemon]), [['spine0', 0, true], ['leaf0', 1, true], ['leaf1', 1, false]]);
  t.same(first.links.map((l) => l.state), ['up', 'partial']);

  // Our daemon's own poster, HTTP over the Unix socket.
  const report = (encaps: { address: string; prefixLength: number; primary: boolean; loopback: boolean }[]): string =>
    pythonJson(buildReport({
      localId: plan.nodes[0]!.localId, sessionNumber: 1, ifname: 'leaf0', peerMac: l0.lower.mac,
      peerId: plan.nodes[1]!.localId, peerAttributes: null, type: 'IPV4_ENCAPSULATION', encaps,
    }));
  const status = await httpPost(`unix:${plan.collector.socket}`, report([{ address: '198.18.0.1', prefixLength: 31, primary: true, loopback: false }]));
  t.equal(status, 200);
  let v = await nextView(url, (x) => x.switches[0]!.rows.some((r) => r.prefix === '198.18.0.1/31'));
  t.match(v.switches[0]!.rows[0], { ifname: 'leaf0', peerNode: 'leaf0', type: 'IPV4', prefix: '198.18.0.1/31', flags: 'P', state: 'open' });
  t.match(v.switches[0]!.rows[0]!.heard, /^\d{4}-\d\d-\d\dT/);

  // JSON lines on the same socket.
  await new Promise<void>((resolve) => {
    const c = net.createConnection(plan.collector.socket, () => c.end(report([]) + '\n', () => resolve()));
  });
  v = await nextView(url, (x) => !x.switches[0]!.rows.some((r) => r.prefix === '198.18.0.1/31'));
  t.same(v.switches[0]!.rows.filter((r) => r.ifname === 'leaf0').map((r) => r.prefix), [null], 'withdrawn');

  // An lsoed elsewhere posting to /mutate on the web port.
  const res = await fetch(url + 'mutate', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ my_switch_id: '01:02:03:04:05:06:07:08:09:0a', ifname: 'eth1', peer_macaddr: 'aa:bb:cc:dd:ee:ff',
      peer_switch_id: null, pdu_name: 'IPV6ENCAPSULATION', encaps: [{ ipaddr: '2001:db8::1', prefixlen: 64, primary: true, loopback: false, labels: null }],
      unique: ['01:02:03:04:05:06:07:08:09:0a', 'eth1', 'aa:bb:cc:dd:ee:ff', null, 'IPV6ENCAPSULATION'] }),
  });
  t.equal(res.status, 200);
  const bad = await fetch(url + 'mutate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ifname":1}' });
  t.equal(bad.status, 400);
  t.match(await bad.text(), /my_switch_id/);
  v = await nextView(url, (x) => x.switches.length === 4);
  t.match(v.switches[3], { id: '0102030405060708090a', node: null, rows: [{ ifname: 'eth1', prefix: '2001:db8::1/64', state: null }] });

  // A session that stops being open turns its link partial, live.
  spineUp = false;
  v = await nextView(url, (x) => x.links[0]!.state !== 'up');
  t.same([v.links[0]!.upper.state, v.links[0]!.lower.state, v.links[0]!.state], ['opening', 'open', 'partial']);

  const page = await get(url);
  t.equal(page.status, 200);
  t.match(page.type, /text\/html/);
  t.match(page.body, /<svg id="fabric"/);
  t.match(page.body, /new EventSource\('events'\)/);
  const status2 = JSON.parse((await get(url + 'api/status')).body) as { node: string; state: string }[];
  t.equal(status2.length, 4);
  t.equal((await get(url + 'nothing')).status, 404);
  t.match(logs.join('\n'), /report from 127\.0\.0\.1 refused: my_switch_id/);

  await collector.close();
  t.notOk(existsSync(plan.collector.socket), 'report socket removed');
});

/** A raw HTTP request, so the Host header can be anything. */
function rawRequest(port: number, opts: { method: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method, path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

t.test('collector: when only the heard times moved, only they are sent ("heard" event); any other change sends the parts that changed ("change")', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lsoe-lab-collector-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const plan = makePlan({ name: 'c3', links: clos(1, 1), port: await freePort(), stateRoot: root });
  mkdirSync(plan.stateDir, { recursive: true });
  const l0 = plan.links[0]!;
  let heard = '2026-01-01T00:00:01.000Z';
  let state = 'open';
  const daemons = [
    fakeDaemon(plan.nodes[0]!.socket, () => [{ ifname: 'leaf0', peerMac: l0.lower.mac, peerId: plan.nodes[1]!.localId, state, lastHeard: heard }]),
    fakeDaemon(plan.nodes[1]!.socket, () => [{ ifname: 'spine0', peerMac: l0.upper.mac, peerId: plan.nodes[0]!.localId, state: 'open', lastHeard: heard }]),
  ];
  t.teardown(() => daemons.forEach((d) => d.close()));
  const collector = await startCollector(plan, { pollMs: 100 });
  t.teardown(() => collector.close());
  const stream = eventStream(plan.collector.url);
  t.teardown(() => stream.close());
  await stream.view((v) => v.links[0]!.state === 'up' && v.switches[0]!.rows[0]!.heard === heard);

  const before = stream.seen.length;
  heard = '2026-01-01T00:00:02.000Z';
  const moved = await stream.next((e) => e.data.includes(heard));
  t.equal(moved.event, 'heard', 'a named event');
  t.same(JSON.parse(moved.data), [[heard], [heard]], 'every row\'s heard time, per switch in the view\'s order');
  t.same(stream.seen.slice(before).filter((e) => e.event === ''), [], 'no whole view was sent for it');
  t.equal(collector.view().switches[0]!.rows[0]!.heard, heard, 'the view itself has the new time (a new page gets it whole)');
  t.match(JSON.parse((await get(plan.collector.url + 'api/state')).body), { switches: [{ rows: [{ heard }] }] });

  const beforeChange = stream.seen.length;
  state = 'opening';
  const changed = await stream.view((v) => v.links[0]!.state === 'partial');
  t.equal(changed.switches[0]!.rows[0]!.heard, heard, 'heard times kept');
  const sent = stream.seen.slice(beforeChange);
  t.same(sent.filter((e) => e.event === ''), [], 'no whole view for it');
  const change = JSON.parse(sent.find((e) => e.event === 'change')!.data) as ViewChange;
  t.same(change.links.map(([i]) => i), [0], 'the link that changed');
  t.same(change.nodes, [], 'no node changed');
  t.same(change.switches.map(([i]) => i), [0], 'only spine0\'s table changed');
  t.match(change.switches[0]![1], { node: 'spine0', rows: [{ state: 'opening', heard }] }, 'with its heard times');
  t.notOk('bgp' in change, 'bgp only when it changed');
  t.equal(sent.find((e) => e.event === 'change')!.data.length < JSON.stringify(changed).length, true, 'smaller than the view');
});

t.test('collector: foreign Host headers and non-JSON posts are refused; the report socket is 0600', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lsoe-lab-collector-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const port = await freePort();
  const plan = makePlan({ name: 'c3', links: clos(1, 1), port, stateRoot: root });
  mkdirSync(plan.stateDir, { recursive: true });
  const logs: string[] = [];
  const collector = await startCollector(plan, { pollMs: 100, log: (l) => logs.push(l) });
  t.teardown(() => collector.close());

  t.equal(statSync(plan.collector.socket).mode & 0o777, 0o600, 'report socket only for root');

  const report = JSON.stringify({ my_switch_id: '01:02:03:04:05:06:07:08:09:0b', ifname: 'eth1', peer_macaddr: 'aa:bb:cc:dd:ee:01',
    peer_switch_id: null, pdu_name: 'IPV4ENCAPSULATION', encaps: [{ ipaddr: '192.0.2.1', prefixlen: 32, primary: false, loopback: true, labels: null }],
    unique: ['01:02:03:04:05:06:07:08:09:0b', 'eth1', 'aa:bb:cc:dd:ee:01', null, 'IPV4ENCAPSULATION'] });
  // DNS rebinding: the browser thinks it talks to evil.example, which now resolves to 127.0.0.1.
  for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${port + 1}`, `127.0.0.1.evil.example:${port}`]) {
    const page = await rawRequest(port, { method: 'GET', path: '/', headers: { Host: host } });
    t.equal(page.status, 403, `page refused for Host ${host}`);
    t.notMatch(page.body, /<svg/);
    const state = await rawRequest(port, { method: 'GET', path: '/api/state', headers: { Host: host } });
    t.equal(state.status, 403, `state refused for Host ${host}`);
    const post = await rawRequest(port, { method: 'POST', path: '/mutate', headers: { Host: host, 'Content-Type': 'application/json' }, body: report });
    t.equal(post.status, 403, `report refused for Host ${host}`);
  }
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
    t.equal((await rawRequest(port, { method: 'GET', path: '/api/state', headers: { Host: host } })).status, 200, `Host ${host} allowed`);
  }

  // A cross-site form or fetch without preflight can only send these content types.
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
    const headers: Record<string, string> = { Host: `127.0.0.1:${port}` };
    if (type !== '') headers['Content-Type'] = type;
    const r = await rawRequest(port, { method: 'POST', path: '/mutate', headers, body: report });
    t.equal(r.status, 415, `POST with '${type}' refused`);
  }
  const own = plan.nodes.length;
  t.equal(collector.view().switches.length, own, 'none of the refused reports was taken');
  const ok = await rawRequest(port, {
    method: 'POST', path: '/mutate', headers: { Host: `127.0.0.1:${port}`, 'Content-Type': 'application/json; charset=utf-8' }, body: report,
  });
  t.equal(ok.status, 200, 'what lsoed sends is accepted');
  const deadline = Date.now() + 10000;
  while (collector.view().switches.length < own + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.equal(collector.view().switches.length, own + 1, 'and shows up');
});

t.test('collector: a busy port is a one-line error', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lsoe-lab-collector-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as net.AddressInfo).port;
  const plan = makePlan({ name: 'c2', links: clos(1, 1), port, stateRoot: root });
  mkdirSync(plan.stateDir, { recursive: true });
  await t.rejects(startCollector(plan), { message: `port ${port} is in use` });
});

t.test('collector with --bgp: the dump is read as gobgpd appends to it; the page hears of each change', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lsoe-lab-collector-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const port = await freePort();
  // spine0 198.19.0.1 (mgmt 192.0.2.2) – leaf0 198.19.0.2 (192.0.2.3) on 198.18.0.0/31
  const plan = makePlan({ name: 'c4', links: clos(1, 1), port, stateRoot: root, bgp: true });
  mkdirSync(plan.stateDir, { recursive: true });
  const dump = path.join(plan.stateDir, plan.bgp!.mrtFile);
  writeFileSync(dump, '');
  const established = (address: string, accepted: number): GobgpNeighbor => ({ address, state: 'established', received: accepted, accepted, uptime: 0, routerId: null });
  const neighbors = new Map([['192.0.2.2', established('192.0.2.2', 1)], ['192.0.2.3', established('192.0.2.3', 1)]]);
  // one round at start, then none for a minute: what follows comes through watching the file
  const collector = await startCollector(plan, { pollMs: 60000, bgpNeighbors: async () => neighbors });
  t.teardown(() => collector.close());
  const url = `http://127.0.0.1:${port}/`;
  const half = (local: string, near: string, remote: string, far: string): LinkNlri => ({
    type: 'link', protocolId: 7, identifier: 0n, local: { asn: 65000, bgpRouterId: local }, remote: { asn: 65000, bgpRouterId: remote },
    ipv4Interface: near, ipv4Neighbor: far,
  });
  const record = (peer: string, kind: 'mp-reach' | 'mp-unreach', nlri: LinkNlri): Buffer => {
    const attr: PathAttribute = kind === 'mp-reach' ? { kind, afi: 16388, safi: 71, nextHop: [peer], nlri: [nlri] } : { kind, afi: 16388, safi: 71, nlri: [nlri] };
    const message = encodeMessage({ type: 'UPDATE', withdrawn: '', attributes: [attr], nlri: '' });
    return encodeMrtMessage({ time: Date.now() / 1000, peerAs: 65000, localAs: 65000, peerAddress: peer, localAddress: '192.0.2.1', message });
  };
  const spineHalf = half('198.19.0.1', '198.18.0.0', '198.19.0.2', '198.18.0.1');
  const leafHalf = half('198.19.0.2', '198.18.0.1', '198.19.0.1', '198.18.0.0');

  t.match((await nextView(url, (v) => v.bgp !== null)).bgp, { links: ['none'], nodes: { spine0: { state: 'established' } }, problem: null });
  const both = Buffer.concat([record('192.0.2.2', 'mp-reach', spineHalf), record('192.0.2.3', 'mp-reach', leafHalf)]);
  appendFileSync(dump, both.subarray(0, 40)); // gobgpd's write may be cut anywhere
  appendFileSync(dump, both.subarray(40));
  t.match((await nextView(url, (v) => v.bgp?.links[0] === 'paired')).bgp, { nodes: { spine0: { accepted: 1, dumped: 1 }, leaf0: { accepted: 1, dumped: 1 } } });
  appendFileSync(dump, record('192.0.2.3', 'mp-unreach', leafHalf));
  await nextView(url, (v) => v.bgp?.links[0] === 'half');
  t.pass('a half withdrawn: the link is no longer paired');
  appendFileSync(dump, Buffer.from('ffffffff0010000400fffff0', 'hex')); // a record of 16 MiB: no dump
  const broken = await nextView(url, (v) => v.bgp?.problem != null);
  t.match(broken.bgp!.problem, /bgp-updates\.mrt: MRT record of 16777200 octets/, 'a damaged dump is said on the page, not guessed at');
});
