// The exporter and the listener over a test double of the core: every state and reason
// becomes a labelled sample that promtool accepts, and a core that throws costs one 500,
// never the listener.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import t from 'tap';
import type { Counters, SessionView } from '../../src/daemon/core.js';
import { newCoreCounts } from '../../src/daemon/counters.js';
import type { BgpStatus } from '../../src/daemon/bgp-northbound.js';
import type { PeerStatus } from '../../src/bgp/speaker.js';
import { createExporter } from '../../src/metrics/exporter.js';
import { MetricsService } from '../../src/metrics/service.js';
import { InMemoryDaemonCore } from '../ctl/in-memory-core.js';

function session(ifname: string, peerMac: string, state: SessionView['state']): SessionView {
  return { ifname, peerMac, peerId: null, state, since: '2026-01-01T00:00:00.000Z', until: null, lastHeard: null, counters: { txPdus: 1, rxPdus: 1, retransmits: 0, errors: 0 } };
}

function core(): InMemoryDaemonCore {
  const c = new InMemoryDaemonCore();
  c.sessionList = [session('swp1', '02:00:00:00:00:01', 'open'), session('swp1', '02:00:00:00:00:02', 'held-down'), session('swp2', '02:00:00:00:00:03', 'hopeless')];
  c.announced = [{ ifname: 'swp1', type: 'IPV4_ENCAPSULATION', encaps: [{ address: '192.0.2.1', prefixLength: 31, primary: true, loopback: false }] }];
  c.counterValues = {
    ...newCoreCounts(),
    malformedBy: { checksum: 4 },
    framesDroppedBy: { 'group-source': 2 },
    sessionsDownBy: { 'keepalive-timeout': 3 },
    pdusSentBy: { HELLO: 9 },
    retransmits: 5,
  } as unknown as Counters;
  const iface = (ifname: string, up: boolean) => ({ ifname, mac: '02:00:00:00:01:00', up, running: up, neighbors: [] });
  // swp3 is selected and its link is down: no session, nothing announced
  c.neighborList = [iface('swp1', true), iface('swp2', true), iface('swp3', false)];
  c.configValues = { 'effective-local-id': '0a0a0a0a0a0a0a0a0a01', 'looking-glass': false };
  c.versionText = '9.9.9';
  return c;
}

t.test('states, reasons and types become labels; promtool accepts the text', async (t) => {
  const text = await createExporter(core()).scrape();
  const lines = text.split('\n');
  for (const want of [
    'lsoe_info{version="9.9.9",local_id="0a0a0a0a0a0a0a0a0a01"} 1',
    'lsoe_sessions{interface="swp1",state="open"} 1',
    'lsoe_sessions{interface="swp1",state="held-down"} 1',
    'lsoe_sessions{interface="swp2",state="hopeless"} 1',
    'lsoe_sessions{interface="swp2",state="opening"} 0',
    'lsoe_sessions{interface="swp3",state="open"} 0',
    'lsoe_interface_up{interface="swp1"} 1',
    'lsoe_interface_up{interface="swp3"} 0',
    'lsoe_encapsulations_learned{interface="swp3",type="IPV4_ENCAPSULATION"} 0',
    'lsoe_frames_dropped_total{reason="checksum"} 4',
    'lsoe_frames_dropped_total{reason="group-source"} 2',
    'lsoe_session_downs_total{reason="keepalive-timeout"} 3',
    'lsoe_pdus_sent_total{type="HELLO"} 9',
    'lsoe_pdus_sent_total{type="OPEN"} 0',
    'lsoe_retransmissions_total 5',
    'lsoe_encapsulations_announced{interface="swp1",type="IPV4_ENCAPSULATION"} 1',
    'lsoe_encapsulations_announced{interface="swp2",type="IPV4_ENCAPSULATION"} 0',
    '# TYPE lsoe_frames_dropped_total counter',
    '# TYPE lsoe_sessions gauge',
  ]) {
    t.ok(lines.includes(want), want);
  }
  t.notMatch(text, /02:00:00:00:0/, 'no MAC anywhere');
  t.notMatch(text, /^lsoe_bgp_(peer|nlri|messages)/m, 'no BGP peer sample without a BGP northbound');
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  t.equal(check.status, 0, `${check.stdout}${check.stderr}`);
});

