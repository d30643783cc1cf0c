// The Admission gate under a fake clock: frames that must never be trusted, restart
// hold-down, encapsulation caps, the operator's clearSessions, and HOPELESS ageing.
// Hostile frames are spoofed onto the segment from MACs other than the genuine peer's,
// while a genuine peer core shares the segment; its session must never restart.
import t, { type Test } from 'tap';
import { MemorySegment, type MemoryLink } from '../../src/io/memory-link.js';
import { FakeClock } from '../../src/daemon/clock.js';
import { buildEthernet, parseEthernet } from '../../src/proto/ethernet.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { decodeFrame } from '../../src/proto/frame.js';
import { decodePdu, encodePdu } from '../../src/proto/pdu/index.js';
import { ErrorType, PduType, type Encapsulation, type Pdu } from '../../src/proto/types.js';
import { iface, makeNode, run, settle, type Node } from './harness.js';

const A = { ifname: 'eth0', mac: '02:00:00:00:00:0a', localId: '0a'.repeat(10), addrs: ['10.0.0.1/31'] };
const B = { ifname: 'eth1', mac: '02:00:00:00:00:0b', localId: '0b'.repeat(10), addrs: ['10.0.0.0/31'] };
const EVIL = '02:ee:00:00:00:01';

function spoof(segment: MemorySegment, attacker: MemoryLink, src: string, pdu: Pdu, dst = A.mac): void {
  for (const f of splitPdu(encodePdu(pdu))) segment.transmit(attacker, buildEthernet(dst, src, 0x88b5, f));
}

/** Every PDU A put on the wire since `from`: [dst, type]. */
function sentByA(segment: MemorySegment, from = 0): Array<[string, string]> {
  return segment.wire.slice(from).filter((w) => w.from === A.ifname).map((w) => {
    const eth = parseEthernet(w.frame);
    return [eth.dst, decodePdu(decodeFrame(eth.payload).payload).type];
  });
}

/** A and a genuine peer B, open; plus a link for the attacker. */
async function withGenuinePeer(flags: Record<string, string> = {}) {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const a = makeNode(clock, segment, { ...A, flags });
  const b = makeNode(clock, segment, B);
  await run(clock, 3);
  const attacker = segment.attach('evil', '02:ee:ff:ff:ff:ff');
  return { clock, segment, a, b, attacker };
}

function genuineHeld(t: Test, a: Node, b: Node): void {
  t.same(a.core.sessions().filter((s) => s.peerMac === B.mac).map((s) => s.state), ['open'], 'the genuine session is open');
  t.equal(a.events.filter((e) => e.event === 'session-up' && e.peerMac === B.mac).length, 1, 'A brought it up once');
  t.equal(a.events.filter((e) => e.event === 'session-down').length, 0, 'A never took it down');
  t.equal(b.events.filter((e) => e.event === 'session-down').length, 0, 'B never took it down');
}

t.test('frames from group, zero or own source MACs are dropped, counted and never answered', async (t) => {
  const { clock, segment, a, b, attacker } = await withGenuinePeer();
  // our MAC on another interface (down): a frame from it is ours coming back, or a spoof
  const OTHER_OWN = '02:00:00:00:00:99';
  a.setTable([...a.table, iface('dummy0', OTHER_OWN, [], false)]);
  const mark = segment.wire.length;
  const sources: Array<[string, string]> = [
    ['ff:ff:ff:ff:ff:ff', 'group-source'],
    ['01:80:c2:00:00:0e', 'group-source'],
    ['01:00:5e:00:00:01', 'group-source'],
    ['00:00:00:00:00:00', 'zero-source'],
    [OTHER_OWN, 'own-source'],
  ];
  for (const [src] of sources) {
    spoof(segment, attacker, src, { type: 'HELLO' });
    spoof(segment, attacker, src, { type: 'OPEN', nonce: 'deadbeef', localId: 'ee'.repeat(10), attributes: '' });
  }
  await run(clock, 5);
  t.same(a.core.sessions().map((s) => s.peerMac), [B.mac], 'no session for any of them');
  const c = a.core.counters();
  t.same(c.framesDroppedBy, { 'group-source': 6, 'zero-source': 2, 'own-source': 2 });
  t.equal(c.framesDropped, 10);
  const toGroups = sentByA(segment, mark).filter(([dst]) => dst !== B.mac);
  t.same(toGroups.filter(([, type]) => type !== 'HELLO'), [], 'A sent nothing but HELLO to anyone but B');
  genuineHeld(t, a, b);
  a.core.stop();
  b.core.stop();
});

