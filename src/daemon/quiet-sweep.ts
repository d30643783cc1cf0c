// The safety drain of the links' quiet sockets (issue 10; ARCHITECTURE.md "src/io:
// quiet sockets"). An open neighbour's KEEPALIVEs wait, unpolled, until the daemon is
// awake anyway; its session deadlines drain them first, and so does any answer about
// sessions. This timer makes the bound explicit: while some link quiets a neighbour,
// they are read at least once a keepalive interval. It is due on the same multiples of
// the interval as the sessions' KEEPALIVEs (nextKeepaliveDue), so it shares their
// wake-up: it costs no wake-up of its own.
import { nextKeepaliveDue } from '../proto/session/timers.js';
import type { Clock, TimerHandle } from './clock.js';

export class QuietSweep {
  /** interfaces whose link quiets some neighbour now */
  private readonly quiet = new Set<string>();
  private timer: TimerHandle | null = null;
  private stopped = false;
  /** sweeps run (tests) */
  sweeps = 0;

  constructor(
    private readonly clock: Clock,
    private readonly drain: () => void,
    /** the keepalive send interval now, seconds */
    private readonly interval: () => number,
  ) {}

  /** `ifname`'s link quiets some neighbour (true) or none (false). */
  quieting(ifname: string, on: boolean): void {
    if (on) this.quiet.add(ifname);
    else this.quiet.delete(ifname);
    if (this.quiet.size === 0 && this.timer !== null) {
      this.clock.clearTimer(this.timer);
      this.timer = null;
    }
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.quiet.clear();
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.timer !== null || this.stopped || this.quiet.size === 0) return;
    const now = this.clock.now();
    this.timer = this.clock.setTimer(nextKeepaliveDue(now, this.interval()) - now, () => this.run());
  }

  private run(): void {
    this.timer = null;
    this.sweeps++;
    try {
      this.drain();
    } finally {
      this.arm();
    }
  }
}
