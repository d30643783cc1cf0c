// Sessions as people read them: sorted (open first, then by interface and peer), one
// row each, and the --summary counts. Pure functions of the data and the time.
import type { SessionView } from '../daemon/core.js';
import { formatAgo, formatDuration, secondsSince } from '../render/duration.js';
import { formatLocalId } from '../proto/local-id.js';

export const SESSION_HEAD = ['Interface', 'Peer MAC', 'Local ID', 'State', 'Up for', 'Last heard', 'PDUs tx/rx', 'Retrans'];
/** dropped in this order (last first) when the table is wider than the terminal */
export const SESSION_OPTIONAL = [5, 6, 7];

const STATE_ORDER: Record<SessionView['state'], number> = { open: 0, opening: 1, hopeless: 2, 'held-down': 3 };

export function sortSessions(list: readonly SessionView[]): SessionView[] {
  return [...list].sort(
    (a, b) =>
      (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9) ||
      a.ifname.localeCompare(b.ifname, 'en', { numeric: true }) ||
      a.peerMac.localeCompare(b.peerMac),
  );
}

/** "Up for" only means something once the session is open. */
export function upFor(s: SessionView, nowMs: number): string {
  if (s.state !== 'open') return '-';
  const secs = secondsSince(s.since, nowMs);
  return secs === null ? '-' : formatDuration(secs);
}

export function sessionRow(s: SessionView, nowMs: number): string[] {
  return [
    s.ifname,
    s.peerMac,
    formatLocalId(s.peerId),
    s.state,
    upFor(s, nowMs),
    formatAgo(s.lastHeard, nowMs),
    `${s.counters.txPdus}/${s.counters.rxPdus}`,
    String(s.counters.retransmits),
  ];
}

/** Counts per state; `heldDown` is the 'held-down' state. */
export interface StateCounts {
  open: number;
  opening: number;
  hopeless: number;
  heldDown: number;
}

export interface SessionSummary extends StateCounts {
  sessions: number;
  interfaces: Array<{ ifname: string } & StateCounts>;
}

function countState(c: StateCounts, state: SessionView['state']): void {
  if (state === 'held-down') c.heldDown++;
  else c[state]++;
}

export function summarise(list: readonly SessionView[]): SessionSummary {
  const byIf = new Map<string, { ifname: string } & StateCounts>();
  const total: StateCounts = { open: 0, opening: 0, hopeless: 0, heldDown: 0 };
  for (const s of list) {
    const row = byIf.get(s.ifname) ?? { ifname: s.ifname, open: 0, opening: 0, hopeless: 0, heldDown: 0 };
    countState(row, s.state);
    countState(total, s.state);
    byIf.set(s.ifname, row);
  }
  const interfaces = [...byIf.values()].sort((a, b) => a.ifname.localeCompare(b.ifname, 'en', { numeric: true }));
  return { sessions: list.length, ...total, interfaces };
}