t.test('a frame to another group than the HELLO group is not for us', async (t) => {
  const { clock, segment, a, b, attacker } = await withGenuinePeer();
  spoof(segment, attacker, EVIL, { type: 'HELLO' }, '01:00:5e:00:00:fb');
  await run(clock, 2);
  t.same(a.core.counters().framesDroppedBy, { 'not-for-us': 1 });
  t.same(a.core.sessions().map((s) => s.peerMac), [B.mac]);
  spoof(segment, attacker, EVIL, { type: 'HELLO' }, 'ff:ff:ff:ff:ff:ff');
  await run(clock, 1);
  t.same(a.core.sessions().map((s) => s.peerMac).sort(), [B.mac, EVIL].sort(), 'broadcast is addressed to us too');
  a.core.stop();
  b.core.stop();
});

t.test('restarts beyond restart-limit hold the neighbour down; the operator releases it', async (t) => {
  const { clock, segment, a, b, attacker } = await withGenuinePeer();
  const open = (nonce: number): Pdu => ({ type: 'OPEN', nonce: nonce.toString(16).padStart(8, '0'), localId: 'ee'.repeat(10), attributes: '' });
  // 300 new-nonce OPENs in one second
  for (let i = 1; i <= 300; i++) {
    spoof(segment, attacker, EVIL, open(i));
    if (i % 10 === 0) await settle(2);
  }
  await settle();
  const c = a.core.counters();
  t.equal(c.sessionRestarts, 6, 'five restarts carried out, the sixth earned the hold-down');
  t.equal(c.holdDowns, 1, 'held down once');
  t.ok(c.framesDroppedBy['held-down']! >= 290, `the rest dropped unread (${c.framesDroppedBy['held-down']})`);
  const mark = segment.wire.length;
  const held = a.core.sessions().filter((s) => s.peerMac === EVIL);
  t.match(held, [{ state: 'held-down', ifname: A.ifname, until: String }]);
  const lines = a.log.lines.filter((l) => l.level !== 'debug').length;
  t.ok(lines < 40, `few log lines for 300 restarts (${lines})`);
  t.equal(a.log.lines.filter((l) => /held down/.test(l.message)).length, 1, 'the hold-down is logged once');
  for (let i = 301; i <= 320; i++) spoof(segment, attacker, EVIL, open(i));
  await run(clock, 1);
  t.same(sentByA(segment, mark).filter(([dst]) => dst === EVIL), [], 'nothing sent to a held-down neighbour');
  genuineHeld(t, a, b);

  t.equal(a.core.clearSessions({ peerMac: EVIL }), 1, 'the operator releases it');
  t.equal(a.core.counters().holdDownsReleased, 1);
  spoof(segment, attacker, EVIL, open(999));
  await run(clock, 1);
  t.match(a.core.sessions().filter((s) => s.peerMac === EVIL), [{ state: 'opening' }], 'it may open again');

  await run(clock, 40);
  t.same(a.core.sessions().filter((s) => s.state === 'held-down'), [], 'nothing held down');
  genuineHeld(t, a, b);
  a.core.stop();
  b.core.stop();
});

t.test('a hold-down ends by itself after restart-hold-down', async (t) => {
  const { clock, segment, a, b, attacker } = await withGenuinePeer({ 'restart-limit': '2', 'restart-hold-down': '10' });
  for (let i = 1; i <= 4; i++) {
    spoof(segment, attacker, EVIL, { type: 'ACK', ackType: PduType.OPEN, errorType: ErrorType.RESTART, errorCode: 0, errorHint: 0 });
    if (i === 1) spoof(segment, attacker, EVIL, { type: 'HELLO' });
    await settle();
  }
  t.equal(a.core.counters().holdDowns, 1, 'RESTART ACKs count as restarts');
  await run(clock, 9);
  t.equal(a.core.counters().sessionsHeldDown, 1, 'still held down');
  await run(clock, 2);
  t.equal(a.core.counters().sessionsHeldDown, 0, 'released after 10 s');
  genuineHeld(t, a, b);
  a.core.stop();
  b.core.stop();
});

t.test('clearSessions restarts matching sessions and says how many', async (t) => {
  const { clock, a, b } = await withGenuinePeer();
  t.equal(a.core.clearSessions({ ifname: 'nope' }), 0);
  t.equal(a.core.clearSessions({ ifname: A.ifname }), 1);
  t.equal(a.core.counters().sessionsCleared, 1);
  await run(clock, 5);
  t.same(a.core.sessions().map((s) => s.state), ['open'], 'reopened when the peer next spoke');
  a.core.stop();
  b.core.stop();
});