const peer = (name: string, state: PeerStatus['state']): PeerStatus => ({
  peer: name,
  asn: 65000,
  peerAsn: 65001,
  state,
  since: '2026-11-30T07:00:00.000Z',
  peerRouterId: state === 'established' ? '10.0.0.2' : null,
  localAddress: null,
  linkState: state === 'established' ? true : null,
  messagesSent: { OPEN: 1, UPDATE: 3, NOTIFICATION: 0, KEEPALIVE: 7, ROUTE_REFRESH: 0 },
  messagesReceived: { OPEN: 1, UPDATE: 0, NOTIFICATION: 0, KEEPALIVE: 6, ROUTE_REFRESH: 0 },
  announced: { node: 1, link: 2, 'ipv4-prefix': 4, 'ipv6-prefix': 1 },
  withdrawn: { node: 0, link: 1, 'ipv4-prefix': 2, 'ipv6-prefix': 0 },
  held: state === 'established' ? 5 : 0,
  connects: 2,
  lastError: null,
});

t.test('BGP-LS peers: state, messages and NLRI by type, per configured peer; promtool accepts them', async (t) => {
  const status: BgpStatus = {
    enabled: true,
    routerId: '10.0.0.1',
    asn: 65000,
    routes: 5,
    heldBack: [{ ifname: 'swp1', peerMac: '02:00:00:00:00:01' }],
    peers: [peer('192.0.2.9:179', 'established'), peer('[2001:db8::9]:179', 'active')],
  };
  const text = await createExporter(core(), { bgp: () => status }).scrape();
  const lines = text.split('\n');
  for (const want of [
    'lsoe_bgp_peer_state{peer="192.0.2.9:179",state="established"} 1',
    'lsoe_bgp_peer_state{peer="192.0.2.9:179",state="idle"} 0',
    'lsoe_bgp_peer_state{peer="[2001:db8::9]:179",state="active"} 1',
    'lsoe_bgp_peer_state{peer="[2001:db8::9]:179",state="established"} 0',
    'lsoe_bgp_peer_state_change_timestamp_seconds{peer="192.0.2.9:179"} 1796022000',
    'lsoe_bgp_connect_attempts_total{peer="192.0.2.9:179"} 2',
    'lsoe_bgp_messages_sent_total{peer="192.0.2.9:179",type="UPDATE"} 3',
    'lsoe_bgp_messages_received_total{peer="192.0.2.9:179",type="KEEPALIVE"} 6',
    'lsoe_bgp_nlri_announced_total{peer="192.0.2.9:179",type="ipv4-prefix"} 4',
    'lsoe_bgp_nlri_withdrawn_total{peer="192.0.2.9:179",type="link"} 1',
    'lsoe_bgp_nlri_withdrawn_total{peer="[2001:db8::9]:179",type="node"} 0',
    'lsoe_bgp_peer_routes{peer="192.0.2.9:179"} 5',
    'lsoe_bgp_peer_routes{peer="[2001:db8::9]:179"} 0',
    'lsoe_bgp_routes 5',
    'lsoe_bgp_links_held_back 1',
    '# TYPE lsoe_bgp_nlri_announced_total counter',
    '# TYPE lsoe_bgp_peer_state gauge',
  ]) {
    t.ok(lines.includes(want), want);
  }
  t.equal(lines.filter((l) => l.startsWith('lsoe_bgp_peer_state{')).length, 2 * 6, 'a series per peer and FSM state');
  t.notMatch(text, /02:00:00:00:0/, 'the held-back neighbour is counted, not named');
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  t.equal(check.status, 0, `${check.stdout}${check.stderr}`);

  const off = await createExporter(core(), { bgp: () => ({ ...status, enabled: false, routes: 0, heldBack: [], peers: [] }) }).scrape();
  t.ok(off.split('\n').includes('lsoe_bgp_routes 0'), 'no bgp-peer: the gauges say 0');
  t.notMatch(off, /^lsoe_bgp_peer_state\{/m, 'and there is no peer series');
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

t.test('a core that throws costs one 500 and a log line; the listener goes on', async (t) => {
  const c = core();
  const errors: string[] = [];
  const service = new MetricsService(c, { info: () => undefined, error: (m) => errors.push(m) });
  const port = await freePort();
  await service.apply(`127.0.0.1:${port}`);
  t.teardown(() => service.close());
  const url = `http://127.0.0.1:${port}/metrics`;
  c.failWith = new Error('boom\nsecond line');
  const bad = await fetch(url);
  t.equal(bad.status, 500);
  t.equal(await bad.text(), 'internal error: boom\n');
  t.same(errors, ['metrics: GET /metrics failed: boom']);
  c.failWith = undefined;
  const good = await fetch(url);
  t.equal(good.status, 200);
  t.match(good.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  t.equal((await fetch(`http://127.0.0.1:${port}/looking-glass/`)).status, 404, 'looking glass off');
  t.equal((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404);
});
