// Coalesced reads across endpoint links (issue 10), without root: packet links on
// a scripted host play the kernel (each socket counts the times its poll fired,
// i.e. the wake-ups it cost), a fake clock drives the grace. A peer's burst on 8
// links costs one wake-up and one read round; a flooded link is still read at its
// full budget on every turn and the others are not starved.
import t from 'tap';
import { FakeClock } from '../../src/daemon/clock.js';
import { PacketType } from '../../src/io/capture-host.js';
import type { ReceivedFrame } from '../../src/io/link.js';
import { coalescerFor, openPacketLink, type PacketLink } from '../../src/io/packet-link.js';
import { FRAMES_PER_READ, READ_GRACE, ReadCoalescer, type ReadSource } from '../../src/io/read-coalescer.js';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { ScriptedHost } from '../helpers/scripted-host.js';

const MAC = '02:00:00:00:00:01';
const PEER = '02:00:00:00:00:02';
const MS = 0.001;

const flush = () => new Promise((r) => setImmediate(r));
const frame = () => buildEthernet(MAC, PEER, 0x88b5, Buffer.from('0102', 'hex'));

function setup(links: number) {
  const host = new ScriptedHost();
  const clock = new FakeClock();
  const opened: PacketLink[] = [];
  const got: Array<{ ifname: string; at: number }> = [];
  for (let i = 0; i < links; i++) {
    const link = openPacketLink(host, { ifname: `eth${i}`, ifindex: i + 1, mac: MAC }, clock);
    link.onFrame((f: ReceivedFrame) => got.push({ ifname: f.ifname, at: clock.now() }));
    opened.push(link);
  }
  const wakes = () => host.sockets.reduce((n, s) => n + s.wakes, 0);
  const count = (ifname: string) => got.filter((g) => g.ifname === ifname).length;
  return { host, clock, links: opened, got, wakes, count, coalescer: coalescerFor(host, clock) };
}

t.test('a burst of 8 keepalives on 8 links, 2 ms apart: one wake-up, one read round', async (t) => {
  const { host, clock, got, wakes, coalescer } = setup(8);
  const t0 = clock.now();
  for (const [i, socket] of host.sockets.entries()) {
    if (i > 0) clock.advance(2 * MS);
    socket.arrive(frame(), PacketType.host);
  }
  await flush();
  t.equal(got.length, 0, 'the burst waits in the kernel during the grace');
  t.equal(wakes(), 1, 'only the first frame woke the process');
  t.ok(
    host.sockets.every((s) => !s.watched),
    'every endpoint socket is held meanwhile',
  );
  t.equal(host.holds, 1, 'by one call to the host (the real one: one poll for all, one epoll_ctl)');
  clock.advance(READ_GRACE - 14 * MS);
  t.equal(got.length, 8, 'one round read all 8');
  t.ok(
    got.every((g) => g.at === t0 + READ_GRACE),
    'at the end of the grace',
  );
  t.ok(
    host.sockets.every((s) => s.watched),
    'polled again after the round',
  );
  t.equal(host.holds, 2, 'released by one call too');
  t.same(
    host.sockets.map((s) => s.receives),
    Array(8).fill(1),
    'one read a socket (it was two: the frame, then an empty read to learn the queue was empty)',
  );
  t.equal(clock.pending(), 0, 'nothing left armed');
  // the next second's burst costs the same
  for (const socket of host.sockets) socket.arrive(frame(), PacketType.host);
  clock.advance(READ_GRACE);
  await flush();
  t.equal(got.length, 16);
  t.equal(wakes(), 2, 'two bursts, two wake-ups (a wake-up a frame before: 16)');
  t.same([coalescer.rounds, coalescer.direct], [2, 0]);
});

