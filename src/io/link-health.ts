// The health of a packet-socket link, decided from one row of the packet table
// (a pure function), and the one ticker that reads that table for every link of
// the process. The ticker runs only while some link is not healthy: a link that
// works wakes nothing; a socket error (the kernel's word that the interface went
// down) asks for a check at once.
import { parsePacketTable, type PacketSocketRow } from './packet-table.js';

/**
 * ok: bound to its interface and receiving. down: bound, interface down (the
 * kernel resumes it on up). vanished: its interface was deleted, or the index
 * now belongs to another one. reopen: the socket is missing from the table
 * (it can no longer receive): open a new one.
 */
export type LinkHealth = 'ok' | 'down' | 'vanished' | 'reopen';

export function linkHealth(row: PacketSocketRow | undefined, ifindex: number): LinkHealth {
  if (row === undefined) return 'reopen';
  if (row.ifindex !== ifindex) return 'vanished';
  return row.running ? 'ok' : 'down';
}

/** What the ticker needs of a clock (the daemon's Clock fits); seconds. */
export interface TickerClock<H> {
  setTimer(delay: number, fn: () => void): H;
  clearTimer(handle: H): void;
}

export interface HealthSubject {
  readonly inode: string;
  readonly ifindex: number;
  /** applies a verdict; returns true while the subject wants further checks */
  applyHealth(health: LinkHealth): boolean;
}

/** One per capture host and clock: reads the packet table once per tick for every subject that asked. */
export class HealthTicker<H> {
  private readonly watched = new Set<HealthSubject>();
  private timer: H | null = null;
  private reading = false;

  constructor(
    private readonly readTable: () => Promise<string | null>,
    private readonly clock: TickerClock<H>,
    /** seconds between checks while a link is unhealthy */
    readonly interval = 1,
  ) {}

  /** Checks `subject` at the next tick, and at every tick after while it wants. */
  watch(subject: HealthSubject): void {
    this.watched.add(subject);
    this.timer ??= this.clock.setTimer(this.interval, () => void this.tick());
  }

  /** Checks `subject` now (after a socket error), then as watch() does. */
  checkSoon(subject: HealthSubject): void {
    this.watched.add(subject);
    void this.tick();
  }

  forget(subject: HealthSubject): void {
    this.watched.delete(subject);
    if (this.watched.size === 0 && this.timer !== null) {
      this.clock.clearTimer(this.timer);
      this.timer = null;
    }
  }

  /** @internal one round of checks (exported for tests through the class) */
  async tick(): Promise<void> {
    if (this.timer !== null) {
      this.clock.clearTimer(this.timer);
      this.timer = null;
    }
    if (this.reading) return;
    this.reading = true;
    const text = await this.readTable();
    this.reading = false;
    if (text !== null) {
      const rows = parsePacketTable(text);
      for (const s of [...this.watched]) {
        if (!s.applyHealth(linkHealth(rows.get(s.inode), s.ifindex))) this.watched.delete(s);
      }
    }
    if (this.watched.size > 0) this.timer ??= this.clock.setTimer(this.interval, () => void this.tick());
  }
}
