// Which sessions may be forgotten so that strangers cannot pin the table. A session
// that is not open and has heard nothing for `mac-address-cache-timeout` is aged out
// (lsoed's MAC cache; a hopeless one counts from when it became hopeless); when the table (or one interface's share) is full, a hopeless
// session, then the stalest session that never opened, makes room for a new neighbour.
// Pure: the caller passes `now` and the sessions.
import type { SessionPhase } from '../proto/session/index.js';

export interface AgeableSession {
  readonly ifname: string;
  /** instance number, lower = older: breaks ties between equally stale sessions */
  readonly number: number;
  readonly everOpen: boolean;
  readonly s: { readonly phase: SessionPhase; readonly since: number; readonly lastHeard: number | null };
}

/**
 * When we last heard from the peer, or when the session began if never. A hopeless
 * session counts from when it became hopeless: the frames it ignores still move
 * lastHeard, and a neighbour that keeps talking must not pin it forever.
 */
export function lastActivity(e: AgeableSession): number {
  if (e.s.phase === 'hopeless') return e.s.since;
  return e.s.lastHeard ?? e.s.since;
}

/** Sessions to forget at `now`: not open (opening or hopeless) and silent for `timeout` s; 0 = never. */
export function agedOut<T extends AgeableSession>(entries: Iterable<T>, timeout: number, now: number): T[] {
  if (!(timeout > 0)) return [];
  const out: T[] = [];
  for (const e of entries) {
    if (e.s.phase !== 'opening' && e.s.phase !== 'hopeless') continue;
    if (now - lastActivity(e) >= timeout) out.push(e);
  }
  return out;
}

/**
 * The session to drop so a new neighbour fits: a hopeless one first, else one that is
 * opening and never was open (a real peer that once opened is never pushed out);
 * among those, the one heard from longest ago. Null when every session deserves its place.
 */
export function evictionVictim<T extends AgeableSession>(entries: Iterable<T>): T | null {
  let best: T | null = null;
  let bestRank = 0;
  for (const e of entries) {
    const rank = e.s.phase === 'hopeless' ? 2 : e.s.phase === 'opening' && !e.everOpen ? 1 : 0;
    if (rank === 0) continue;
    if (
      best === null ||
      rank > bestRank ||
      (rank === bestRank &&
        (lastActivity(e) < lastActivity(best) || (lastActivity(e) === lastActivity(best) && e.number < best.number)))
    ) {
      best = e;
      bestRank = rank;
    }
  }
  return best;
}
