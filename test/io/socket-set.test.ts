// The addon's set (issue 10, round 5): the endpoint sockets of a process share one
// poll, so the read coalescer holds them all with one call. Real sockets on veth pairs
// (root only; skipped without the addon): frames that arrive while the set is held
// wait in the kernel and are reported together when it is released; a link going
// down is reported on its own socket, which then hears again; a closed socket leaves
// the set and the others carry on.
import path from 'node:path';
import t from 'tap';
import { endpointLinkKind } from '../../src/io/endpoint-link.js';
import { createNetns, createVethPair, rootOrSkip, spawnNode } from '../helpers/netns.js';
import { helpers, Probe, startProbe } from '../helpers/probe-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('one poll for every endpoint socket', async (t) => {
  if (!rootOrSkip(t)) return;
  if (endpointLinkKind() !== 'packet-socket') {
    t.plan(0, 'the packet-socket addon is not built (scripts/build-native)');
    return;
  }
  const nsA = await createNetns(t, 'sa');
  const nsB = await createNetns(t, 'sb');
  const [a0, b0] = await createVethPair(t, nsA, nsB);
  const [a1, b1] = await createVethPair(t, nsA, nsB);
  const set = new Probe(spawnNode(t, nsA, path.join(helpers, 'set-probe.js'), [JSON.stringify({ ifnames: [a0.ifname, a1.ifname] })]));
  await set.until((e) => e.event === 'ready' || e.event === 'open-failed');
  t.match(set.events()[0], { event: 'ready' });
  const p0 = await startProbe(t, nsB, { kind: 'packet', ifname: b0.ifname });
  const p1 = await startProbe(t, nsB, { kind: 'packet', ifname: b1.ifname });
  const frames = (payload: string) => set.frames().filter((f) => f.payload.startsWith(payload));

  t.test('not held: each frame is reported as it comes', async (t) => {
    p0.send(a0.mac, '01');
    await set.until((e) => e.event === 'frame' && e.payload.startsWith('01'));
    p1.send(a1.mac, '02');
    await set.until((e) => e.event === 'frame' && e.payload.startsWith('02'));
    t.same(
      set.frames().map((f) => f.ifname),
      [a0.ifname, a1.ifname],
    );
  });

  t.test('held: frames wait in the kernel; released, both are reported by one wake-up', async (t) => {
    set.command({ hold: true });
    await set.until((e) => e.event === 'held' && e.held === true);
    p0.send(a0.mac, '03');
    p1.send(a1.mac, '04');
    await sleep(400);
    t.same([...frames('03'), ...frames('04')], [], 'nothing reported while held');
    set.command({ hold: false });
    await set.until((e) => e.event === 'frame' && e.payload.startsWith('04'));
    await set.until((e) => e.event === 'frame' && e.payload.startsWith('03'));
    t.equal(frames('03')[0]!.turn, frames('04')[0]!.turn, 'in the same turn of the event loop');
  });

  t.test('a link down is reported on its socket, which hears again once up', async (t) => {
    await nsA.ip(['link', 'set', a1.ifname, 'down']);
    const down = await set.until((e) => e.event === 'error');
    t.match(down, { ifname: a1.ifname, errno: 100 }, 'ENETDOWN, on a1 only');
    await nsA.ip(['link', 'set', a1.ifname, 'up']);
    for (let i = 0; i < 50 && frames('05').length === 0; i++) {
      p1.send(a1.mac, '05');
      await sleep(100);
    }
    t.equal(frames('05')[0]?.ifname, a1.ifname, 'a1 heard again');
    t.equal(set.events().filter((e) => e.event === 'error').length, 1, 'reported once');
  });

  t.test('a closed socket leaves the set; the other carries on', async (t) => {
    set.command({ close: a0.ifname });
    await set.until((e) => e.event === 'closed');
    p0.send(a0.mac, '06');
    p1.send(a1.mac, '07');
    await set.until((e) => e.event === 'frame' && e.payload.startsWith('07'));
    await sleep(200);
    t.same(frames('06'), [], 'nothing from the closed socket');
  });
});
