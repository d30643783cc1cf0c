// Strangers cannot pin the session table: hopeless and never-opened sessions age out
// after mac-address-cache-timeout, and make room for a real neighbour when it is full.
import t from 'tap';
import { MemorySegment, type MemoryLink } from '../../src/io/memory-link.js';
import { FakeClock } from '../../src/daemon/clock.js';
import { agedOut, evictionVictim, type AgeableSession } from '../../src/daemon/eviction.js';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { encodePdu } from '../../src/proto/pdu/index.js';
import { ErrorType, PduType, type Pdu } from '../../src/proto/types.js';
import { makeNode, run, settle } from './harness.js';

const A = { ifname: 'eth0', mac: '02:00:00:00:00:0a', localId: '0a'.repeat(10) };
const B = { ifname: 'eth1', mac: '02:00:00:00:00:0b', localId: '0b'.repeat(10) };

/** Sends `pdu` to A as if from `src` (the memory link would use its own MAC). */
function spoof(segment: MemorySegment, attacker: MemoryLink, src: string, pdu: Pdu): void {
  for (const f of splitPdu(encodePdu(pdu))) segment.transmit(attacker, buildEthernet(A.mac, src, 0x88b5, f));
}

/** The attack of the review: HELLO from a spoofed MAC, then an ACK saying HOPELESS. */
async function hopelessFrom(segment: MemorySegment, attacker: MemoryLink, src: string): Promise<void> {
  spoof(segment, attacker, src, { type: 'HELLO' });
  await settle();
  spoof(segment, attacker, src, { type: 'ACK', ackType: PduType.OPEN, errorType: ErrorType.HOPELESS, errorCode: 0, errorHint: 0 });
  await settle();
}

t.test('hopeless sessions age out after mac-address-cache-timeout', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const a = makeNode(clock, segment, { ...A, flags: { 'mac-address-cache-timeout': '30' } });
  await settle();
  const attacker = segment.attach('evil', '02:ee:00:00:00:01');
  await hopelessFrom(segment, attacker, '02:ee:00:00:00:02');
  t.equal(a.core.counters().sessionsHopeless, 1, 'the attack made a hopeless session');
  await run(clock, 20, 1);
  t.equal(a.core.counters().sessionsHopeless, 1, 'kept while younger than the timeout');
  await run(clock, 20, 1);
  const c = a.core.counters();
  t.equal(c.sessions, 0, 'forgotten after the timeout');
  t.equal(c.sessionsAgedOut, 1, 'and counted');
  a.core.stop();
});

t.test('0 turns ageing off', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const a = makeNode(clock, segment, { ...A, flags: { 'mac-address-cache-timeout': '0' } });
  await settle();
  await hopelessFrom(segment, segment.attach('evil', '02:ee:00:00:00:01'), '02:ee:00:00:00:02');
  await run(clock, 400, 5);
  t.equal(a.core.counters().sessionsHopeless, 1);
  a.core.stop();
});

t.test('a full interface of hopeless sessions still admits a real neighbour', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const a = makeNode(clock, segment, { ...A, flags: { 'max-sessions-per-interface': '3' } });
  await settle();
  const attacker = segment.attach('evil', '02:ee:00:00:00:01');
  for (let i = 0; i < 3; i++) await hopelessFrom(segment, attacker, `02:ee:00:00:01:0${i}`);
  t.equal(a.core.counters().sessionsHopeless, 3, 'the interface is full of hopeless sessions');
  const b = makeNode(clock, segment, B);
  await run(clock, 3);
  t.same(
    a.core.sessions().filter((s) => s.peerMac === B.mac).map((s) => s.state),
    ['open'],
    'the real neighbour took a hopeless session’s place',
  );
  const c = a.core.counters();
  t.equal(c.sessionsEvicted, 1, 'one eviction');
  t.equal(c.sessionsHopeless, 2);
  t.equal(c.sessionsRefusedBy['max-sessions-per-interface'] ?? 0, 0, 'nobody refused');
  a.core.stop();
  b.core.stop();
});

t.test('a full table of never-opened strangers admits a real neighbour; open sessions are never evicted', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const flags = { 'max-sessions': '3', 'max-sessions-per-interface': '10' };
  const a = makeNode(clock, segment, { ...A, flags });
  const b = makeNode(clock, segment, B);
  await run(clock, 3);
  const attacker = segment.attach('evil', '02:ee:00:00:00:01');
  spoof(segment, attacker, '02:ee:00:00:02:01', { type: 'HELLO' });
  await run(clock, 0.5);
  spoof(segment, attacker, '02:ee:00:00:02:02', { type: 'HELLO' });
  await settle();
  t.equal(a.core.counters().sessionsOpening, 2, 'two strangers opening, the table is full');
  // a third stranger takes the place of the stalest stranger, not B's
  spoof(segment, attacker, '02:ee:00:00:02:03', { type: 'HELLO' });
  await settle();
  const macs = a.core.sessions().map((s) => s.peerMac).sort();
  t.same(macs, [B.mac, '02:ee:00:00:02:02', '02:ee:00:00:02:03'], 'the stalest never-opened session went');
  t.equal(a.core.counters().sessionsEvicted, 1);
  t.same(a.core.sessions().find((s) => s.peerMac === B.mac)?.state, 'open', 'the open session stays');
  a.core.stop();
  b.core.stop();
});

t.test('an interface full of open sessions refuses a newcomer', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const a = makeNode(clock, segment, { ...A, flags: { 'max-sessions-per-interface': '1' } });
  const b = makeNode(clock, segment, B);
  await run(clock, 3);
  spoof(segment, segment.attach('evil', '02:ee:00:00:00:01'), '02:ee:00:00:03:01', { type: 'HELLO' });
  await settle();
  const c = a.core.counters();
  t.equal(c.sessionsRefusedBy['max-sessions-per-interface'], 1);
  t.equal(c.sessionsEvicted, 0);
  t.same(a.core.sessions().map((s) => [s.peerMac, s.state]), [[B.mac, 'open']]);
  a.core.stop();
  b.core.stop();
});

function entry(number: number, phase: AgeableSession['s']['phase'], heard: number | null, everOpen = false): AgeableSession {
  return { ifname: 'eth0', number, everOpen, s: { phase, since: 100, lastHeard: heard } };
}

t.test('the eviction order: hopeless, then the stalest never-opened; never an open or once-open one', async (t) => {
  const open = entry(1, 'open', 50, true);
  const reopening = entry(2, 'opening', 10, true);
  const stranger = entry(3, 'opening', 120);
  const staleStranger = entry(4, 'opening', null); // never heard: since 100
  const hopeless = entry(5, 'hopeless', 190);
  t.equal(evictionVictim([open, reopening, stranger, staleStranger, hopeless]), hopeless);
  t.equal(evictionVictim([open, reopening, stranger, staleStranger]), staleStranger);
  t.equal(evictionVictim([open, reopening]), null);
  // hopeless since 100: the frames it ignores (lastHeard 190) do not keep it
  t.same(agedOut([open, reopening, stranger, staleStranger, hopeless], 100, 215), [reopening, staleStranger, hopeless]);
  t.same(agedOut([open, hopeless], 0, 1e9), [], '0 = never');
});
