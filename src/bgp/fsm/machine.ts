// RFC 4271 section 8.2.2, for a speaker that only connects out (no collision
// detection, no passive open): one function per state, each taking the event and
// returning the next state and the actions. Unexpected messages get the RFC 6608
// FSM error; decode errors get the NOTIFICATION the decoder chose.
import { CEASE_SUB, ERR, FSM_SUB } from '../wire/errors.js';
import { AFI_LS, SAFI_LS } from '../wire/constants.js';
import { notificationText } from '../wire/notification.js';
import { buildOpen, peerAsOf, validateOpen, type OpenMessage } from '../wire/open.js';
import type { FsmAction, FsmEvent, FsmParams, FsmState, PeerInfo, StepResult, TimerName } from './types.js';

export function initialState(p: FsmParams, now: number): FsmState {
  return { name: 'idle', since: now, retryDelay: p.connectRetryFirst, holdTime: p.holdTime, peer: null, lastError: null };
}

/** RFC 4271 section 10: a timer's value times a factor uniform in [0.75, 1]. */
export function jittered(p: FsmParams, seconds: number): number {
  const r = p.random?.() ?? 1;
  return seconds * (0.75 + 0.25 * Math.min(1, Math.max(0, r)));
}

const ALL_TIMERS: TimerName[] = ['connect-retry', 'hold', 'keepalive'];
const clearAll = (): FsmAction[] => ALL_TIMERS.map((name) => ({ type: 'clear-timer', name }));

function enter(s: FsmState, name: FsmState['name'], now: number, patch: Partial<FsmState> = {}): FsmState {
  return { ...s, ...patch, name, since: s.name === name ? s.since : now };
}

function ourOpen(p: FsmParams): OpenMessage {
  return buildOpen(p.asn, p.holdTime, p.routerId, [
    { kind: 'multiprotocol', afi: AFI_LS, safi: SAFI_LS },
    { kind: 'route-refresh' },
    { kind: 'four-octet-as', asn: p.asn },
  ]);
}

function notification(code: number, subcode: number, data: Buffer = Buffer.alloc(0)): FsmAction {
  return { type: 'send', message: { type: 'NOTIFICATION', code, subcode, data: data.toString('hex') } };
}

/** Connection gone (after a NOTIFICATION or not): wait, then try again, the wait doubling. */
function retryLater(s: FsmState, p: FsmParams, now: number, reason: string, before: FsmAction[] = []): StepResult {
  const wasUp = s.name === 'open-sent' || s.name === 'open-confirm' || s.name === 'established';
  return {
    state: enter(s, 'active', now, { retryDelay: Math.min(s.retryDelay * 2, p.connectRetryMax), peer: null, lastError: reason }),
    actions: [
      ...before,
      { type: 'close' },
      ...clearAll(),
      { type: 'set-timer', name: 'connect-retry', at: now + jittered(p, s.retryDelay) },
      ...(wasUp ? [{ type: 'down', reason } as FsmAction] : []),
    ],
  };
}

/** Sends a NOTIFICATION and drops the connection. */
function fail(s: FsmState, p: FsmParams, now: number, code: number, subcode: number, reason: string, data?: Buffer): StepResult {
  return retryLater(s, p, now, `sent ${notificationText(code, subcode)}: ${reason}`, [notification(code, subcode, data)]);
}

function connecting(s: FsmState, p: FsmParams, now: number): StepResult {
  return {
    state: enter(s, 'connect', now),
    actions: [{ type: 'connect' }, { type: 'set-timer', name: 'connect-retry', at: now + jittered(p, s.retryDelay) }],
  };
}

function holdArmed(now: number, hold: number): FsmAction[] {
  return hold > 0 ? [{ type: 'set-timer', name: 'hold', at: now + hold }] : [];
}

/** Events every connected state treats alike; null when the state must decide. */
function common(s: FsmState, e: FsmEvent, p: FsmParams, now: number): StepResult | null {
  switch (e.type) {
    case 'tcp-closed':
      return retryLater(s, p, now, e.reason);
    case 'malformed':
      return fail(s, p, now, e.code, e.subcode, e.reason, e.data);
    case 'timer':
      if (e.name === 'hold') return fail(s, p, now, ERR.holdTimer, 0, s.name === 'open-sent' ? `no OPEN within ${p.holdTime} s` : `nothing heard for ${s.holdTime} s`);
      if (e.name === 'keepalive' && s.holdTime > 0) {
        return { state: s, actions: [{ type: 'send', message: { type: 'KEEPALIVE' } }, { type: 'set-timer', name: 'keepalive', at: now + jittered(p, s.holdTime / 3) }] };
      }
      return { state: s, actions: [] };
    case 'message':
      if (e.message.type === 'NOTIFICATION') {
        return retryLater(s, p, now, `received ${notificationText(e.message.code, e.message.subcode)}${e.message.data ? ` (data ${e.message.data})` : ''}`);
      }
      return null;
    default:
      return null;
  }
}

