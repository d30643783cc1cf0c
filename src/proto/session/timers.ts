// What a fired timer does to a session. Timer deadlines are kept in the session, so a
// stale fire (cancelled or re-armed after the runtime queued it) is recognised and dropped.

import type { KeepalivePdu } from '../types.js';
import type { StepContext } from './context.js';
import type { AckedTypeName, TimerName } from './types.js';

/** The KEEPALIVE every open session sends every interval: one value (it has no fields). */
export const KEEPALIVE: Readonly<KeepalivePdu> = Object.freeze({ type: 'KEEPALIVE' });

export function onTimer(ctx: StepContext, name: TimerName): void {
  const at = ctx.s.timers[name];
  if (at === undefined) {
    ctx.log('debug', `stale timer ${name} ignored`);
    return;
  }
  if (ctx.now < at) {
    ctx.arm(name, at); // fired early (clock conversion): wait for the real deadline
    return;
  }
  // (keepalive-send is re-armed over itself while open: no forget, no copy without it)
  if (name === 'keepalive-send') return keepaliveSend(ctx, at);
  ctx.forget(name); // it has fired: nothing left for the runtime to cancel
  if (name === 'keepalive-receive') return keepaliveReceive(ctx);
  return retransmit(ctx, name.slice('retransmit:'.length) as AckedTypeName);
}

/**
 * The next KEEPALIVE is due one interval after this one was due, not after it fired: a
 * runtime that fires timers a little late (the daemon's timer slack) keeps the period on
 * average. After a long stall (due time already past) the next multiple of the interval.
 */
function keepaliveSend(ctx: StepContext, dueAt: number): void {
  if (ctx.s.phase !== 'open') return ctx.forget('keepalive-send');
  ctx.send(KEEPALIVE);
  const interval = ctx.s.timing.keepaliveSendInterval;
  const next = dueAt + interval;
  ctx.arm('keepalive-send', next > ctx.now ? next : nextKeepaliveDue(ctx.now, interval));
}

/**
 * KEEPALIVEs are due on multiples of the interval (on the session's clock), whenever the
 * session opened: every session of a daemon then sends in the same turn, and a peer
 * running the same code sends its burst at once too, so that the receiver reads it in
 * one round (issue 10). The first comes within one interval of opening, never later.
 */
export function nextKeepaliveDue(now: number, interval: number): number {
  if (!(interval > 0)) return now + interval;
  const next = Math.ceil(now / interval) * interval;
  return next > now ? next : next + interval;
}

function keepaliveReceive(ctx: StepContext): void {
  const s = ctx.s;
  const timeout = s.timing.keepaliveReceiveTimeout;
  if (timeout <= 0 || (s.phase !== 'opening' && s.phase !== 'open')) return;
  // Re-armed lazily: received PDUs only move lastHeard, the deadline is checked here.
  const deadline = (s.lastHeard ?? s.since) + timeout;
  if (ctx.now < deadline) {
    ctx.arm('keepalive-receive', deadline);
    return;
  }
  ctx.teardown('keepalive-timeout', 'idle');
}

function retransmit(ctx: StepContext, type: AckedTypeName): void {
  const inFlight = ctx.slot(type).inFlight;
  if (!inFlight) return;
  if (inFlight.sends >= ctx.s.timing.retransmitMaxDrop) {
    ctx.count('errors');
    ctx.log('warning', `${type} unanswered after ${inFlight.sends} sends`);
    ctx.teardown('retransmit-exhausted', 'idle');
    return;
  }
  ctx.count('retransmits');
  ctx.log('debug', `retransmitting ${type} (send ${inFlight.sends + 1})`);
  ctx.transmit(type, inFlight.pdu, inFlight.sends + 1);
}
