// (state, event) → (state, actions), one row per protocol rule of PROTOCOL.md section 5.
import t from 'tap';
import {
  createSession,
  step,
  type Session,
  type SessionEvent,
} from '../../src/proto/session/index.js';
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
} from './session-fixtures.js';

const idle = (): Session => createSession(params(), 0);
const openingWithPeerOpen = (): Session => drive(opening(), [[0.1, rx(peerOpen())]]).session;
const hopeless = (): Session => drive(opening(), [[0.5, rx(ackOf(1, 3, 2, 0))]]).session;

interface Case {
  name: string;
  from: () => Session;
  now: number;
  event: SessionEvent;
  phase: Session['phase'];
  actions: string[];
  counters?: Partial<Session['counters']>;
}

const allEncaps = (at: number): string[] =>
  ['IPV4_ENCAPSULATION', 'IPV6_ENCAPSULATION', 'MPLS_IPV4_ENCAPSULATION', 'MPLS_IPV6_ENCAPSULATION'].flatMap(
    (type) => [`send ${type}`, `arm retransmit:${type} @${at}`],
  );

const cases: Case[] = [
  { name: 'HELLO on an idle session sends OPEN', from: idle, now: 0, event: rx({ type: 'HELLO' }),
    phase: 'opening', actions: ['arm keepalive-receive @60', 'send OPEN', 'arm retransmit:OPEN @1'] },
  { name: 'KEEPALIVE on an idle session sends OPEN', from: idle, now: 5, event: rx({ type: 'KEEPALIVE' }),
    phase: 'opening', actions: ['arm keepalive-receive @65', 'send OPEN', 'arm retransmit:OPEN @6'] },
  { name: 'OPEN on an idle session: ACK it, then our OPEN', from: idle, now: 0, event: rx(peerOpen()),
    phase: 'opening', actions: ['arm keepalive-receive @60', 'send ACK(1/0)', 'send OPEN', 'arm retransmit:OPEN @1'] },
  { name: 'HELLO while our OPEN is in flight sends nothing', from: opening, now: 0.5, event: rx({ type: 'HELLO' }),
    phase: 'opening', actions: [] },
  { name: 'peer OPEN while ours is in flight: ACK only', from: opening, now: 0.1, event: rx(peerOpen()),
    phase: 'opening', actions: ['send ACK(1/0)'] },
  // the first KEEPALIVE is due on the next multiple of the interval (every session's phase)
  { name: 'ACK of our OPEN after the peer OPEN opens and announces', from: openingWithPeerOpen, now: 0.2,
    event: rx(ackOf(1)), phase: 'open',
    actions: ['cancel retransmit:OPEN', `up ${PEER_ID}`, ...allEncaps(1.2), 'arm keepalive-send @1'] },
  { name: 'ACK of our OPEN before the peer OPEN: still opening', from: opening, now: 0.2, event: rx(ackOf(1)),
    phase: 'opening', actions: ['cancel retransmit:OPEN'] },
  { name: 'duplicate OPEN (same nonce) on an open session is ACKed again', from: settled, now: 2,
    event: rx(peerOpen()), phase: 'open', actions: ['send ACK(1/0)'] },
  { name: 'OPEN with a new nonce: peer restarted, tear down and start over', from: settled, now: 2,
    event: rx(peerOpen('cafe0002')), phase: 'opening',
    actions: ['down peer-restarted', 'withdraw 4', 'cancel keepalive-receive', 'cancel keepalive-send',
      'arm keepalive-receive @62', 'send ACK(1/0)', 'send OPEN', 'arm retransmit:OPEN @3'] },
  { name: 'ACK with nothing in flight is ignored', from: settled, now: 1, event: rx(ackOf(4)),
    phase: 'open', actions: [], counters: { errors: 0 } },
  { name: 'ACK of a type that is never acked is an error', from: settled, now: 1, event: rx(ackOf(2)),
    phase: 'open', actions: [], counters: { errors: 1 } },
  { name: 'encapsulation on an open session: ACK and report', from: settled, now: 1,
    event: rx({ type: 'IPV4_ENCAPSULATION', encaps: V4 }), phase: 'open',
    actions: ['send ACK(4/0)', 'report IPV4_ENCAPSULATION 10.0.0.1'] },
  { name: 'encapsulation before the peer OPEN is not ACKed', from: opening, now: 0.5,
    event: rx({ type: 'IPV4_ENCAPSULATION', encaps: V4 }), phase: 'opening', actions: [] },
  { name: 'encapsulation on an idle session starts it, without ACK', from: idle, now: 0,
    event: rx({ type: 'IPV6_ENCAPSULATION', encaps: [] }), phase: 'opening',
    actions: ['arm keepalive-receive @60', 'send OPEN', 'arm retransmit:OPEN @1'] },
  { name: 'encapsulation after the peer OPEN, before ours is ACKed: ACK, hold', from: openingWithPeerOpen,
    now: 0.15, event: rx({ type: 'IPV4_ENCAPSULATION', encaps: V4 }), phase: 'opening', actions: ['send ACK(4/0)'] },
  { name: 'VENDOR on an open session: ACK and hand over', from: settled, now: 1,
    event: rx({ type: 'VENDOR', enterpriseNumber: 32473, enterpriseType: 1, data: '00' }), phase: 'open',
    actions: ['send ACK(255/0)', 'vendor 32473'] },
  { name: 'UNKNOWN is ignored and counted', from: settled, now: 1,
    event: rx({ type: 'UNKNOWN', typeCode: 9, raw: '090003' }), phase: 'open', actions: [],
    counters: { errors: 1, rxPdus: 8 } }, // 7 to settle + this one
  { name: 'link down closes an open session at once', from: settled, now: 3, event: { type: 'link-down' },
    phase: 'idle', actions: ['down link-down', 'withdraw 4', 'cancel keepalive-receive', 'cancel keepalive-send'] },
  { name: 'close on an opening session', from: opening, now: 0.5, event: { type: 'close' }, phase: 'idle',
    actions: ['down admin (not open)', 'cancel keepalive-receive', 'cancel retransmit:OPEN'] },
  { name: 'close on an idle session does nothing', from: idle, now: 1, event: { type: 'close' }, phase: 'idle',
    actions: [] },
  { name: 'keepalive-send timer sends KEEPALIVE and re-arms', from: settled, now: 1.2,
    event: { type: 'timer-fired', name: 'keepalive-send' }, phase: 'open',
    actions: ['send KEEPALIVE', 'arm keepalive-send @2'] },
  { name: 'a timer that is not armed is stale and ignored', from: opening, now: 5,
    event: { type: 'timer-fired', name: 'keepalive-send' }, phase: 'opening', actions: [] },
  { name: 'a timer fired early is re-armed for its deadline', from: opening, now: 0.5,
    event: { type: 'timer-fired', name: 'retransmit:OPEN' }, phase: 'opening', actions: ['arm retransmit:OPEN @1'] },
  { name: 'changed local encapsulation is re-sent', from: settled, now: 4,
    event: { type: 'local-encaps-changed', announced: { IPV4_ENCAPSULATION: V4_NEW } }, phase: 'open',
    actions: ['send IPV4_ENCAPSULATION', 'arm retransmit:IPV4_ENCAPSULATION @5'] },
  { name: 'unchanged local encapsulation is not re-sent', from: settled, now: 4,
    event: { type: 'local-encaps-changed', announced: { IPV4_ENCAPSULATION: V4 } }, phase: 'open', actions: [] },
  { name: 'local encapsulation change while opening is only remembered', from: opening, now: 0.5,
    event: { type: 'local-encaps-changed', announced: { IPV4_ENCAPSULATION: V4_NEW } }, phase: 'opening', actions: [] },
  { name: 'send-vendor on an open session sends it', from: settled, now: 1,
    event: { type: 'send-vendor', pdu: { type: 'VENDOR', enterpriseNumber: 1, enterpriseType: 2, data: '' } },
    phase: 'open', actions: ['send VENDOR', 'arm retransmit:VENDOR @2'] },
  { name: 'send-vendor before open is dropped', from: opening, now: 0.5,
    event: { type: 'send-vendor', pdu: { type: 'VENDOR', enterpriseNumber: 1, enterpriseType: 2, data: '' } },
    phase: 'opening', actions: [] },
  { name: 'ACK WARNING: logged, PDU counts as acknowledged', from: opening, now: 0.5, event: rx(ackOf(1, 1, 1, 7)),
    phase: 'opening', actions: ['cancel retransmit:OPEN'], counters: { errors: 1 } },
  { name: 'ACK RESTART: the session restarts with a new OPEN', from: opening, now: 0.5, event: rx(ackOf(1, 2, 1, 0)),
    phase: 'opening',
    actions: ['down restart-requested (not open)', 'cancel keepalive-receive', 'cancel retransmit:OPEN',
      'arm keepalive-receive @60.5', 'send OPEN', 'arm retransmit:OPEN @1.5'], counters: { errors: 1 } },
  { name: 'ACK HOPELESS on an open session: closed and kept closed', from: () => drive(opened(), []).session, now: 0.5,
    event: rx(ackOf(4, 3, 1, 0)), phase: 'hopeless',
    actions: ['down hopeless', 'withdraw 4', 'cancel keepalive-receive', 'cancel retransmit:IPV4_ENCAPSULATION',
      'cancel retransmit:IPV6_ENCAPSULATION', 'cancel retransmit:MPLS_IPV4_ENCAPSULATION',
      'cancel retransmit:MPLS_IPV6_ENCAPSULATION', 'cancel keepalive-send'] },
  { name: 'hopeless ignores HELLO', from: hopeless, now: 2, event: rx({ type: 'HELLO' }), phase: 'hopeless', actions: [] },
  { name: 'hopeless ignores a new OPEN', from: hopeless, now: 2, event: rx(peerOpen('cafe0009')), phase: 'hopeless',
    actions: [] },
  { name: 'hopeless stays hopeless on close', from: hopeless, now: 2, event: { type: 'close' }, phase: 'hopeless',
    actions: [] },
  { name: 'link down clears hopeless', from: hopeless, now: 2, event: { type: 'link-down' }, phase: 'idle', actions: [] },
  { name: 'operator reset clears hopeless', from: hopeless, now: 2, event: { type: 'reset' }, phase: 'idle', actions: [] },
  { name: 'reset on a live session does nothing', from: settled, now: 2, event: { type: 'reset' }, phase: 'open', actions: [] },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const before = c.from();
    const frozen = JSON.stringify(before);
    const r = step(before, c.event, c.now);
    t.equal(r.session.phase, c.phase, 'phase');
    t.strictSame(summarize(r.actions), c.actions, 'actions');
    for (const [k, v] of Object.entries(c.counters ?? {})) {
      t.equal(r.session.counters[k as keyof Session['counters']], v, `counter ${k}`);
    }
    t.equal(JSON.stringify(before), frozen, 'the input session is not modified');
    for (const a of r.actions) if (a.type === 'send') t.equal(a.dst, before.peerMac, 'sent to the peer');
  });
}
