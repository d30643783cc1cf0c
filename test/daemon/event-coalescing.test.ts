// A neighbour flapping its session 1,000 times a second must produce a bounded stream of
// control-socket events (issue 9): NeighbourEvents alone under a fake clock, then the daemon
// core on a memory segment with a spoofed neighbour that opens blindly and restarts, while
// a genuine peer shares the segment.
import t from 'tap';
import { FakeClock } from '../../src/daemon/clock.js';
import { NeighbourEvents } from '../../src/daemon/neighbour-events.js';
import type { DaemonEvent } from '../../src/daemon/views.js';
import { MemorySegment } from '../../src/io/memory-link.js';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { encodePdu } from '../../src/proto/pdu/index.js';
import { PduType, type Pdu } from '../../src/proto/types.js';
import { makeNode, run, settle } from './harness.js';

const A = { ifname: 'eth0', mac: '02:00:00:00:00:0a', localId: '0a'.repeat(10), addrs: ['10.0.0.1/31'] };
const B = { ifname: 'eth1', mac: '02:00:00:00:00:0b', localId: '0b'.repeat(10), addrs: ['10.0.0.0/31'] };
const EVIL = '02:ee:00:00:00:01';

function ev(event: 'session-up' | 'session-down', n: number, peerMac = EVIL): DaemonEvent {
  return { event, time: `t${n}`, ifname: 'eth0', peerMac, peerId: null, ...(event === 'session-down' ? { reason: `r${n}` } : {}) };
}

/** Session events must alternate for every watcher: up, down, up… */
function alternates(events: DaemonEvent[]): boolean {
  const states = events.filter((e) => e.event !== 'encaps-changed').map((e) => e.event);
  return states.every((s, i) => i === 0 || s !== states[i - 1]);
}

t.test('NeighbourEvents: first at once, then a window\'s first change at once and at most a flap at its end, alternating, counted', async (t) => {
  const clock = new FakeClock();
  const out: DaemonEvent[] = [];
  let folded = 0;
  const n = new NeighbourEvents(clock, 1, (e) => out.push(e), (k) => (folded += k));
  n.push(ev('session-up', 0));
  t.same(out.map((e) => e.time), ['t0'], 'the first event goes at once');
  // 1,000 flaps (2,000 events) within the window, ending up
  for (let i = 1; i <= 2000; i++) n.push(ev(i % 2 ? 'session-down' : 'session-up', i));
  t.equal(out.length, 1, 'nothing more within the window');
  clock.advance(1);
  t.same(
    out.slice(1).map((e) => [e.event, e.time, e.coalesced]),
    [
      ['session-down', 't1999', 1998],
      ['session-up', 't2000', 1998],
    ],
    'told as one flap: the latest down (its reason), then the latest up, with how many were folded',
  );
  t.equal(folded, 1998, 'counted');
  // in the next window, the first change goes at once; then a flap is held, told at the end
  n.push(ev('session-down', 2001));
  t.same(out.slice(3).map((e) => [e.event, e.time]), [['session-down', 't2001']], "a window's first change of state goes at once");
  n.push(ev('session-up', 2002));
  n.push(ev('session-down', 2003));
  t.equal(out.length, 4, 'what follows it is held');
  clock.advance(1);
  t.same(out.slice(4).map((e) => [e.event, e.time]), [['session-up', 't2002'], ['session-down', 't2003']], 'and told as the flap it was');
  // ends where the immediate event left it: one more window that tells the other state once
  n.push(ev('session-up', 2004));
  t.same(out.slice(6).map((e) => e.time), ['t2004'], 'the next window: its first change at once');
  n.push(ev('session-down', 2005));
  n.push(ev('session-up', 2006));
  n.push(ev('session-down', 2007));
  clock.advance(1);
  t.same(out.slice(7).map((e) => [e.event, e.time]), [['session-down', 't2007']], 'a window that ends in the other state tells that state once');
  clock.advance(1);
  clock.advance(1);
  t.equal(n.size, 0, 'a quiet window forgets the neighbour');
  n.push(ev('session-up', 2008));
  t.same(out.slice(8).map((e) => e.time), ['t2008'], 'and its next event goes at once again');
  t.ok(alternates(out), 'session events alternate');
  // another neighbour is not held by this one's window
  n.push(ev('session-up', 9, '02:00:00:00:00:0c'));
  t.equal(out.at(-1)!.peerMac, '02:00:00:00:00:0c', 'per neighbour');
  n.push(ev('session-down', 2009));
  n.push(ev('session-up', 2010));
  n.close();
  t.same(out.at(-1)!.time, 't2010', 'what is held is told when the daemon stops');
});