function fsmError(s: FsmState, p: FsmParams, now: number, sub: number, what: string): StepResult {
  return fail(s, p, now, ERR.fsm, sub, `unexpected ${what} in ${s.name}`);
}

function openSent(s: FsmState, e: FsmEvent, p: FsmParams, now: number): StepResult {
  if (e.type !== 'message') return { state: s, actions: [] };
  const m = e.message;
  if (m.type !== 'OPEN') return fsmError(s, p, now, FSM_SUB.openSent, m.type);
  const bad = validateOpen(m, p.peerAsn);
  if (bad !== null) return fail(s, p, now, bad.code, bad.subcode, bad.message, bad.data);
  const hold = Math.min(p.holdTime, m.holdTime);
  const peer: PeerInfo = {
    bgpId: m.bgpId,
    asn: peerAsOf(m),
    linkState: m.capabilities.some((c) => c.kind === 'multiprotocol' && c.afi === AFI_LS && c.safi === SAFI_LS),
    routeRefresh: m.capabilities.some((c) => c.kind === 'route-refresh'),
  };
  return {
    state: enter(s, 'open-confirm', now, { holdTime: hold, peer }),
    actions: [
      { type: 'send', message: { type: 'KEEPALIVE' } },
      { type: 'clear-timer', name: 'hold' },
      ...holdArmed(now, hold),
      ...(hold > 0 ? [{ type: 'set-timer', name: 'keepalive', at: now + jittered(p, hold / 3) } as FsmAction] : []),
    ],
  };
}

function openConfirm(s: FsmState, e: FsmEvent, p: FsmParams, now: number): StepResult {
  if (e.type !== 'message') return { state: s, actions: [] };
  const m = e.message;
  if (m.type !== 'KEEPALIVE') return fsmError(s, p, now, FSM_SUB.openConfirm, m.type);
  return {
    state: enter(s, 'established', now, { retryDelay: p.connectRetryFirst, lastError: null }),
    actions: [...holdArmed(now, s.holdTime), { type: 'established', peer: s.peer! }],
  };
}

function established(s: FsmState, e: FsmEvent, p: FsmParams, now: number): StepResult {
  if (e.type !== 'message') return { state: s, actions: [] };
  const m = e.message;
  if (m.type === 'OPEN') return fsmError(s, p, now, FSM_SUB.established, m.type);
  const actions = holdArmed(now, s.holdTime);
  if (m.type === 'UPDATE') actions.push({ type: 'update-received' });
  if (m.type === 'ROUTE_REFRESH' && m.afi === AFI_LS && m.safi === SAFI_LS) actions.push({ type: 'refresh' });
  return { state: s, actions };
}

export function step(s: FsmState, e: FsmEvent, p: FsmParams, now: number): StepResult {
  if (e.type === 'stop') {
    const up = s.name === 'open-sent' || s.name === 'open-confirm' || s.name === 'established';
    return {
      state: enter(s, 'idle', now, { peer: null, retryDelay: p.connectRetryFirst, lastError: s.name === 'idle' ? s.lastError : 'stopped' }),
      actions: [
        ...(up ? [notification(ERR.cease, e.subcode ?? CEASE_SUB.adminShutdown)] : []),
        ...(s.name === 'idle' ? [] : [{ type: 'close' } as FsmAction]),
        ...clearAll(),
        ...(up ? [{ type: 'down', reason: 'stopped' } as FsmAction] : []),
      ],
    };
  }
  switch (s.name) {
    case 'idle':
      return e.type === 'start' ? connecting(s, p, now) : { state: s, actions: [] };
    case 'active':
      return e.type === 'timer' && e.name === 'connect-retry' ? connecting(s, p, now) : { state: s, actions: [] };
    case 'connect':
      if (e.type === 'tcp-connected') {
        return {
          state: enter(s, 'open-sent', now),
          actions: [
            { type: 'clear-timer', name: 'connect-retry' },
            { type: 'send', message: ourOpen(p) },
            // RFC 4271 suggests 4 minutes here; a silent peer is given up on after our hold time.
            { type: 'set-timer', name: 'hold', at: now + p.holdTime },
          ],
        };
      }
      if (e.type === 'tcp-closed') return retryLater(s, p, now, e.reason);
      if (e.type === 'timer' && e.name === 'connect-retry') {
        const next = retryLater(s, p, now, 'connect timed out');
        return { state: next.state, actions: next.actions };
      }
      return { state: s, actions: [] };
    default: {
      const c = common(s, e, p, now);
      if (c !== null) return c;
      if (s.name === 'open-sent') return openSent(s, e, p, now);
      if (s.name === 'open-confirm') return openConfirm(s, e, p, now);
      return established(s, e, p, now);
    }
  }
}
