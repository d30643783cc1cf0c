// The exporter and the listener over a test double of the core: every state and reason
// becomes a labelled sample that promtool accepts, and a core that throws costs one 500,
// never the listener.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import t from 'tap';
import type { Counters, SessionView } from '../../src/daemon/core.js';
import { newCoreCounts } from '../../src/daemon/counters.js';
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
  t.notMatch(text, /02:00:00:00:00/, 'no MAC anywhere');
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  t.equal(check.status, 0, `${check.stdout}${check.stderr}`);
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