t.test('our send turn on 8 links opens the grace: the peer burst right after costs no wake-up of its own', async (t) => {
  const { host, clock, links, got, wakes, coalescer } = setup(8);
  const t0 = clock.now();
  // the daemon's keepalive turn: one KEEPALIVE on each link, in one turn
  for (const link of links) link.send(PEER, Buffer.from('0102', 'hex'));
  t.equal(
    host.sockets.reduce((n, s) => n + s.sent.length, 0),
    8,
    'all 8 sent',
  );
  t.ok(
    host.sockets.every((s) => !s.watched),
    'the send turn held every endpoint socket',
  );
  t.equal(clock.pending(), 1, 'and armed the grace');
  // the peer's burst (same grid) arrives over the next 15 ms
  for (const socket of host.sockets) {
    clock.advance(2 * MS);
    socket.arrive(frame(), PacketType.host);
  }
  await flush();
  t.equal(wakes(), 0, 'no frame woke the process');
  t.equal(got.length, 0, 'the burst waits for the round');
  clock.advance(READ_GRACE - 16 * MS);
  t.equal(got.length, 8, 'one round read all 8');
  t.ok(
    got.every((g) => g.at === t0 + READ_GRACE),
    'at the end of the grace opened by the send',
  );
  t.ok(
    host.sockets.every((s) => s.watched),
    'polled again after the round',
  );
  t.same([coalescer.rounds, coalescer.sendGraces, coalescer.direct], [1, 1, 0]);
  // the next second the same: send turn + round, no wake-up for the frames
  clock.advance(1 - READ_GRACE);
  for (const link of links) link.send(PEER, Buffer.from('0102', 'hex'));
  for (const socket of host.sockets) socket.arrive(frame(), PacketType.host);
  clock.advance(READ_GRACE);
  await flush();
  t.equal(got.length, 16);
  t.equal(wakes(), 0, 'two bursts, no wake-up for frames (old code: one a burst)');
  t.same([coalescer.rounds, coalescer.sendGraces], [2, 2]);
});

t.test('sends that are no send turn hold nothing: one link, one link sending twice, a link behind', async (t) => {
  const one = setup(1);
  one.links[0]!.send(PEER, Buffer.from('01', 'hex'));
  one.links[0]!.send(PEER, Buffer.from('01', 'hex'));
  t.equal(one.clock.pending(), 0, 'a single link: no grace');
  t.ok(one.host.sockets[0]!.watched);
  t.equal(one.host.holds, 0);
  const { host, clock, links, count, coalescer } = setup(3);
  links[0]!.send(PEER, Buffer.from('01', 'hex'));
  links[0]!.send(PEER, Buffer.from('01', 'hex'));
  t.equal(clock.pending(), 0, 'retransmits on one link: no grace');
  clock.advance(READ_GRACE);
  links[1]!.send(PEER, Buffer.from('01', 'hex'));
  t.equal(clock.pending(), 0, 'a second link a grace later: no send turn');
  // a flooded link is behind: sends open no grace, frames are read at once
  for (let i = 0; i < 2 * FRAMES_PER_READ; i++) host.sockets[0]!.arrive(frame(), PacketType.host);
  clock.advance(READ_GRACE);
  t.equal(count('eth0'), FRAMES_PER_READ, 'the round read its budget: behind');
  for (const link of links) link.send(PEER, Buffer.from('01', 'hex'));
  t.equal(clock.pending(), 0, 'no grace while a link is behind');
  host.sockets[1]!.arrive(frame(), PacketType.host);
  t.equal(count('eth1'), 1, 'read at once');
  t.equal(coalescer.sendGraces, 0);
  await flush();
});

t.test('a single endpoint link is read at once: no grace, no timer', async (t) => {
  const { host, clock, got, wakes } = setup(1);
  host.sockets[0]!.arrive(frame(), PacketType.host);
  t.equal(got.length, 1, 'delivered on its wake-up');
  t.equal(clock.pending(), 0);
  t.equal(wakes(), 1);
});

t.test('one neighbour among idle links: after a round that found one frame, frames are read at once; a burst is gathered again', async (t) => {
  const { host, clock, count, wakes, coalescer } = setup(8);
  const [busy] = host.sockets;
  busy!.arrive(frame(), PacketType.host);
  clock.advance(READ_GRACE);
  t.equal(count('eth0'), 1, 'the first frame waited for a round');
  for (let i = 0; i < 10; i++) {
    clock.advance(1 - READ_GRACE);
    busy!.arrive(frame(), PacketType.host);
    t.equal(count('eth0'), 2 + i, 'read on its own wake-up');
    t.equal(clock.pending(), 0, 'no grace: it would only be a wake-up more');
  }
  await flush();
  t.equal(wakes(), 11, 'one wake-up a frame, none for a grace');
  // a second later the other neighbours come back: a burst of 8, 2 ms apart
  clock.advance(1);
  for (const [i, socket] of host.sockets.entries()) {
    if (i > 0) clock.advance(2 * MS);
    socket.arrive(frame(), PacketType.host);
  }
  t.equal(clock.pending(), 1, 'two frames within a grace: gathering again');
  clock.advance(READ_GRACE);
  await flush();
  t.equal(
    host.sockets.reduce((n, s) => n + s.queue.length, 0),
    0,
    'all read',
  );
  t.equal(wakes(), 13, 'the burst cost two wake-ups (the first two frames), not 8');
  t.equal(coalescer.rounds, 2);
});

