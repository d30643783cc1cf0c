// `lsoe daemon --metrics` and `--looking-glass` against a real daemon pair in namespaces:
// the scrape passes promtool, and agrees with `lsoe sessions --json` and the counters.
import { writeFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { jsonLines } from '../helpers/run-cli.js';
import { schemaErrors } from '../helpers/schema.js';
import { rootOrSkip, runLsoeIn } from '../helpers/netns.js';
import { curl, parseScrape, promtoolErrors, valueOf } from '../helpers/scrape.js';
import { eventually } from '../daemon/e2e-helpers.js';
import { flattenCounters } from '../../src/metrics/snapshot.js';
import { unexportedCounters } from '../../src/metrics/families.js';
import { ID_A, ID_B, makePair } from './lsoe-pair.js';

const ADDR_A = '192.0.2.1';
const ADDR_B = '192.0.2.2';

/** A with metrics on loopback only, B on its veth address with the looking glass; both have learned. */
async function metricsPair(t: Test) {
  const p = await makePair(t, { addrA: [`${ADDR_A}/24`], addrB: [`${ADDR_B}/24`] });
  const da = await p.startA(['--metrics', '9717']);
  const db = await p.startB(['--metrics', `${ADDR_B}:9717`, '--looking-glass']);
  await eventually(async () => (await da.learned()).length > 0 && (await db.learned()).length > 0, 20000, 'both ends to learn');
  return { p, da, db };
}

t.test('a daemon pair: A with metrics on loopback, B on its address with the looking glass', async (t) => {
  if (!rootOrSkip(t)) return;
  const { p, da, db } = await metricsPair(t);
  const url = 'http://127.0.0.1:9717/metrics';

  await t.test('metrics: promtool accepts the scrape; its values agree with the control socket', async (t) => {
    const before = flattenCounters(await da.counters());
    const scraped = await curl(p.nsA, url);
    const after = flattenCounters(await da.counters());
    t.equal(scraped.status, 200, scraped.stderr);

    t.equal(await promtoolErrors(p.nsA, scraped.body), null, 'promtool check metrics');

    const samples = parseScrape(scraped.body);
    // counters move between the two queries: query <= scrape <= query
    const pairs: Array<[string, Record<string, string>, string]> = [
      ['lsoe_frames_received_total', {}, 'framesReceived'],
      ['lsoe_frames_sent_total', {}, 'framesSent'],
      ['lsoe_pdus_sent_total', { type: 'HELLO' }, 'pdusSentBy.HELLO'],
      ['lsoe_pdus_sent_total', { type: 'KEEPALIVE' }, 'pdusSentBy.KEEPALIVE'],
      ['lsoe_pdus_received_total', { type: 'KEEPALIVE' }, 'pdusReceivedBy.KEEPALIVE'],
      ['lsoe_pdus_received_total', { type: 'OPEN' }, 'pdusReceivedBy.OPEN'],
      ['lsoe_pdus_received_total', { type: 'IPV4_ENCAPSULATION' }, 'pdusReceivedBy.IPV4_ENCAPSULATION'],
      ['lsoe_session_ups_total', {}, 'sessionsUp'],
      ['lsoe_sessions_created_total', {}, 'sessionsCreated'],
      ['lsoe_retransmissions_total', {}, 'retransmits'],
      ['lsoe_northbound_reports_submitted_total', {}, 'reportsSubmitted'],
    ];
    for (const [name, labels, key] of pairs) {
      const v = valueOf(samples, name, labels);
      const lo = before.get(key) ?? 0;
      const hi = after.get(key) ?? 0;
      t.ok(v !== undefined && lo <= v && v <= hi, `${name}${JSON.stringify(labels)} = ${v}, ${key} went ${lo} → ${hi}`);
    }
    t.ok(valueOf(samples, 'lsoe_pdus_received_total', { type: 'IPV4_ENCAPSULATION' })! > 0, 'encapsulations were counted');
    t.equal(valueOf(samples, 'lsoe_pdus_received_total', { type: 'VENDOR' }), 0, 'every PDU type has a sample, 0 until it is seen');
    t.equal(valueOf(samples, 'lsoe_info', { version: '0.1.0', local_id: ID_A }), 1, 'lsoe_info names the version and Local ID');
    t.equal(valueOf(samples, 'lsoe_reassembly_bytes'), 0);
    t.ok(valueOf(samples, 'process_resident_memory_bytes')! > 0, 'process metrics too');
    t.equal(valueOf(samples, 'lsoe_interface_up', { interface: p.a.ifname }), 1, 'the port is up');
    t.equal(valueOf(samples, 'lsoe_bgp_routes'), 0, 'no bgp-peer: no BGP-LS routes');
    t.equal(samples.filter((s) => s.name === 'lsoe_bgp_peer_state').length, 0, 'and no peer series');

    // sessions: what `lsoe sessions --json` says, per interface and state
    const listed = jsonLines((await runLsoeIn(p.nsA, ['sessions', '--json', '--socket', da.socket])).stdout);
    t.equal(listed.length, 1);
    t.equal(valueOf(samples, 'lsoe_sessions', { interface: p.a.ifname, state: 'open' }), listed.filter((s) => s.state === 'open').length);
    for (const state of ['opening', 'hopeless', 'held-down']) {
      t.equal(valueOf(samples, 'lsoe_sessions', { interface: p.a.ifname, state }), 0, `no ${state} sessions`);
    }
    const learned = await da.learned();
    const v4 = learned.filter((l) => l.type === 'IPV4_ENCAPSULATION').reduce((n, l) => n + l.encaps.length, 0);
    t.ok(v4 >= 1);
    t.equal(valueOf(samples, 'lsoe_encapsulations_learned', { interface: p.a.ifname, type: 'IPV4_ENCAPSULATION' }), v4);
    t.ok((valueOf(samples, 'lsoe_encapsulations_announced', { interface: p.a.ifname, type: 'IPV4_ENCAPSULATION' }) ?? 0) >= 1);

    t.same(unexportedCounters(after), [], 'every counter of the daemon is exported (or listed as a total of one that is)');
    const macOrId = new RegExp(`${p.b.mac}|${ID_B}|([0-9a-f]{2}:){5}[0-9a-f]{2}`, 'i');
    t.same(samples.filter((s) => Object.values(s.labels).some((v) => macOrId.test(v))).map((s) => s.name), [], 'no per-neighbour labels');

    // loopback unless an address is given; an address given is served there
    const viaVeth = await curl(p.nsA, `http://${ADDR_A}:9717/metrics`);
    t.not(viaVeth.code, 0, 'A (port only) does not answer on its veth address');
    const onB = await curl(p.nsA, `http://${ADDR_B}:9717/metrics`);
    t.equal(onB.status, 200, 'B (address given) answers from the other namespace');
    t.equal(valueOf(parseScrape(onB.body), 'lsoe_info', { local_id: ID_B }), 1);

  });

  await t.test('looking glass: the control socket answers over HTTP, GET only, Host checked', async (t) => {
    const lg = (page: string, ...args: string[]) => curl(p.nsA, `http://${ADDR_B}:9717/looking-glass/${page}`, ...args);

    const off = await curl(p.nsA, 'http://127.0.0.1:9717/looking-glass/sessions');
    t.equal(off.status, 404, 'off unless asked for');

    const index = await lg('');
    t.equal(index.status, 200);
    t.same(JSON.parse(index.body).pages, ['sessions', 'neighbors', 'encaps', 'counters', 'config', 'bgp'].map((x) => `/looking-glass/${x}`));

    const sessions = JSON.parse((await lg('sessions')).body);
    const viaSocket = await db.sessions();
    t.same(
      sessions.map((s: any) => ({ ...s, lastHeard: null, counters: null })),
      viaSocket.map((s) => ({ ...s, lastHeard: null, counters: null })),
      'sessions: the control socket answer',
    );
    t.same(Object.keys(sessions[0]).sort(), Object.keys(viaSocket[0]!).sort(), 'the same keys');

    const encaps = JSON.parse((await lg('encaps')).body);
    t.same(encaps.learned, await db.learned(), 'learned encapsulations as encaps.learned');
    t.ok(encaps.announced.some((a: any) => a.ifname === p.b.ifname && a.type === 'IPV4_ENCAPSULATION'), 'announced ones too');

    const neighbors = JSON.parse((await lg('neighbors')).body);
    t.match(neighbors, [{ ifname: p.b.ifname, up: true, neighbors: [{ peerId: ID_A, state: 'open', flaps: 0, lastDown: null }] }], 'the neighbors answer');
    const bgp = JSON.parse((await lg('bgp')).body);
    t.match(bgp, { enabled: false, peers: [] }, 'the bgp answer: no BGP-LS peer configured');

    const config = JSON.parse((await lg('config')).body);
    t.match(config, { 'metrics-listen': `${ADDR_B}:9717`, 'looking-glass': true, 'effective-local-id': ID_B });
    const counters = JSON.parse((await lg('counters')).body);
    t.ok(counters.framesReceived > 0 && counters.pdusSentBy.HELLO > 0, 'counters');

    // the control socket's answer schemas (docs/schema/control.schema.json)
    t.equal(schemaErrors('control#sessionsResult', sessions), null, 'sessions page: the sessions schema');
    t.equal(schemaErrors('control#learnedResult', encaps.learned), null, 'encaps.learned schema');
    t.equal(schemaErrors('control#announcedResult', encaps.announced), null, 'encaps.announced schema');
    t.equal(schemaErrors('control#countersResult', counters), null, 'counters schema');
    t.equal(schemaErrors('control#configResult', config), null, 'config schema');
    t.equal((await lg('sessions', '-X', 'POST', '-d', '{}')).status, 405, 'POST refused');
    t.equal((await lg('sessions', '-X', 'DELETE')).status, 405, 'DELETE refused');
    t.equal((await lg('nope')).status, 404, 'unknown page');
    t.equal((await lg('sessions', '-H', 'Host: attacker.example')).status, 403, 'a foreign Host is refused');
    t.equal((await lg('sessions', '-H', 'Host: attacker.example:9717')).status, 403);
    t.equal((await lg('sessions', '-H', `Host: ${ADDR_A}:9717`)).status, 403, 'another address than the listen address');
    t.equal((await lg('sessions', '-H', 'Host: localhost:9717')).status, 200, 'localhost is allowed');
    t.equal((await lg('sessions', '-H', `Host: ${ADDR_B}`)).status, 200, 'the listen address without a port');
  });

  await t.test('a session going down is counted with its reason; GET only', async (t) => {
    // the session going down is counted with its reason
    await p.nsB.ip(['link', 'set', p.b.ifname, 'down']);
    await eventually(async () => (await da.sessions()).length === 0, 20000, 'A to close the session');
    const down = parseScrape((await curl(p.nsA, url)).body);
    const reasons = down.filter((s) => s.name === 'lsoe_session_downs_total');
    t.equal(reasons.reduce((n, s) => n + s.value, 0), 1, `one session down (${JSON.stringify(reasons)})`);
    // A's port lost its carrier: it keeps its series, at 0, and says the link is down
    await eventually(async () => valueOf(parseScrape((await curl(p.nsA, url)).body), 'lsoe_interface_up', { interface: p.a.ifname }) === 0, 10000, "A's link to be down in the scrape");
    const linkDown = parseScrape((await curl(p.nsA, url)).body);
    for (const state of ['opening', 'open', 'hopeless', 'held-down']) {
      t.equal(valueOf(linkDown, 'lsoe_sessions', { interface: p.a.ifname, state }), 0, `lsoe_sessions{state="${state}"} 0 on the down port`);
    }
    t.equal(valueOf(linkDown, 'lsoe_encapsulations_learned', { interface: p.a.ifname, type: 'IPV4_ENCAPSULATION' }), 0, 'nothing learned there');

    const post = await curl(p.nsA, url, '-X', 'POST');
    t.equal(post.status, 405, 'GET only');
  });
});

t.test('metrics-listen from the file: a reload moves the listener and turns the looking glass on; a taken port is a one-line exit 1', async (t) => {
  if (!rootOrSkip(t)) return;
  const p = await makePair(t, { extraConfig: 'metrics-listen = 9717' });
  const da = await p.startA();
  t.equal((await curl(p.nsA, 'http://127.0.0.1:9717/metrics')).status, 200, 'listening as the file says');
  t.equal((await curl(p.nsA, 'http://127.0.0.1:9717/looking-glass/')).status, 404, 'looking glass off');

  writeFileSync(p.config, '[lsoed]\nmetrics-listen = 127.0.0.1:9718\nlooking-glass = yes\n');
  da.proc.kill('SIGHUP');
  await da.waitLog((l) => l.msg === 'configuration reloaded');
  await da.waitLog((l) => l.msg === 'metrics on http://127.0.0.1:9718/metrics');
  t.not((await curl(p.nsA, 'http://127.0.0.1:9717/metrics')).code, 0, 'the old listener is closed');
  const lg = await curl(p.nsA, 'http://127.0.0.1:9718/looking-glass/config');
  t.equal(lg.status, 200);
  t.match(JSON.parse(lg.body), { 'metrics-listen': '127.0.0.1:9718', 'looking-glass': true });

  // another daemon in the same namespace cannot have that port: it says so and exits 1
  const second = await runLsoeIn(p.nsA, ['daemon', '--no-socket', '-i', p.a.ifname, '--metrics', '9718']);
  t.equal(second.code, 1);
  t.match(second.stderr, /(^|\n)lsoe: daemon: metrics-listen: cannot listen on 127\.0\.0\.1:9718: address already in use\n$/, 'one line saying what and where');
  t.notMatch(second.stderr, /\n\s+at /, 'no stack');
});