t.test('a neighbour flapping its session 1,000 times a second: a bounded event stream, every flap still counted', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  // no hold-down and no new-session limit: the flapping itself is what is measured here
  const flags = { 'restart-limit': '1000000', 'max-new-sessions-per-second': '1000000' };
  const a = makeNode(clock, segment, { ...A, flags });
  const b = makeNode(clock, segment, B);
  await run(clock, 3);
  const attacker = segment.attach('evil', '02:ee:ff:ff:ff:ff');
  const spoof = (pdu: Pdu) => {
    for (const f of splitPdu(encodePdu(pdu))) segment.transmit(attacker, buildEthernet(A.mac, EVIL, 0x88b5, f));
  };
  const mark = a.events.length;
  const seen = a.log.lines.length;
  // each millisecond: an OPEN with a new nonce (a restart once open), then a blind ACK of it
  const SECONDS = 2;
  for (let i = 1; i <= SECONDS * 1000; i++) {
    spoof({ type: 'OPEN', nonce: i.toString(16).padStart(8, '0'), localId: 'ee'.repeat(10), attributes: '' });
    spoof({ type: 'ACK', ackType: PduType.OPEN, errorType: 0, errorCode: 0, errorHint: 0 });
    clock.advance(0.001);
    await settle(2);
  }
  await run(clock, 2);
  const fromEvil = a.events.slice(mark).filter((e) => e.peerMac === EVIL);
  const flaps = a.core.neighbors().flatMap((n) => n.neighbors).find((n) => n.peerMac === EVIL)?.flaps ?? 0;
  t.ok(flaps > 1000, `the neighbour history counts every flap (${flaps})`);
  const sessionEvents = fromEvil.filter((e) => e.event !== 'encaps-changed');
  // first at once, then at most three per 1 s window (its first change at once, a flap at its end)
  t.ok(sessionEvents.length <= 3 * (SECONDS + 2) + 1, `subscribers got ${sessionEvents.length} session events for ${flaps} flaps`);
  t.ok(sessionEvents.length >= 2, 'and still saw it flap');
  t.ok(alternates(sessionEvents), 'alternating up and down');
  t.equal(sessionEvents.at(-1)!.event, 'session-up', 'the last one tells the state it ended in (open)');
  t.ok(a.core.counters().eventsCoalesced > 1000, `folded events counted (${a.core.counters().eventsCoalesced})`);
  const lines = a.log.lines.slice(seen).filter((l) => l.level !== 'debug').length;
  t.ok(lines < 100, `few log lines besides debug (${lines})`);
  t.same(a.core.sessions().filter((s) => s.peerMac === B.mac).map((s) => s.state), ['open'], 'the genuine session is open');
  t.equal(b.events.filter((e) => e.event === 'session-down').length, 0, 'B never took it down');
  t.equal(a.events.filter((e) => e.event === 'session-down' && e.peerMac === B.mac).length, 0, 'A never took B down');
  a.core.stop();
  b.core.stop();
});

t.test("NeighbourEvents: a link's down and up each go at once, though its encapsulation events opened the window", async (t) => {
  const clock = new FakeClock();
  const out: DaemonEvent[] = [];
  const n = new NeighbourEvents(clock, 1, (e) => out.push(e), () => undefined);
  const encaps = (i: number): DaemonEvent => ({ event: 'encaps-changed', time: `e${i}`, ifname: 'eth0', peerMac: EVIL, peerId: null, type: 'IPV4_ENCAPSULATION', encaps: [], withdrawn: true });
  // a link goes down: its session withdraws what it learned, then closes
  n.push(encaps(1));
  n.push(encaps(2));
  n.push(ev('session-down', 3));
  t.same(out.map((e) => e.time), ['e1', 't3'], 'the down at once (the first encapsulation event opened the window)');
  clock.advance(0.5);
  // back up within the window: the window already told a change at once
  n.push(ev('session-up', 4));
  t.same(out.map((e) => e.time), ['e1', 't3'], 'held');
  clock.advance(0.5);
  t.same(out.map((e) => e.time), ['e1', 't3', 't4', 'e2'], 'told at the window end');
  // down and up again in the next window (it reopened, events were held): the down at once
  n.push(ev('session-down', 5));
  t.same(out.at(-1)!.time, 't5');
  t.ok(alternates(out));
});
