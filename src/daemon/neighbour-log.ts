// Log lines a neighbour can cause, rate-limited per (neighbour, category): a burst of
// `burst` lines per `period` seconds, then silence, counted; the next line said (or
// the housekeeping flush) carries "suppressed N similar lines". Keys are bounded, so a
// flood of MACs cannot grow the table; what the bound forgets is still counted.
import type { Fields, Level, Logger, Subsystem } from './log.js';

interface Window {
  start: number;
  said: number;
  suppressed: number;
  ifname: string;
  peerMac: string;
  subsystem: Subsystem;
}

export class NeighbourLog {
  private readonly windows = new Map<string, Window>();
  /** lines held back in total */
  suppressedTotal = 0;

  constructor(
    private readonly log: Logger,
    private readonly burst = 5,
    private readonly period = 10,
    private readonly maxKeys = 4096,
  ) {}

  say(
    now: number,
    n: { ifname: string; peerMac: string },
    category: string,
    level: Level,
    subsystem: Subsystem,
    message: string,
    fields: Fields = {},
  ): void {
    if (level === 'debug') {
      this.log.log(level, subsystem, message, fields);
      return;
    }
    const key = `${n.ifname}|${n.peerMac}|${category}`;
    let w = this.windows.get(key);
    if (w !== undefined && now - w.start >= this.period) {
      this.summarise(key, w);
      w = undefined;
    }
    if (w === undefined) {
      w = { start: now, said: 0, suppressed: 0, ifname: n.ifname, peerMac: n.peerMac, subsystem };
      this.windows.set(key, w);
      this.trim();
    }
    if (w.said >= this.burst) {
      w.suppressed++;
      this.suppressedTotal++;
      return;
    }
    w.said++;
    this.log.log(level, subsystem, message, fields);
  }

  /** Windows are open: housekeeping must come to say their summaries. */
  get pending(): boolean {
    return this.windows.size > 0;
  }

  /** Says the summaries of windows that have ended (housekeeping) and forgets them. */
  flush(now: number): void {
    for (const [key, w] of this.windows) {
      if (now - w.start < this.period) continue;
      this.summarise(key, w);
    }
  }

  private summarise(key: string, w: Window): void {
    this.windows.delete(key);
    if (w.suppressed === 0) return;
    const category = key.slice(key.lastIndexOf('|') + 1);
    this.log.log('warning', w.subsystem, `${w.peerMac} on ${w.ifname}: suppressed ${w.suppressed.toLocaleString('en-US')} similar lines (${category}) in ${this.period} s`, {
      ifname: w.ifname,
      peerMac: w.peerMac,
      suppressed: w.suppressed,
    });
  }

  private trim(): void {
    while (this.windows.size > this.maxKeys) {
      const oldest = this.windows.keys().next();
      if (oldest.done) return;
      this.summarise(oldest.value, this.windows.get(oldest.value)!);
    }
  }
}
