// Behaviour of one session over several events: OPEN handling, the acked-PDU send
// slots, ACK errors, and what is reported northbound.
import t from 'tap';
import {
  createSession,
  step,
  type Session,
  type SessionAction,
} from '../../src/proto/session/index.js';
import type { OpenPdu, Pdu, VendorPdu } from '../../src/proto/types.js';
import {
  ackOf,
  drive,
  opened,
  opening,
  params,
  PEER_ID,
  peerOpen,
  rx,
  settled,
  summarize,
  V4,
  V4_NEW,
  V6,
} from './session-fixtures.js';

const sent = (actions: SessionAction[]): Pdu[] =>
  actions.flatMap((a) => (a.type === 'send' ? [a.pdu] : []));
const ourOpen = (actions: SessionAction[]): OpenPdu => {
  const open = sent(actions).find((p): p is OpenPdu => p.type === 'OPEN');
  if (!open) throw new Error('no OPEN sent');
  return open;
};

t.test('OPEN carries our Local ID, attributes and a nonce drawn from the seed', async (t) => {
  const first = step(createSession(params({ attributes: '0102' }), 0), rx({ type: 'HELLO' }), 0);
  const open = ourOpen(first.actions);
  t.equal(open.localId, params().localId);
  t.equal(open.attributes, '0102');
  t.match(open.nonce, /^[0-9a-f]{8}$/);
  t.equal(first.session.nonce, open.nonce, 'the session remembers its nonce');
  const again = step(createSession(params({ attributes: '0102' }), 0), rx({ type: 'HELLO' }), 0);
  t.equal(ourOpen(again.actions).nonce, open.nonce, 'same seed, same nonce: step is deterministic');
  const other = step(createSession(params({ nonceSeed: 7 }), 0), rx({ type: 'HELLO' }), 0);
  t.not(ourOpen(other.actions).nonce, open.nonce, 'another seed, another nonce');
});

t.test('a duplicate OPEN is ACKed again, while opening and once open', async (t) => {
  const r = drive(opening(), [
    [0.1, rx(peerOpen())],
    [0.5, rx(peerOpen())],
    [0.6, rx(ackOf(1))],
    [2, rx(peerOpen())],
  ]);
  t.strictSame(
    sent(r.actions).filter((p) => p.type === 'ACK').map((p) => (p.type === 'ACK' ? p.ackType : -1)),
    [1, 1, 1],
    'every copy of the OPEN is ACKed',
  );
  t.equal(r.session.phase, 'open');
  t.notOk(r.actions.some((a) => a.type === 'session-down'), 'no teardown');
  t.equal(r.actions.filter((a) => a.type === 'session-up').length, 1, 'up once');
});

t.test('an OPEN with a new nonce restarts the session with a fresh nonce of ours', async (t) => {
  const before = settled();
  const restart = step(before, rx(peerOpen('cafe0002')), 5);
  t.strictSame(
    restart.actions.filter((a) => a.type === 'session-down'),
    [{ type: 'session-down', reason: 'peer-restarted', wasOpen: true }],
  );
  t.ok(restart.actions.some((a) => a.type === 'withdraw'), 'what was reported is withdrawn');
  const newOpen = ourOpen(restart.actions);
  t.not(newOpen.nonce, before.nonce, 'our new OPEN has a new nonce');
  t.equal(restart.session.peerNonce, 'cafe0002', 'the new OPEN is the start of the new session');
  const reopened = step(restart.session, rx(ackOf(1)), 5.1);
  t.equal(reopened.session.phase, 'open');
  t.strictSame(
    sent(reopened.actions).map((p) => p.type),
    ['IPV4_ENCAPSULATION', 'IPV6_ENCAPSULATION', 'MPLS_IPV4_ENCAPSULATION', 'MPLS_IPV6_ENCAPSULATION'],
    'encapsulations announced again after the restart',
  );
});

t.test('same-type PDUs wait behind the one in flight; only the newest waits', async (t) => {
  const v4x = [{ address: '10.9.9.9', prefixLength: 32, primary: false, loopback: true }];
  const r = drive(settled(), [
    [1, { type: 'local-encaps-changed', announced: { IPV4_ENCAPSULATION: V4_NEW } }],
    [1.1, { type: 'local-encaps-changed', announced: { IPV4_ENCAPSULATION: V4 } }],
    [1.2, { type: 'local-encaps-changed', announced: { IPV4_ENCAPSULATION: v4x } }],
    [1.3, { type: 'local-encaps-changed', announced: { IPV6_ENCAPSULATION: [] } }],
  ]);
  const wire = sent(r.actions);
  t.strictSame(wire.map((p) => p.type), ['IPV4_ENCAPSULATION', 'IPV6_ENCAPSULATION'],
    'one IPv4 in flight; IPv6 is another type and does not wait');
  t.strictSame(r.session.slots.IPV4_ENCAPSULATION?.waiting, { type: 'IPV4_ENCAPSULATION', encaps: v4x },
    'the newest replaced the older waiting one');
  const acked = step(r.session, rx(ackOf(4)), 1.5);
  t.strictSame(sent(acked.actions), [{ type: 'IPV4_ENCAPSULATION', encaps: v4x }], 'the newest goes out on the ACK');
  t.ok(summarize(acked.actions).includes('arm retransmit:IPV4_ENCAPSULATION @2.5'), 'with its own retransmit timer');
  const done = step(acked.session, rx(ackOf(4)), 1.6);
  t.strictSame(sent(done.actions), [], 'nothing else was waiting');
  t.equal(done.session.slots.IPV4_ENCAPSULATION?.inFlight, null);
});