t.test('a flooded link is read at its full budget each turn; the others are not starved', async (t) => {
  const { host, clock, count, coalescer } = setup(3);
  const [flooded, quiet, other] = host.sockets as [(typeof host.sockets)[0], (typeof host.sockets)[0], (typeof host.sockets)[0]];
  const FLOOD = 5 * FRAMES_PER_READ + 10;
  quiet.arrive(frame(), PacketType.host);
  for (let i = 0; i < FLOOD; i++) flooded.arrive(frame(), PacketType.host);
  other.arrive(frame(), PacketType.host);
  clock.advance(READ_GRACE);
  t.same([count('eth0'), count('eth1'), count('eth2')], [FRAMES_PER_READ, 1, 1], 'the round: the flooded link its budget, the others all theirs');
  // from here the flooded link is behind: read at each turn, as without coalescing
  const perTurn: number[] = [];
  let quietFrames = 1;
  for (let turns = 0; count('eth0') < FLOOD && turns < 20; turns++) {
    const before = count('eth0');
    await flush();
    perTurn.push(count('eth0') - before);
    if (count('eth0') === FLOOD) break;
    // a frame on a quiet link meanwhile is read at once: no grace while a link is behind
    quiet.arrive(frame(), PacketType.host);
    quietFrames++;
    t.equal(count('eth1'), quietFrames, 'the quiet link read at once');
    t.equal(clock.pending(), 0, 'no grace while the flooded link is behind');
  }
  t.equal(count('eth0'), FLOOD, 'the whole flood read');
  t.same(perTurn, [...Array(4).fill(FRAMES_PER_READ), 10], 'a full budget on every turn but the last');
  t.equal(clock.pending(), 0);
  // the flood drained: a burst is gathered again
  other.arrive(frame(), PacketType.host);
  t.equal(clock.pending(), 1, 'coalescing again once nothing is behind');
  clock.advance(READ_GRACE);
  t.equal(count('eth2'), 2);
  t.equal(coalescer.rounds, 2);
});

t.test('a link closed during the grace is skipped; one opened then waits for the round; a monitor is never held', async (t) => {
  const { host, clock, links, count } = setup(3);
  host.sockets[0]!.arrive(frame(), PacketType.host);
  host.sockets[1]!.arrive(frame(), PacketType.host);
  links[1]!.close();
  const late = openPacketLink(host, { ifname: 'eth9', ifindex: 9, mac: MAC }, clock);
  let lateFrames = 0;
  late.onFrame(() => lateFrames++);
  t.notOk(host.sockets.at(-1)!.watched, 'the new endpoint socket is held with the others');
  const monitor = openPacketLink(host, { ifname: 'eth8', ifindex: 8, mac: MAC, monitor: { ethertypes: [0x88b5], direction: 'in', promiscuous: false } }, clock);
  let monitored = 0;
  monitor.onFrame(() => monitored++);
  host.sockets.at(-1)!.arrive(frame(), PacketType.host);
  t.equal(monitored, 1, 'the monitor link read its frame at once');
  host.sockets.at(-2)!.arrive(frame(), PacketType.host);
  clock.advance(READ_GRACE);
  t.same([count('eth0'), count('eth1'), lateFrames], [1, 0, 1], 'the closed link read nothing, the others theirs');
  t.ok(host.sockets[0]!.watched);
  t.ok(host.sockets[1]!.closed);
  links[0]!.close();
  links[2]!.close();
  late.close();
  t.equal(clock.pending(), 0);
});

t.test('a source that throws in a round: every source is polled again', async (t) => {
  const clock = new FakeClock();
  let held = false;
  const c = new ReadCoalescer(clock, { hold: (h: boolean) => void (held = h) });
  const sources: ReadSource[] = [0, 1].map((i) => ({
    readRound: () => {
      if (i === 0) throw new Error('boom');
      return 0;
    },
  }));
  for (const s of sources) c.add(s);
  c.readable(sources[1]!);
  t.equal(held, true);
  t.throws(() => clock.advance(READ_GRACE), /boom/);
  t.equal(held, false, 'none left deaf');
});
