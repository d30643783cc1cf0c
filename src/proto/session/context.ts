// The working state of one `step`: a shallow copy of the session that is updated by
// replacing nested records (never mutating them, so the caller's session is untouched),
// plus the list of actions produced so far. Helpers here are the machine's vocabulary.
// Counters and timers, touched on every KEEPALIVE, are copied once per step, on the
// first write, and then updated in that copy (issue 10: a copy with a computed key per
// write made a KEEPALIVE step allocate ~1.1 KB; the caller's records stay untouched).

import {
  ENCAPSULATION_TYPES,
  type Encapsulation,
  type EncapsulationTypeName,
  type Pdu,
} from '../types.js';
import { formatLocalId } from '../local-id.js';
import { nextNonce } from './nonce.js';
import { nextKeepaliveDue } from './timers.js';
import type {
  AckedTypeName,
  CloseReason,
  LogLevel,
  Session,
  SessionAction,
  SendSlot,
  TimerName,
} from './types.js';

/** The longest retransmission delay, seconds: below 2^31-1 ms, the longest timer Node holds. */
export const MAX_RETRANSMIT_DELAY = 2_000_000;

type Draft = { -readonly [K in keyof Session]: Session[K] };
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class StepContext {
  // (declared, not defined: fields emitted as definitions cost V8 an initialiser call per step)
  declare readonly s: Draft;
  declare readonly now: number;
  declare readonly actions: SessionAction[];
  /** this step's own copies of the session's counters and timers (null: not yet written) */
  private declare counters: Mutable<Session['counters']> | null;
  private declare timers: Mutable<Session['timers']> | null;

  constructor(session: Session, now: number) {
    this.s = copySession(session);
    this.now = now;
    this.actions = [];
    this.counters = null;
    this.timers = null;
  }

  // ---- primitive actions -------------------------------------------------------

  log(level: LogLevel, message: string): void {
    this.actions.push({ type: 'log', level, message: `${this.s.ifname} ${this.s.peerMac}: ${message}` });
  }

  send(pdu: Pdu): void {
    this.actions.push({ type: 'send', pdu, dst: this.s.peerMac });
    this.count('txPdus');
  }

  count(counter: keyof Session['counters'], by = 1): void {
    if (this.counters === null) {
      const c = this.s.counters;
      // (field by field, as copySession: one shape)
      this.s.counters = this.counters = { txPdus: c.txPdus, rxPdus: c.rxPdus, retransmits: c.retransmits, errors: c.errors };
    }
    this.counters[counter] += by;
  }

  /** The step's own timers record, copied on the first write. */
  private ownTimers(): Mutable<Session['timers']> {
    if (this.timers === null) this.s.timers = this.timers = { ...this.s.timers };
    return this.timers;
  }

  arm(name: TimerName, at: number): void {
    this.ownTimers()[name] = at;
    this.actions.push({ type: 'arm-timer', name, at });
  }

  cancel(name: TimerName): void {
    if (this.s.timers[name] === undefined) return;
    this.forget(name);
    this.actions.push({ type: 'cancel-timer', name });
  }

  /** Drop a timer from the state without an action (it has just fired). */
  forget(name: TimerName): void {
    if (this.s.timers[name] === undefined) return;
    delete this.ownTimers()[name];
  }

  setPhase(phase: Session['phase']): void {
    this.s.phase = phase;
    this.s.since = this.now;
  }

  // ---- acked PDUs: one in flight per type, the newest one waiting --------------

  slot(type: AckedTypeName): SendSlot {
    return this.s.slots[type] ?? { inFlight: null, waiting: null };
  }

  setSlot(type: AckedTypeName, slot: SendSlot): void {
    this.s.slots = { ...this.s.slots, [type]: slot };
  }

  /** Send now if nothing of this type is in flight, otherwise wait (replacing an older waiter). */
  sendAcked(type: AckedTypeName, pdu: Pdu): void {
    const slot = this.slot(type);
    if (slot.inFlight) {
      if (slot.waiting) this.log('debug', `newer ${type} replaces the one waiting`);
      this.setSlot(type, { inFlight: slot.inFlight, waiting: pdu });
      return;
    }
    this.transmit(type, pdu, 1);
  }

  /** Put an acked PDU on the wire as send number `sends` and arm its retransmit timer. */
  transmit(type: AckedTypeName, pdu: Pdu, sends: number): void {
    const t = this.s.timing;
    const factor = t.retransmitExponentialBackoff ? 2 ** (sends - 1) : 1;
    // capped: a long backoff (max-drop 100) must stay a number a runtime timer can hold
    const retransmitAt = this.now + Math.min(t.retransmitInitialInterval * factor, MAX_RETRANSMIT_DELAY);
    this.send(pdu);
    this.setSlot(type, { inFlight: { pdu, sends, retransmitAt }, waiting: this.slot(type).waiting });
    this.arm(`retransmit:${type}`, retransmitAt);
  }

  /** The ACK for `type` came: free the slot and let the waiting PDU go. */
  acknowledged(type: AckedTypeName): void {
    const waiting = this.slot(type).waiting;
    this.setSlot(type, { inFlight: null, waiting: null });
    this.cancel(`retransmit:${type}`);
    if (waiting) this.transmit(type, waiting, 1);
  }

  // ---- session lifecycle ---------------------------------------------------------

  /** Begin a new session start: fresh nonce, nothing exchanged yet. Sends nothing. */
  begin(): void {
    const draw = nextNonce(this.s.rng, this.s.nonce);
    this.s.rng = draw.rng;
    this.s.nonce = draw.nonce;
    this.s.ourOpenAcked = false;
    this.s.peerNonce = null;
    this.s.peerId = null;
    this.s.peerAttributes = null;
    this.s.slots = {};
    this.s.learned = {};
    this.s.lastAnnounced = {};
    this.setPhase('opening');
    const timeout = this.s.timing.keepaliveReceiveTimeout;
    if (timeout > 0) this.arm('keepalive-receive', (this.s.lastHeard ?? this.now) + timeout);
    this.log('info', `session starting, nonce ${draw.nonce}`);
  }

  /** Send our OPEN unless it is already acked or in flight. */
  ensureOurOpen(): void {
    if (this.s.ourOpenAcked || this.slot('OPEN').inFlight || this.s.nonce === null) return;
    this.sendAcked('OPEN', {
      type: 'OPEN',
      nonce: this.s.nonce,
      localId: this.s.localId,
      attributes: this.s.attributes,
    });
  }

  /** Open = our OPEN acked and the peer's OPEN received. */
  maybeOpen(): void {
    const s = this.s;
    if (s.phase !== 'opening' || !s.ourOpenAcked || s.peerNonce === null || s.peerId === null) return;
    this.setPhase('open');
    this.log('info', `session open with ${formatLocalId(s.peerId)}`);
    this.actions.push({ type: 'session-up', peerId: s.peerId, peerAttributes: s.peerAttributes ?? '' });
    // What the peer sent while we were still opening was held; report it now.
    for (const type of ENCAPSULATION_TYPES) {
      const encaps = s.learned[type];
      if (encaps) this.actions.push({ type: 'report', pdu: { type, encaps: [...encaps] }, peerId: s.peerId });
    }
    for (const type of ENCAPSULATION_TYPES) this.announce(type, s.announced[type]);
    this.arm('keepalive-send', nextKeepaliveDue(this.now, s.timing.keepaliveSendInterval));
  }

  /** Queue our encapsulation of `type` unless the peer already has (or will get) this content. */
  announce(type: EncapsulationTypeName, encaps: readonly Encapsulation[]): void {
    const last = this.s.lastAnnounced[type];
    if (last && sameEncaps(last, encaps)) return;
    this.s.lastAnnounced = { ...this.s.lastAnnounced, [type]: encaps };
    this.sendAcked(type, { type, encaps: [...encaps] });
  }

  /**
   * Close the running start: session-down (always, with wasOpen), withdraw what was
   * reported (only an open session reported anything), every timer cancelled.
   */
  teardown(reason: CloseReason, next: 'idle' | 'hopeless'): void {
    const s = this.s;
    const wasOpen = s.phase === 'open';
    if (s.phase === 'opening' || s.phase === 'open') {
      this.log(reason === 'admin' ? 'info' : 'warning', `session closed: ${reason}`);
      this.actions.push({ type: 'session-down', reason, wasOpen });
      if (wasOpen) this.actions.push({ type: 'withdraw', types: [...ENCAPSULATION_TYPES], peerId: s.peerId });
    }
    for (const name of Object.keys(s.timers) as TimerName[]) this.cancel(name);
    s.ourOpenAcked = false;
    s.peerNonce = null;
    s.peerId = null;
    s.peerAttributes = null;
    s.slots = {};
    s.learned = {};
    s.lastAnnounced = {};
    this.setPhase(next);
  }

  result(): { session: Session; actions: SessionAction[] } {
    return { session: this.s, actions: this.actions };
  }
}

