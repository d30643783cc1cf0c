// Short human durations for tables: "42s", "3m07s", "5h02m", "2d03h". Two units at most:
// a table column is read at a glance, not to the second after the first minute.

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d${pad(Math.floor((s % 86400) / 3600))}h`;
}

/** Seconds from an ISO 8601 time to `nowMs`; null when the time is missing or unreadable. */
export function secondsSince(iso: string | null, nowMs: number): number | null {
  if (iso === null) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : (nowMs - t) / 1000;
}

/** "12s ago", or "-" when there is no time. */
export function formatAgo(iso: string | null, nowMs: number): string {
  const s = secondsSince(iso, nowMs);
  return s === null ? '-' : `${formatDuration(s)} ago`;
}
