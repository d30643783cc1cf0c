// Restart rate limiting per neighbour. A neighbour can make us tear a session down and
// start again for the price of one frame (an OPEN with a new nonce, an ACK saying
// RESTART, an ACK saying HOPELESS with nothing in flight); LSOE has no authentication,
// so anyone on the link can. After `restart-limit` restarts within `restart-window`
// seconds the neighbour is held down for `restart-hold-down` seconds: its frames are
// dropped unread, costing nothing. This departs from PROTOCOL.md section 5 ("tear the
// session down and start again"), which would let one MAC keep us busy forever.
import { ACKED_TYPES, ErrorType, PduTypeNames, type Pdu } from '../proto/types.js';
import type { AckedTypeName, Session } from '../proto/session/index.js';

/** Whether stepping `pdu` into `s` would tear the session down and start again. */
export function causesRestart(s: Session, pdu: Pdu): boolean {
  if (s.phase === 'hopeless' || s.phase === 'idle') return false;
  if (pdu.type === 'OPEN') return s.peerNonce !== null && pdu.nonce !== s.peerNonce;
  if (pdu.type !== 'ACK' || !ACKED_TYPES.has(pdu.ackType)) return false;
  if (pdu.errorType === ErrorType.RESTART) return true;
  if (pdu.errorType !== ErrorType.HOPELESS) return false;
  const name = PduTypeNames[pdu.ackType] as AckedTypeName;
  return !s.slots[name]?.inFlight;
}

export interface HoldDown {
  readonly ifname: string;
  readonly peerMac: string;
  readonly since: number;
  readonly until: number;
}

export interface RestartPolicy {
  limit: number;
  window: number;
  holdDown: number;
}

/**
 * Restart times per neighbour (within the window) and the neighbours held down. Both
 * maps are bounded by `maxKeys`: past it the oldest record goes (a flood of MACs can
 * forget a record, never grow the maps).
 */
export class RestartLimiter {
  private readonly recent = new Map<string, number[]>();
  private readonly held = new Map<string, HoldDown>();

  constructor(
    private policy: RestartPolicy,
    private readonly maxKeys: number,
  ) {}

  setPolicy(policy: RestartPolicy): void {
    this.policy = policy;
  }

  /** Some neighbour is held down (or was, until housekeeping or a look forgets it). */
  get holding(): boolean {
    return this.held.size > 0;
  }

  /** The hold-down of this neighbour at `now`, if any (an expired one is forgotten). */
  heldDown(key: string, now: number): HoldDown | null {
    const h = this.held.get(key);
    if (h === undefined) return null;
    if (now < h.until) return h;
    this.held.delete(key);
    return null;
  }

  /**
   * Records one restart by this neighbour at `now`; returns the hold-down it earned
   * (the restart is then not to be carried out), or null.
   */
  restart(key: string, ifname: string, peerMac: string, now: number): HoldDown | null {
    const { limit, window, holdDown } = this.policy;
    const times = (this.recent.get(key) ?? []).filter((t) => now - t < window);
    times.push(now);
    this.recent.delete(key);
    if (times.length <= limit || holdDown <= 0) {
      this.recent.set(key, times.slice(-limit));
      this.trim(this.recent);
      return null;
    }
    const h: HoldDown = { ifname, peerMac, since: now, until: now + holdDown };
    this.held.set(key, h);
    this.trim(this.held);
    return h;
  }

  /** Every hold-down still running at `now`. */
  all(now: number): HoldDown[] {
    const out: HoldDown[] = [];
    for (const [key, h] of this.held) {
      if (now < h.until) out.push(h);
      else this.held.delete(key);
    }
    return out;
  }

  /** Releases the hold-downs matching the filter (and forgets their restarts); returns how many. */
  release(match: (h: { ifname: string; peerMac: string }) => boolean, now: number): number {
    let n = 0;
    for (const [key, h] of this.held) {
      if (!match(h)) continue;
      this.held.delete(key);
      this.recent.delete(key);
      if (now < h.until) n++;
    }
    return n;
  }

  /** Nothing recorded: housekeeping has nothing to forget here. */
  get empty(): boolean {
    return this.recent.size === 0 && this.held.size === 0;
  }

  /** Forgets restarts older than the window (housekeeping). */
  expire(now: number): void {
    for (const [key, times] of this.recent) if (now - times[times.length - 1]! >= this.policy.window) this.recent.delete(key);
    this.all(now);
  }

  private trim(map: Map<string, unknown>): void {
    while (map.size > this.maxKeys) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) return;
      map.delete(oldest);
    }
  }
}
