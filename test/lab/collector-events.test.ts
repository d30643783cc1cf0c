// The collector follows the daemons' session events: on a fake clock that never moves (so
// no resync round ever comes), a session event makes the page show the change, read over
// the connection the collector subscribed on. Events dropped for a slow reader, a daemon
// that goes away and one that comes back are each followed by a read too.
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeClock } from '../../src/daemon/clock.js';
import { startCollector } from '../../src/lab/collector.js';
import { makePlan } from '../../src/lab/plan.js';
import { clos } from '../../src/lab/topology.js';
import type { ViewChange } from '../../src/lab/view-change.js';
import { eventStream, fakeDaemon } from './fake-lab.js';
import { freePort } from './lab-helpers.js';

t.test('collector: a session event reaches the page without waiting for a poll', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lsoe-lab-events-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const plan = makePlan({ name: 'e1', links: clos(1, 2), port: await freePort(), stateRoot: root });
  mkdirSync(plan.stateDir, { recursive: true });
  const [l0, l1] = [plan.links[0]!, plan.links[1]!];
  const [spine, leaf0, leaf1] = [plan.nodes[0]!, plan.nodes[1]!, plan.nodes[2]!];
  let leaf0Open = true;
  const daemons = [
    fakeDaemon(spine.socket, () => [
      ...(leaf0Open ? [{ ifname: 'leaf0', peerMac: l0.lower.mac, peerId: leaf0.localId, state: 'open' }] : []),
      { ifname: 'leaf1', peerMac: l1.lower.mac, peerId: leaf1.localId, state: 'open' },
    ]),
    fakeDaemon(leaf0.socket, () => (leaf0Open ? [{ ifname: 'spine0', peerMac: l0.upper.mac, peerId: spine.localId, state: 'open' }] : [])),
    fakeDaemon(leaf1.socket, () => [{ ifname: 'spine0', peerMac: l1.upper.mac, peerId: spine.localId, state: 'open' }]),
  ];
  t.teardown(() => daemons.forEach((d) => d.close()));
  // Time never moves: the first round at start is the only one, and no retry ever fires.
  const clock = new FakeClock();
  const collector = await startCollector(plan, { clock });
  t.teardown(() => collector.close());
  const stream = eventStream(plan.collector.url);
  t.teardown(() => stream.close());
  const allUp = await stream.view((v) => v.links.every((l) => l.state === 'up'));
  t.same(allUp.nodes.map((n) => n.daemon), [true, true, true]);
  // every daemon subscribed
  const subscribed = async () => {
    for (let i = 0; i < 200 && !daemons.every((d) => (d.asked.subscribe ?? 0) > 0); i++) await new Promise((r) => setTimeout(r, 10));
    return daemons.map((d) => d.asked.subscribe ?? 0);
  };
  t.same(await subscribed(), [1, 1, 1], 'one subscription per daemon');
  const connections = daemons.map((d) => d.server);
  const count = (s: (typeof connections)[number]) => new Promise<number>((r) => s.getConnections((_e, n) => r(n)));

  // The link goes down: both ends say so, and the page shows it; the clock has not moved.
  const before = stream.seen.length;
  leaf0Open = false;
  t.equal(daemons[0]!.push({ event: 'session-down', time: new Date().toISOString(), ifname: 'leaf0', peerMac: l0.lower.mac, peerId: leaf0.localId, reason: 'link-down' }), 1);
  daemons[1]!.push({ event: 'session-down', time: new Date().toISOString(), ifname: 'spine0', peerMac: l0.upper.mac, peerId: spine.localId, reason: 'link-down' });
  const down = await stream.view((v) => v.links[0]!.state === 'down');
  t.same([down.links[0]!.upper.state, down.links[0]!.lower.state], ['down', 'down']);
  t.equal(down.links[1]!.state, 'up', 'the other link untouched');
  const sent = stream.seen.slice(before);
  t.same(sent.filter((e) => e.event === ''), [], 'no whole view');
  const changes = sent.filter((e) => e.event === 'change').map((e) => JSON.parse(e.data) as ViewChange);
  t.ok(changes.length >= 1 && changes.every((c) => c.links.every(([i]) => i === 0)), 'changes about link 0 only');
  t.equal(clock.pending(), 1, 'only the resync round waits on the clock (it never fired)');
  t.same(await Promise.all(connections.map(count)), [1, 1, 1], 'read on the subscribed connection: no other connection');

  // An event the daemon does not change its sessions for (encaps) reads nothing.
  const reads = daemons[0]!.asked.sessions;
  daemons[0]!.push({ event: 'encaps-changed', time: new Date().toISOString(), ifname: 'leaf1', peerMac: l1.lower.mac, peerId: leaf1.localId, type: 'IPV4', encaps: [] });
  // The daemon dropped events for us: its sessions are read again.
  leaf0Open = true;
  daemons[0]!.push({ event: 'events-dropped', time: new Date().toISOString(), dropped: 3 });
  await stream.view((v) => v.links[0]!.upper.state === 'open');
  t.equal(daemons[0]!.asked.sessions, reads! + 1, 'one read, for the drop marker');

  // A daemon that goes away shows as not answering at once; back, it is subscribed again.
  daemons[2]!.close();
  const gone = await stream.view((v) => !v.nodes[2]!.daemon);
  t.equal(gone.links[1]!.lower.state, 'down');
  daemons[2] = fakeDaemon(leaf1.socket, () => [{ ifname: 'spine0', peerMac: l1.upper.mac, peerId: spine.localId, state: 'open' }]);
  clock.advance(0.25); // the first retry
  const back = await stream.view((v) => v.nodes[2]!.daemon && v.links[1]!.state === 'up');
  t.equal(back.nodes[2]!.daemon, true);
  t.equal(daemons[2]!.asked.subscribe, 1, 'subscribed again');
});

t.test('collector: the resync round reads every daemon once per period on the clock', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lsoe-lab-events-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const plan = makePlan({ name: 'e2', links: clos(1, 1), port: await freePort(), stateRoot: root });
  mkdirSync(plan.stateDir, { recursive: true });
  let heard = '2026-01-01T00:00:01.000Z';
  const daemons = plan.nodes.map((n, i) =>
    fakeDaemon(n.socket, () => [{ ifname: i === 0 ? 'leaf0' : 'spine0', peerMac: i === 0 ? plan.links[0]!.lower.mac : plan.links[0]!.upper.mac, peerId: null, state: 'open', lastHeard: heard }]),
  );
  t.teardown(() => daemons.forEach((d) => d.close()));
  const clock = new FakeClock();
  const collector = await startCollector(plan, { clock, pollMs: 5000 });
  t.teardown(() => collector.close());
  const stream = eventStream(plan.collector.url);
  t.teardown(() => stream.close());
  await stream.view((v) => v.links[0]!.state === 'up');
  // subscribed, and the reads that follow done (the next round is on the clock)
  for (let i = 0; i < 200 && !(daemons.every((d) => d.asked.subscribe === 1) && clock.pending() === 1); i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
  const reads = daemons.map((d) => d.asked.sessions ?? 0);
  heard = '2026-01-01T00:00:02.000Z';
  clock.advance(4.5);
  await new Promise((r) => setTimeout(r, 100));
  t.same(daemons.map((d) => d.asked.sessions ?? 0), reads, 'nothing read before the period');
  clock.advance(1);
  const moved = await stream.next((e) => e.event === 'heard' && e.data.includes(heard));
  t.ok(moved, 'the heard times, from the resync');
  t.same(daemons.map((d) => d.asked.sessions ?? 0), reads.map((r) => r + 1), 'one read of each daemon');
});
