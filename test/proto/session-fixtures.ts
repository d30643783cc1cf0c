// Shared fixtures for the session machine tests (not a test file itself).

import {
  createSession,
  step,
  type Session,
  type SessionAction,
  type SessionEvent,
  type SessionParams,
} from '../../src/proto/session/index.js';
import type { Encapsulation, Pdu } from '../../src/proto/types.js';
import { FakeClock } from '../helpers/fake-clock.js';

export const LOCAL_ID = '0102030405060708090a';
export const PEER_ID = '0b0c0d0e0f1011121314';
export const PEER_MAC = '02:00:00:00:00:0b';

export const V4: Encapsulation[] = [{ address: '10.0.0.1', prefixLength: 31, primary: true, loopback: false }];
export const V4_NEW: Encapsulation[] = [{ address: '10.0.0.3', prefixLength: 31, primary: true, loopback: false }];
export const V6: Encapsulation[] = [{ address: '2001:db8::1', prefixLength: 128, primary: false, loopback: true }];

export function params(over: Partial<SessionParams> = {}): SessionParams {
  return {
    ifname: 'eth1',
    peerMac: PEER_MAC,
    localId: LOCAL_ID,
    nonceSeed: 42,
    announced: { IPV4_ENCAPSULATION: V4, IPV6_ENCAPSULATION: V6 },
    timing: { retransmitInitialInterval: 1, retransmitExponentialBackoff: true, retransmitMaxDrop: 3,
      keepaliveSendInterval: 1, keepaliveReceiveTimeout: 60 },
    ...over,
  };
}

export const rx = (pdu: Pdu): SessionEvent => ({ type: 'pdu-received', pdu });
export const peerOpen = (nonce = 'cafe0001'): Pdu => ({ type: 'OPEN', nonce, localId: PEER_ID, attributes: '' });
export const ackOf = (ackType: number, errorType = 0, errorCode = 0, errorHint = 0): Pdu =>
  ({ type: 'ACK', ackType, errorType, errorCode, errorHint });

/** One line per non-log action, so a case reads like the protocol. */
export function summarize(actions: SessionAction[]): string[] {
  return actions.flatMap((a): string[] => {
    switch (a.type) {
      case 'send':
        return [a.pdu.type === 'ACK' ? `send ACK(${a.pdu.ackType}/${a.pdu.errorType})` : `send ${a.pdu.type}`];
      case 'arm-timer':
        return [`arm ${a.name} @${a.at}`];
      case 'cancel-timer':
        return [`cancel ${a.name}`];
      case 'session-up':
        return [`up ${a.peerId}`];
      case 'session-down':
        return [`down ${a.reason}${a.wasOpen ? '' : ' (not open)'}`];
      case 'report':
        return [`report ${a.pdu.type} ${a.pdu.encaps.map((e) => e.address).join(',')}`];
      case 'withdraw':
        return [`withdraw ${a.types.length}`];
      case 'vendor-received':
        return [`vendor ${a.pdu.enterpriseNumber}`];
      case 'log':
        return [];
    }
  });
}

export interface Run {
  session: Session;
  actions: SessionAction[];
}

/** Step through events at the given times; returns the last state and all actions. */
export function drive(session: Session, events: [number, SessionEvent][]): Run {
  const actions: SessionAction[] = [];
  for (const [now, event] of events) {
    const r = step(session, event, now);
    session = r.session;
    actions.push(...r.actions);
  }
  return { session, actions };
}

/** A session that has sent its OPEN after the peer's HELLO at t=0. */
export function opening(over: Partial<SessionParams> = {}): Session {
  return drive(createSession(params(over), 0), [[0, rx({ type: 'HELLO' })]]).session;
}

/** A session opened at t=0.2: HELLO, peer OPEN, ACK of our OPEN. */
export function opened(over: Partial<SessionParams> = {}): Session {
  return drive(opening(over), [
    [0.1, rx(peerOpen())],
    [0.2, rx(ackOf(1))],
  ]).session;
}

/** An opened session whose four encapsulation PDUs have all been ACKed (t=0.3). */
export function settled(over: Partial<SessionParams> = {}): Session {
  return drive(opened(over), [4, 5, 6, 7].map((t): [number, SessionEvent] => [0.3, rx(ackOf(t))])).session;
}

/**
 * One session driven like the daemon would, against a fake clock: arm/cancel actions
 * become scheduled timer-fired events; everything the machine does is recorded.
 */
export class Runner {
  readonly clock: FakeClock;
  readonly log: { at: number; action: SessionAction }[] = [];

  constructor(
    public session: Session,
    start = 0,
  ) {
    this.clock = new FakeClock(start);
  }

  feed(event: SessionEvent): SessionAction[] {
    const r = step(this.session, event, this.clock.now);
    this.session = r.session;
    for (const action of r.actions) {
      this.log.push({ at: this.clock.now, action });
      if (action.type === 'arm-timer') {
        const name = action.name;
        this.clock.schedule(name, action.at, () => this.feed({ type: 'timer-fired', name }));
      } else if (action.type === 'cancel-timer') {
        this.clock.cancel(action.name);
      }
    }
    return r.actions;
  }

  /** Replay the timers the session believes are armed (for a session built by `drive`). */
  adoptTimers(): this {
    for (const [name, at] of Object.entries(this.session.timers)) {
      const n = name as keyof Session['timers'];
      this.clock.schedule(n, at, () => this.feed({ type: 'timer-fired', name: n }));
    }
    return this;
  }

  at(time: number, event: SessionEvent): SessionAction[] {
    this.clock.advanceTo(time);
    return this.feed(event);
  }

  since(time: number): { at: number; action: SessionAction }[] {
    return this.log.filter((l) => l.at >= time);
  }
}
