// One consistent reading of the daemon for one scrape: every metric of a scrape is
// computed from the same calls to the core's query methods (the metrics count nothing
// themselves), so a scrape is never half before and half after a change.
import type { AnnouncedEncaps, DaemonCore, LearnedEncaps, SessionView } from '../daemon/views.js';

export interface Snapshot {
  sessions: SessionView[];
  learned: LearnedEncaps[];
  announced: AnnouncedEncaps[];
  /** the core's counters, nested per-reason maps flattened to `group.reason` keys */
  counters: Map<string, number>;
  config: Record<string, unknown>;
  version: string;
}

export function takeSnapshot(core: DaemonCore): Snapshot {
  return {
    sessions: core.sessions(),
    learned: core.learnedEncaps(),
    announced: core.announcedEncaps(),
    counters: flattenCounters(core.counters()),
    config: core.config(),
    version: core.version(),
  };
}

/** `{ malformedBy: { checksum: 2 } }` becomes `malformedBy.checksum`. */
export function flattenCounters(counters: object, prefix = '', out = new Map<string, number>()): Map<string, number> {
  for (const [key, value] of Object.entries(counters)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof value === 'number') out.set(name, value);
    else if (value !== null && typeof value === 'object') flattenCounters(value as object, name, out);
  }
  return out;
}