t.test('a received duplicate encapsulation is ACKed again but reported once', async (t) => {
  const r = drive(settled(), [
    [1, rx({ type: 'IPV4_ENCAPSULATION', encaps: V4 })],
    [2, rx({ type: 'IPV4_ENCAPSULATION', encaps: V4 })],
    [3, rx({ type: 'IPV4_ENCAPSULATION', encaps: V4_NEW })],
  ]);
  t.strictSame(summarize(r.actions), [
    'send ACK(4/0)', 'report IPV4_ENCAPSULATION 10.0.0.1',
    'send ACK(4/0)',
    'send ACK(4/0)', 'report IPV4_ENCAPSULATION 10.0.0.3',
  ]);
  t.strictSame(r.session.learned.IPV4_ENCAPSULATION, V4_NEW);
});

t.test('encapsulations received after the peer OPEN but before ours is ACKed are reported on open', async (t) => {
  const r = drive(opening(), [
    [0.1, rx(peerOpen())],
    [0.15, rx({ type: 'IPV6_ENCAPSULATION', encaps: V6 })],
    [0.2, rx(ackOf(1))],
  ]);
  const s = summarize(r.actions);
  t.ok(s.indexOf(`up ${PEER_ID}`) < s.indexOf('report IPV6_ENCAPSULATION 2001:db8::1'), 'reported after session-up');
  t.equal(s.filter((l) => l.startsWith('report')).length, 1);
});

t.test('ACK errors', async (t) => {
  t.test('WARNING is logged and the PDU counts as delivered', async (t) => {
    const r = step(opened(), rx(ackOf(4, 1, 1, 99)), 0.5);
    t.equal(r.session.phase, 'open');
    t.ok(r.actions.some((a) => a.type === 'log' && a.level === 'warning' && /hint 99/.test(a.message)));
    t.equal(r.session.slots.IPV4_ENCAPSULATION?.inFlight, null);
    t.equal(r.session.counters.errors, 1);
  });
  t.test('RESTART restarts the session', async (t) => {
    const before = opened();
    const r = step(before, rx(ackOf(5, 2, 1, 0)), 0.5);
    t.strictSame(r.actions.filter((a) => a.type === 'session-down'),
      [{ type: 'session-down', reason: 'restart-requested', wasOpen: true }]);
    t.equal(r.session.phase, 'opening');
    t.not(ourOpen(r.actions).nonce, before.nonce, 'a new OPEN with a new nonce');
    t.equal(r.session.peerNonce, null, 'the peer has to open again too');
  });
  t.test('HOPELESS closes and keeps the session closed until link down', async (t) => {
    const r = drive(opened(), [
      [0.5, rx(ackOf(1, 3, 2, 0))],
    ]);
    // an ACK of OPEN while OPEN is not in flight still carries the peer's verdict
    t.equal(r.session.phase, 'hopeless');
    t.ok(r.actions.some((a) => a.type === 'log' && a.level === 'error'), 'logged for an operator');
    const later = drive(r.session, [
      [10, rx({ type: 'HELLO' })],
      [11, rx(peerOpen('cafe0003'))],
      [12, rx({ type: 'KEEPALIVE' })],
    ]);
    t.strictSame(summarize(later.actions), [], 'the peer cannot reopen it');
    t.equal(later.session.phase, 'hopeless');
    t.equal(later.session.counters.rxPdus, r.session.counters.rxPdus + 3, 'but its PDUs are counted');
    const relinked = drive(later.session, [
      [20, { type: 'link-down' }],
      [30, rx({ type: 'HELLO' })],
    ]);
    t.equal(relinked.session.phase, 'opening', 'after link down the next HELLO opens again');
    t.ok(sent(relinked.actions).some((p) => p.type === 'OPEN'));
  });
});

t.test('VENDOR: one in flight, newest waiting, delivered on receipt', async (t) => {
  const v = (n: number): VendorPdu => ({ type: 'VENDOR', enterpriseNumber: n, enterpriseType: 0, data: '' });
  const r = drive(settled(), [
    [1, { type: 'send-vendor', pdu: v(1) }],
    [1, { type: 'send-vendor', pdu: v(2) }],
    [1, { type: 'send-vendor', pdu: v(3) }],
    [1.5, rx(ackOf(255))],
  ]);
  t.strictSame(sent(r.actions).map((p) => (p.type === 'VENDOR' ? p.enterpriseNumber : -1)), [1, 3]);
});

t.test('counters and times', async (t) => {
  const s: Session = settled();
  t.equal(s.counters.rxPdus, 7);
  t.equal(s.counters.txPdus, 6, 'OPEN, ACK, four encapsulations');
  t.equal(s.lastHeard, 0.3);
  t.equal(s.since, 0.2, 'open since the ACK of our OPEN');
});
