// One consistent reading of the daemon for one scrape: every metric of a scrape is
// computed from the same calls to the core's query methods (the metrics count nothing
// themselves), so a scrape is never half before and half after a change.
import type { ControlExtensions } from '../ctl/handlers.js';
import type { BgpStatus } from '../daemon/bgp-northbound.js';
import type { AnnouncedEncaps, DaemonCore, LearnedEncaps, SessionView } from '../daemon/views.js';

/** A selected interface: its name and link, whether LSOE runs on it. */
export interface SnapshotInterface {
  ifname: string;
  up: boolean;
  running: boolean;
}

export interface Snapshot {
  sessions: SessionView[];
  learned: LearnedEncaps[];
  announced: AnnouncedEncaps[];
  /** every selected interface, its link up or down (the core's `neighbors()`) */
  interfaces: SnapshotInterface[];
  /** the core's counters, nested per-reason maps flattened to `group.reason` keys */
  counters: Map<string, number>;
  config: Record<string, unknown>;
  version: string;
  /** the BGP-LS northbound's status (the control socket's `bgp` answer); null without one */
  bgp: BgpStatus | null;
}

export function takeSnapshot(core: DaemonCore, ext: ControlExtensions = {}): Snapshot {
  return {
    sessions: core.sessions(),
    learned: core.learnedEncaps(),
    announced: core.announcedEncaps(),
    interfaces: core.neighbors().map((n) => ({ ifname: n.ifname, up: n.up, running: n.running })),
    counters: flattenCounters(core.counters()),
    config: core.config(),
    version: core.version(),
    bgp: ext.bgp?.() ?? null,
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