function v4(n: number): Encapsulation[] {
  return Array.from({ length: n }, (_, i) => ({ address: `10.${(i >> 8) & 255}.${i & 255}.1`, prefixLength: 32, primary: false, loopback: false }));
}

/** Opens a session from `src` blindly: OPEN, then an ACK of type OPEN it never had to see. */
async function blindOpen(segment: MemorySegment, attacker: MemoryLink, src: string): Promise<void> {
  spoof(segment, attacker, src, { type: 'OPEN', nonce: '00c0ffee', localId: 'ee'.repeat(10), attributes: '' });
  await settle();
  spoof(segment, attacker, src, { type: 'ACK', ackType: PduType.OPEN, errorType: 0, errorCode: 0, errorHint: 0 });
  await settle();
}

t.test('max-encapsulations-per-type keeps the first entries, counts, warns once per session', async (t) => {
  const { clock, segment, a, b, attacker } = await withGenuinePeer({ 'max-encapsulations-per-type': '100' });
  await blindOpen(segment, attacker, EVIL);
  t.match(a.core.sessions().find((s) => s.peerMac === EVIL), { state: 'open' }, 'the blind open works (the protocol cannot tell)');
  spoof(segment, attacker, EVIL, { type: 'IPV4_ENCAPSULATION', encaps: v4(2000) });
  await settle();
  spoof(segment, attacker, EVIL, { type: 'IPV4_ENCAPSULATION', encaps: v4(1999) });
  await run(clock, 2);
  const learned = a.core.learnedEncaps().find((l) => l.peerMac === EVIL && l.type === 'IPV4_ENCAPSULATION');
  t.same(learned?.encaps, v4(100), 'the first 100 kept');
  t.equal(a.core.counters().encapsTruncatedPerType, 1900 + 1899);
  t.equal(a.log.lines.filter((l) => /keeping the first 100/.test(l.message)).length, 1, 'warned once');
  genuineHeld(t, a, b);
  a.core.stop();
  b.core.stop();
});

t.test('max-encapsulation-bytes-per-interface: strangers cannot take a genuine peer’s share', async (t) => {
  // 65536 octets = 10922 IPv4 entries for the interface; 3 sessions: a fair share is 3640 entries
  const { clock, segment, a, b, attacker } = await withGenuinePeer({ 'max-encapsulation-bytes-per-interface': '65536', 'max-encapsulations-per-type': '10000' });
  for (const src of ['02:ee:00:00:00:01', '02:ee:00:00:00:02']) {
    await blindOpen(segment, attacker, src);
    spoof(segment, attacker, src, { type: 'IPV4_ENCAPSULATION', encaps: v4(10000) });
    await settle();
  }
  const held = a.core.counters().learnedEncapsBytes;
  t.ok(held <= 2 * 65536, `within twice the budget (${held} octets)`);
  t.ok(a.core.counters().encapsTruncatedPerInterface > 0, 'truncation counted');
  b.setTable([{ ...b.table[0]!, addresses: [...b.table[0]!.addresses, ...v4(50).map((e) => ({ family: 'inet' as const, address: e.address, prefixLength: 32, scope: 'global', secondary: true, tentative: false }))] }]);
  await run(clock, 3);
  const genuine = a.core.learnedEncaps().find((l) => l.peerMac === B.mac && l.type === 'IPV4_ENCAPSULATION');
  t.equal(genuine?.encaps.length, 51, 'the genuine peer’s 51 addresses are all kept');
  genuineHeld(t, a, b);
  a.core.stop();
  b.core.stop();
});

t.test('a HOPELESS neighbour that keeps talking is still aged out', async (t) => {
  const { clock, segment, a, b, attacker } = await withGenuinePeer({ 'mac-address-cache-timeout': '30' });
  spoof(segment, attacker, EVIL, { type: 'HELLO' });
  await settle();
  spoof(segment, attacker, EVIL, { type: 'ACK', ackType: PduType.OPEN, errorType: ErrorType.HOPELESS, errorCode: 0, errorHint: 0 });
  await settle();
  t.match(a.core.sessions().find((s) => s.peerMac === EVIL), { state: 'hopeless' }, 'shown as hopeless');
  for (let i = 0; i < 40; i++) {
    spoof(segment, attacker, EVIL, { type: 'KEEPALIVE' });
    await run(clock, 1);
  }
  t.not(a.core.sessions().find((s) => s.peerMac === EVIL)?.state, 'hopeless', 'no longer pinned hopeless');
  t.equal(a.core.counters().sessionsAgedOut, 1, 'aged out 30 s after it became hopeless');
  genuineHeld(t, a, b);
  a.core.stop();
  b.core.stop();
});
