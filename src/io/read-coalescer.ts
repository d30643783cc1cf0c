// Coalesced reads across a process's endpoint links (issue 10). Each link has its
// own socket and its own poll, so a peer's burst of keepalives on N links (sent
// in one timer turn, arriving a few milliseconds apart) would wake the process N
// times. When nothing is busy, the first readable socket instead holds every
// endpoint socket (no poll: the kernel queues), and after a short grace one read
// round reads them all, each up to the same budget a wake-up reads, then polls
// again: two wake-ups for the burst. A round in which some socket filled its
// budget marks it behind; while any is behind, every readable socket is read at
// once, as without coalescing, so a flooded link is read at full rate and the
// others are not starved. Where there is nothing to gather, the grace would only
// add a wake-up: with a single link, and after a round that found one frame only
// (one neighbour among idle ports), frames are read at once until two come within
// a grace of each other again.
//
// Our own send turn opens the grace too: a daemon's keepalives are due on the same
// grid in every process (multiples of the interval on an epoch-based clock), so
// when this process sends on two links within a grace, the peers' bursts arrive
// right after; holding the sockets at once reads them at the grace's end without
// a wake-up of their own (send turn + round: two wake-ups a second, not three).
import type { TickerClock } from './link-health.js';

/** What the coalescer needs of a link. */
export interface ReadSource {
  /** reads up to `max` waiting frames; how many it read (`max`: more may wait) */
  readRound(max: number): number;
}

/**
 * Holds every source at once (a CaptureHost: its endpoint sockets share one
 * poll, so this is one call, not one per socket): true: no source is polled,
 * frames wait in the kernel, sources added meanwhile too; false: polled again.
 */
export interface ReadGate {
  hold(held: boolean): void;
}

/** The injected clock (the daemon's Clock fits), seconds. */
export interface CoalescerClock<H> extends TickerClock<H> {
  now(): number;
}

/** Seconds the first frame waits for the rest of a burst (a peer's keepalives on 8 links arrive within ~20 ms). */
export const READ_GRACE = 0.025;

/** Frames read from one socket per wake-up or round: fair to the other links. */
export const FRAMES_PER_READ = 64;

export class ReadCoalescer<H> {
  private readonly sources = new Set<ReadSource>();
  /** sources whose last read filled its budget: read at once until one empties them */
  private readonly behind = new Set<ReadSource>();
  private timer: H | null = null;
  /** the last round found one frame or none: read at once (see above) */
  private lone = false;
  /** when the last frame read at once was read */
  private lastDirect = -Infinity;
  /** the last link that sent outside a grace, and when */
  private lastSender: ReadSource | null = null;
  private lastSend = -Infinity;
  /** read rounds run after a grace, and reads done at once; graces opened by a send turn (tests, figures) */
  rounds = 0;
  direct = 0;
  sendGraces = 0;
  /** the grace's callback, made once (not a closure per grace) */
  private readonly roundDue = (): void => this.round();

  constructor(
    private readonly clock: CoalescerClock<H>,
    private readonly gate: ReadGate,
    readonly grace = READ_GRACE,
    readonly budget = FRAMES_PER_READ,
  ) {}

  add(source: ReadSource): void {
    // (a link opened while the others are held waits for the round with them: the gate holds it too)
    this.sources.add(source);
  }

  remove(source: ReadSource): void {
    this.sources.delete(source);
    this.behind.delete(source);
    if (this.lastSender === source) this.lastSender = null;
    if (this.sources.size === 0 && this.timer !== null) {
      this.clock.clearTimer(this.timer);
      this.timer = null;
      this.gate.hold(false);
    }
  }

  /** `source`'s socket has frames waiting: read it now, or hold every socket for a round. */
  readable(source: ReadSource): void {
    // held, yet reported (in the same wake-up as the frame that opened the grace): the round reads it
    if (this.timer !== null && this.sources.has(source)) return;
    if (this.lone) {
      // two frames within a grace: a burst again, gather the next one
      const now = this.clock.now();
      if (now - this.lastDirect < this.grace) this.lone = false;
      this.lastDirect = now;
    }
    if (!this.gathers(source)) {
      this.direct++;
      this.readOne(source);
      return;
    }
    this.openGrace();
  }

  /**
   * `source` sent a frame. A second link sending within a grace of the first is a send
   * turn: the peers' answers or keepalives follow, so the grace opens now (same rules as
   * for reads: not with one link, while a link is behind, or after a lone round).
   */
  sent(source: ReadSource): void {
    if (this.timer !== null || !this.gathers(source)) return;
    const now = this.clock.now();
    if (source !== this.lastSender && now - this.lastSend < this.grace) {
      this.lastSender = null;
      this.lastSend = -Infinity;
      this.sendGraces++;
      this.openGrace();
      return;
    }
    this.lastSender = source;
    this.lastSend = now;
  }

  /** Whether a grace may gather frames with `source`'s: not with one link, while a link is behind, or after a lone round. */
  private gathers(source: ReadSource): boolean {
    return this.sources.size >= 2 && this.behind.size === 0 && !this.lone && this.sources.has(source);
  }

  private openGrace(): void {
    this.gate.hold(true);
    this.timer = this.clock.setTimer(this.grace, this.roundDue);
  }

  private readOne(source: ReadSource): number {
    const n = source.readRound(this.budget);
    if (n >= this.budget) this.behind.add(source);
    else this.behind.delete(source);
    return n;
  }

  /** Reads every source (each up to the budget), then polls them again. */
  private round(): void {
    this.timer = null;
    this.rounds++;
    let frames = 0;
    try {
      // (a source closed by what an earlier one delivered is gone from the set; one
      // opened meanwhile is read in this round too)
      for (const s of this.sources) frames += this.readOne(s);
      this.lone = frames <= 1;
      this.lastDirect = -Infinity;
    } finally {
      // polled again whatever happened; sources left behind fire again at once
      // (level-triggered) and are read directly
      this.gate.hold(false);
    }
  }
}
