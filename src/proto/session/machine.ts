// The session state machine: createSession and step. See index.ts for how the runtime
// drives it, types.ts for the events and actions, receive.ts / timers.ts for behaviour.

import { ENCAPSULATION_TYPES, type Encapsulation, type EncapsulationTypeName } from '../types.js';
import { StepContext } from './context.js';
import { onPdu } from './receive.js';
import { onTimer } from './timers.js';
import type { AnnouncedEncapsSet, Session, SessionEvent, SessionParams, StepResult } from './types.js';
import { resolveTiming } from './util.js';

/** A new, idle session: it starts when the peer's first PDU is stepped into it. */
export function createSession(params: SessionParams, now: number): Session {
  return {
    ifname: params.ifname,
    peerMac: params.peerMac.toLowerCase(),
    localId: params.localId.toLowerCase(),
    attributes: (params.attributes ?? '').toLowerCase(),
    timing: resolveTiming(params.timing),
    phase: 'idle',
    since: now,
    lastHeard: null,
    nonce: null,
    rng: params.nonceSeed >>> 0,
    ourOpenAcked: false,
    peerNonce: null,
    peerId: null,
    peerAttributes: null,
    announced: mergeAnnounced(emptyAnnounced(), params.announced ?? {}),
    lastAnnounced: {},
    learned: {},
    slots: {},
    timers: {},
    counters: { txPdus: 0, rxPdus: 0, retransmits: 0, errors: 0 },
  };
}

/** Apply one event. Pure: the input session is not modified. */
export function step(session: Session, event: SessionEvent, now: number): StepResult {
  const ctx = new StepContext(session, now);
  const s = ctx.s;
  switch (event.type) {
    case 'pdu-received':
      onPdu(ctx, event.pdu);
      break;
    case 'timer-fired':
      onTimer(ctx, event.name);
      break;
    case 'link-down':
      if (s.phase === 'hopeless') ctx.log('info', 'link down clears the hopeless marker');
      ctx.teardown('link-down', 'idle');
      break;
    case 'close':
      // An operator close keeps a hopeless session hopeless; only `reset` clears it.
      if (s.phase !== 'hopeless') ctx.teardown('admin', 'idle');
      break;
    case 'reset':
      if (s.phase === 'hopeless') {
        ctx.log('info', 'hopeless marker cleared by operator');
        ctx.setPhase('idle');
      }
      break;
    case 'local-encaps-changed':
      s.announced = mergeAnnounced(s.announced, event.announced);
      if (s.phase === 'open') {
        for (const type of ENCAPSULATION_TYPES) {
          if (event.announced[type] !== undefined) ctx.announce(type, s.announced[type]);
        }
      }
      break;
    case 'send-vendor':
      if (s.phase === 'open') ctx.sendAcked('VENDOR', event.pdu);
      else ctx.log('warning', `VENDOR for enterprise ${event.pdu.enterpriseNumber} dropped: session not open`);
      break;
  }
  return ctx.result();
}

type AnnouncedRecord = Record<EncapsulationTypeName, readonly Encapsulation[]>;

function emptyAnnounced(): AnnouncedRecord {
  return { IPV4_ENCAPSULATION: [], IPV6_ENCAPSULATION: [], MPLS_IPV4_ENCAPSULATION: [], MPLS_IPV6_ENCAPSULATION: [] };
}

function mergeAnnounced(base: Readonly<AnnouncedRecord>, update: AnnouncedEncapsSet): AnnouncedRecord {
  const merged = { ...base };
  for (const type of ENCAPSULATION_TYPES) {
    const list = update[type];
    if (list !== undefined) merged[type] = [...list];
  }
  return merged;
}
