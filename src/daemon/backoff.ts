// The one retry delay of the daemon's runtime: starts at `first`, doubles on each
// failure up to `max`, back to `first` on success. Every timer delay the daemon arms
// is also capped below what Node can hold (2^31-1 ms: longer delays fire at once).

/** The longest delay a Node timer holds, in seconds (2^31-1 ms, rounded down). */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** A delay in seconds that a Node timer can hold. */
export function timerSafe(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds > MAX_TIMER_SECONDS) return MAX_TIMER_SECONDS;
  return Math.max(0, seconds);
}

export class Backoff {
  private delay: number;

  constructor(
    private readonly first: number,
    private readonly max: number,
  ) {
    this.delay = first;
  }

  /** The delay to wait now (seconds); the next one doubles. */
  next(): number {
    const d = this.delay;
    this.delay = timerSafe(Math.min(this.delay * 2, this.max));
    return d;
  }

  reset(): void {
    this.delay = this.first;
  }
}
