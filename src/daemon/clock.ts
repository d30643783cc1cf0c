// Time for the daemon runtime, injected so tests drive it. Seconds everywhere, as in the
// session machine. The real clock is monotonic (performance.now) but starts at the epoch,
// so `now()` also reads as a wall-clock time for display and never steps backwards.
import { performance } from 'node:perf_hooks';
import { timerSafe } from './backoff.js';

export type TimerHandle = { readonly id: number };

export interface Clock {
  /** seconds, never decreasing */
  now(): number;
  /** calls `fn` once after `delay` seconds */
  setTimer(delay: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** ISO text of a clock reading, for views and events. */
export function isoTime(seconds: number): string {
  return new Date(Math.round(seconds * 1000)).toISOString();
}

export function realClock(): Clock {
  const origin = performance.timeOrigin;
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => (origin + performance.now()) / 1000,
    setTimer(delay, fn) {
      const id = next++;
      const t = setTimeout(
        () => {
          timers.delete(id);
          fn();
        },
        // a longer delay would fire at once; the session machine re-arms a timer that fires early
        Math.ceil(timerSafe(delay) * 1000),
      );
      timers.set(id, t);
      return { id };
    },
    clearTimer(handle) {
      const t = timers.get(handle.id);
      if (t !== undefined) {
        clearTimeout(t);
        timers.delete(handle.id);
      }
    },
  };
}

/**
 * The same clock, with every timer callback guarded: one that throws is reported to
 * `onError` and the others still run (a bug on a timer path must not end the daemon).
 */
export function guardedClock(inner: Clock, onError: (err: unknown) => void): Clock {
  return {
    now: () => inner.now(),
    setTimer: (delay, fn) =>
      inner.setTimer(delay, () => {
        try {
          fn();
        } catch (err) {
          try {
            onError(err);
          } catch {
            // the reporter failed too: nothing safe is left to do
          }
        }
      }),
    clearTimer: (handle) => inner.clearTimer(handle),
  };
}

/** A clock that moves only when told to: `advance` fires due timers in time order. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void; seq: number }>();

  constructor(start = 1_700_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(delay: number, fn: () => void): TimerHandle {
    const id = this.seq++;
    this.timers.set(id, { at: this.t + Math.max(0, delay), fn, seq: id });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `seconds`, firing every timer that comes due on the way. */
  advance(seconds: number): void {
    const end = this.t + seconds;
    for (;;) {
      let best: [number, { at: number; fn: () => void; seq: number }] | null = null;
      for (const entry of this.timers) {
        const [, v] = entry;
        if (v.at <= end && (best === null || v.at < best[1].at || (v.at === best[1].at && v.seq < best[1].seq))) best = entry;
      }
      if (best === null) break;
      this.timers.delete(best[0]);
      if (best[1].at > this.t) this.t = best[1].at;
      best[1].fn();
    }
    this.t = end;
  }
}
