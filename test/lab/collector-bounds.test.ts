// The lab collector's bounds (issue 9) and its parts (issue 10): reports bounded in
// count and bytes, event streams capped, `lab up` refusing a port that something
// already answers on, and the session poller on a fake clock.
import http from 'node:http';
import net from 'node:net';
import t from 'tap';
import { FakeClock } from '../../src/daemon/clock.js';
import { EventHub } from '../../src/lab/event-hub.js';
import { ReportStore } from '../../src/lab/reports.js';
import { SessionPoller } from '../../src/lab/session-poller.js';
import type { SessionsByNode } from '../../src/lab/status.js';
import { portProblem } from '../../src/lab/up.js';

const report = (ifname: string, n: number) => ({
  my_switch_id: '01:02:03:04:05:06:07:08:09:0a',
  ifname,
  peer_macaddr: '02:00:00:00:00:01',
  peer_switch_id: null,
  pdu_name: 'IPV4_ENCAPSULATION',
  encaps: Array.from({ length: n }, (_, i) => ({ ipaddr: `10.0.${i >> 8}.${i & 255}`, prefixlen: 32, primary: false, loopback: false })),
});

t.test('the report store is bounded in count and in bytes; replacing a report frees its bytes', async (t) => {
  const byCount = new ReportStore(2, 1 << 20);
  t.ok(byCount.add(report('a', 1), 's', new Date()).ok);
  t.ok(byCount.add(report('b', 1), 's', new Date()).ok);
  t.match(byCount.add(report('c', 1), 's', new Date()), { ok: false, error: /holds 2 reports/ });
  t.ok(byCount.add(report('a', 2), 's', new Date()).ok, 'a known report may still change');
  t.same(byCount.refused, { count: 1, bytes: 0 });

  const byBytes = new ReportStore(1000, 20_000);
  t.ok(byBytes.add(report('a', 100), 's', new Date()).ok, 'about 10 KB');
  t.match(byBytes.add(report('b', 200), 's', new Date()), { ok: false, error: /20000 bytes/ }, 'a second, larger one does not fit');
  t.ok(byBytes.add(report('a', 1), 's', new Date()).ok, 'the first shrinks');
  t.ok(byBytes.add(report('b', 150), 's', new Date()).ok, 'now the second fits');
  t.ok(byBytes.size().bytes <= 20_000);
  t.same(byBytes.refused, { count: 0, bytes: 1 });
});

/** An HTTP server on 127.0.0.1 whose every request becomes one of `hub`'s streams, opened with `first`; closed in teardown. */
async function serveHub(t: { teardown(fn: () => unknown): void }, hub: EventHub, first: string): Promise<number> {
  const server = http.createServer((req, res) => hub.add(req, res, first));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    hub.close();
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}

t.test('event streams are capped: one over the cap gets 503; a closed one frees its place', async (t) => {
  const hub = new EventHub({ maxClients: 2 });
  const port = await serveHub(t, hub, 'data: {}\n\n');
  const open = () =>
    new Promise<{ status: number; req: http.ClientRequest }>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, req });
      });
    });
  const a = await open();
  const b = await open();
  const c = await open();
  t.same([a.status, b.status, c.status], [200, 200, 503]);
  t.equal(hub.counts.refused, 1);
  a.req.destroy();
  for (let i = 0; i < 50 && hub.size > 1; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal((await open()).status, 200, 'a place freed by a closed stream is taken again');
});

t.test('event streams: a slow reader gets at most one event ahead, then the current view whole; one that stops reading is dropped', async (t) => {
  let version = 0;
  const event = (v: number, size: number): string => `data: ${String(v).padEnd(size, '.')}\n\n`;
  const MiB = 1 << 20;
  let size = MiB;
  const hub = new EventHub({ maxSkipped: 5, current: () => event(version, size) });
  const port = await serveHub(t, hub, 'data: first\n\n');
  const open = () =>
    new Promise<http.IncomingMessage>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.pause();
        resolve(res);
      });
    });
  const waitFor = async (ok: () => boolean) => {
    for (let i = 0; i < 250 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  };

  // Four 1 MiB views while the page is busy: the first is sent, the next two skipped,
  // and once it has taken the first it gets the latest (4) whole.
  const slow = await open();
  await waitFor(() => hub.size === 1);
  for (version = 1; version <= 4; version++) hub.broadcast(event(version, size));
  version = 4;
  t.equal(hub.counts.skipped, 3, 'three events skipped while it was still taking the first');
  let text = '';
  slow.setEncoding('utf8');
  slow.on('data', (d: string) => (text += d));
  slow.resume();
  const versions = (): string[] => text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6).replace(/\.+$/, ''));
  await waitFor(() => versions().includes('4'));
  t.same(versions(), ['first', '1', '4'], 'it ends on the current view, and nothing in between piled up');
  slow.destroy();
  await waitFor(() => hub.size === 0);

  // A page that never reads: once the socket is full, every event is skipped; after
  // maxSkipped in a row it is dropped. What waits for it is at most one event.
  size = 8 * MiB;
  await open();
  await waitFor(() => hub.size === 1);
  for (let i = 0; i < 30 && hub.size > 0; i++) {
    hub.broadcast(event(++version, size));
    await new Promise((r) => setTimeout(r, 20));
  }
  t.equal(hub.size, 0, 'the client that stopped reading was dropped');
  t.equal(hub.counts.dropped, 1);
});

t.test('lab up refuses a port that something answers on, also when only on ::1', async (t) => {
  const server = net.createServer((s) => s.end());
  const listened = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => resolve(true));
  });
  if (!listened) {
    t.plan(0, 'no IPv6 loopback here');
    return;
  }
  t.teardown(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  t.match(await portProblem(port), /answers on \[::1\]:/);
  const v4 = net.createServer((s) => s.end());
  await new Promise<void>((r) => v4.listen(0, '127.0.0.1', r));
  t.teardown(() => v4.close());
  t.match(await portProblem((v4.address() as net.AddressInfo).port), /answers on 127\.0\.0\.1:/);
});

t.test('the session poller: one round per period on the clock; asks during a round are merged into one more', async (t) => {
  const clock = new FakeClock();
  const asked: string[][] = [];
  let release: (() => void) | null = null;
  const ask = async (nodes: string[]): Promise<SessionsByNode> => {
    asked.push(nodes);
    await new Promise<void>((r) => (release = r));
    return new Map(nodes.map((n) => [n, []]));
  };
  let rounds = 0;
  const poller = new SessionPoller(['a', 'b', 'c'], ask, clock, 1, () => rounds++);
  poller.start();
  const settle = () => new Promise((r) => setImmediate(r));
  await settle();
  t.same(asked, [['a', 'b', 'c']], 'a first round at once');
  void poller.poll(['b']);
  void poller.poll(['c']);
  release!();
  await settle();
  await settle();
  t.same(asked, [['a', 'b', 'c'], ['b', 'c']], 'the two asks made during the round become one');
  release!();
  await settle();
  await settle();
  t.equal(clock.pending(), 1, 'the next round waits for the clock');
  clock.advance(1);
  await settle();
  t.equal(asked.length, 3);
  release!();
  await settle();
  poller.stop();
  t.equal(clock.pending(), 0, 'stopped: no timer left');
  t.ok(rounds >= 2);
});
