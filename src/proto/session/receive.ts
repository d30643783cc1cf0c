// What a received PDU does to a session (PROTOCOL.md section 5).

import {
  ACKED_TYPES,
  ErrorType,
  PduType,
  PduTypeNames,
  type AckPdu,
  type EncapsulationPdu,
  type OpenPdu,
  type Pdu,
  type VendorPdu,
} from '../types.js';
import { sameEncaps, type StepContext } from './context.js';
import type { AckedTypeName } from './types.js';

export function onPdu(ctx: StepContext, pdu: Pdu): void {
  const s = ctx.s;
  ctx.count('rxPdus');
  s.lastHeard = ctx.now;
  if (s.phase === 'hopeless') {
    // Kept closed until link down or an operator reset: the peer told us it is hopeless.
    ctx.log('debug', `${pdu.type} ignored: session is hopeless`);
    return;
  }
  switch (pdu.type) {
    case 'HELLO':
    case 'KEEPALIVE':
      if (s.phase === 'idle') ctx.begin();
      if (s.phase === 'opening') ctx.ensureOurOpen();
      return;
    case 'OPEN':
      return onOpen(ctx, pdu);
    case 'ACK':
      return onAck(ctx, pdu);
    case 'IPV4_ENCAPSULATION':
    case 'IPV6_ENCAPSULATION':
    case 'MPLS_IPV4_ENCAPSULATION':
    case 'MPLS_IPV6_ENCAPSULATION':
      if (acceptAcked(ctx, pdu)) onEncapsulation(ctx, pdu);
      return;
    case 'VENDOR':
      if (acceptAcked(ctx, pdu)) onVendor(ctx, pdu);
      return;
    case 'UNKNOWN':
      ctx.count('errors');
      ctx.log('warning', `ignoring PDU of unknown type ${pdu.typeCode}`);
      return;
  }
}

function ack(ctx: StepContext, typeCode: number): void {
  ctx.send({ type: 'ACK', ackType: typeCode, errorType: 0, errorCode: 0, errorHint: 0 });
}

function onOpen(ctx: StepContext, pdu: OpenPdu): void {
  const s = ctx.s;
  if (s.peerNonce !== null && pdu.nonce === s.peerNonce) {
    // Our ACK was lost and the peer retransmits: ACK again (the reference does not,
    // and so loses sessions whose first ACK was dropped).
    ctx.log('debug', 'duplicate OPEN, ACKed again');
    ack(ctx, PduType.OPEN);
    return;
  }
  if (s.peerNonce !== null) {
    ctx.log('info', `peer restarted (nonce ${s.peerNonce} → ${pdu.nonce})`);
    ctx.teardown('peer-restarted', 'idle');
  }
  if (s.phase === 'idle') ctx.begin();
  if (pdu.localId === s.localId) ctx.log('warning', `peer uses our own Local ID ${pdu.localId}`);
  if (pdu.auth) ctx.log('warning', 'OPEN carries authentication data, not checked');
  s.peerNonce = pdu.nonce;
  s.peerId = pdu.localId;
  s.peerAttributes = pdu.attributes;
  ack(ctx, PduType.OPEN); // before our own OPEN: the peer sees its OPEN acknowledged first
  ctx.ensureOurOpen();
  ctx.maybeOpen();
}

function onAck(ctx: StepContext, pdu: AckPdu): void {
  const s = ctx.s;
  const name = PduTypeNames[pdu.ackType];
  if (name === undefined || !ACKED_TYPES.has(pdu.ackType)) {
    ctx.count('errors');
    ctx.log('warning', `ACK of type ${pdu.ackType}, which is never acknowledged`);
    return;
  }
  const type = name as AckedTypeName;
  const error = `error type ${pdu.errorType} code ${pdu.errorCode} hint ${pdu.errorHint}`;
  if (pdu.errorType === ErrorType.RESTART) {
    ctx.count('errors');
    ctx.log('warning', `peer asks for a restart (ACK of ${type}, ${error})`);
    ctx.teardown('restart-requested', 'idle');
    ctx.begin();
    ctx.ensureOurOpen();
    return;
  }
  if (pdu.errorType === ErrorType.HOPELESS) {
    ctx.count('errors');
    ctx.log('error', `peer says hopeless (ACK of ${type}, ${error}); session kept closed until link down or reset`);
    ctx.teardown('hopeless', 'hopeless');
    return;
  }
  if (!ctx.slot(type).inFlight) {
    // A duplicated or late ACK: harmless.
    ctx.log('debug', `ACK of ${type} with nothing in flight, ignored`);
    return;
  }
  if (pdu.errorType !== ErrorType.NO_ERROR) {
    // WARNING (or a type we do not know): the PDU did arrive; note it and carry on.
    ctx.count('errors');
    ctx.log('warning', `ACK of ${type} carries a warning (${error})`);
  }
  ctx.acknowledged(type);
  if (type === 'OPEN') {
    s.ourOpenAcked = true;
    ctx.maybeOpen();
  }
}

/**
 * Acked PDUs other than OPEN are only taken once the peer's OPEN of this start has been
 * received (the draft sends them after the OPEN exchange). Before that the peer thinks a
 * session exists that we do not have: we do not ACK (it retransmits) and, when idle, we
 * start one, so our OPEN with a new nonce makes the peer restart too. Between the peer's
 * OPEN and our OPEN's ACK (the peer is already open; only its ACK to us is late) we ACK
 * and hold the content until we open, where the reference drops it unacked.
 */
function acceptAcked(ctx: StepContext, pdu: EncapsulationPdu | VendorPdu): boolean {
  const s = ctx.s;
  if (s.peerNonce !== null) return true;
  ctx.log('info', `${pdu.type} before the peer's OPEN, not acknowledged`);
  if (s.phase === 'idle') {
    ctx.begin();
    ctx.ensureOurOpen();
  }
  return false;
}

function onEncapsulation(ctx: StepContext, pdu: EncapsulationPdu): void {
  const s = ctx.s;
  ack(ctx, PduType[pdu.type]);
  const previous = s.learned[pdu.type];
  if (previous && sameEncaps(previous, pdu.encaps)) {
    ctx.log('debug', `${pdu.type} unchanged (a retransmission), ACKed again`);
    return;
  }
  s.learned = { ...s.learned, [pdu.type]: pdu.encaps };
  if (s.phase === 'open') ctx.actions.push({ type: 'report', pdu, peerId: s.peerId });
}

function onVendor(ctx: StepContext, pdu: VendorPdu): void {
  ack(ctx, PduType.VENDOR);
  // At least once: a retransmission whose ACK was lost is delivered again.
  ctx.actions.push({ type: 'vendor-received', pdu });
}