/**
 * A shallow copy of a session, field by field in createSession's order: every copy
 * then has one shape. `{ ...session }` was a third of a KEEPALIVE step (cpu-prof of an
 * in-process pair): sessions whose fields changed representation (null → number or
 * string) had different hidden classes, and the spread went to V8's slow path.
 */
function copySession(s: Session): Draft {
  return {
    ifname: s.ifname,
    peerMac: s.peerMac,
    localId: s.localId,
    attributes: s.attributes,
    timing: s.timing,
    phase: s.phase,
    since: s.since,
    lastHeard: s.lastHeard,
    nonce: s.nonce,
    rng: s.rng,
    ourOpenAcked: s.ourOpenAcked,
    peerNonce: s.peerNonce,
    peerId: s.peerId,
    peerAttributes: s.peerAttributes,
    announced: s.announced,
    lastAnnounced: s.lastAnnounced,
    learned: s.learned,
    slots: s.slots,
    timers: s.timers,
    counters: s.counters,
  };
}

/** Same list of encapsulations, in the same order (order is what goes on the wire). */
export function sameEncaps(a: readonly Encapsulation[], b: readonly Encapsulation[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i]!;
    return (
      x.address === y.address &&
      x.prefixLength === y.prefixLength &&
      x.primary === y.primary &&
      x.loopback === y.loopback &&
      (x.labels ?? []).join(',') === (y.labels ?? []).join(',')
    );
  });
}
