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
  /** a wall-clock reading (epoch seconds, as the kernel stamps frames) on this clock; absent: the same */
  fromWall?(seconds: number): number;
}

/** ISO text of a clock reading, for views and events. */
export function isoTime(seconds: number): string {
  return new Date(Math.round(seconds * 1000)).toISOString();
}

/**
 * Timers of at least `from` seconds may fire up to `grid` seconds late, so that timers
 * due close together share one wake-up (the kernel's timer slack, for the event loop).
 * 64 sessions with 1 s keepalives then wake the daemon about ten times a second, not
 * 64; a keepalive 0.1 s late is nothing against a 60 s receive time-out.
 */
export interface TimerSlack {
  grid: number;
  from: number;
}

/**
 * The daemon's slack: deadlines of timers of half a second or more rounded up to a
 * quarter of a second. Half, not 1: a 1 s keepalive is re-armed from the time it was
 * due, so once it fired up to a grid late its next delay is under 1 s; with `from: 1`
 * every other keepalive left the grid and a daemon's 8 KEEPALIVEs went out over
 * ~35 ms in several wake-ups, spreading its peer's reads as well (issue 10).
 */
export const DAEMON_TIMER_SLACK: TimerSlack = { grid: 0.25, from: 0.5 };

export function realClock(slack?: TimerSlack): Clock {
  const origin = performance.timeOrigin;
  const now = (): number => (origin + performance.now()) / 1000;
  const timers = new Map<number, NodeJS.Timeout>();
  // coalesced timers: one Node timer per grid slot, each timer's callback filed under its slot
  const slots = new Map<number, { timeout: NodeJS.Timeout; fns: Map<number, () => void> }>();
  const slotOf = new Map<number, number>();
  let next = 1;
  const armSlot = (slot: number, grid: number): NodeJS.Timeout =>
    setTimeout(() => fireSlot(slot, grid), Math.max(0, Math.ceil((slot * grid - now()) * 1000)));
  const fireSlot = (slot: number, grid: number): void => {
    const s = slots.get(slot);
    if (s === undefined) return;
    // Node's timers may run a little before our clock says (the loop's cached time): wait
    // for the slot, or every callback would re-arm itself for the rest of it
    if (now() < slot * grid) {
      s.timeout = armSlot(slot, grid);
      return;
    }
    slots.delete(slot);
    for (const id of s.fns.keys()) slotOf.delete(id);
    // each callback runs even when an earlier one throws; the first error is rethrown
    let failure: { err: unknown } | null = null;
    for (const fn of s.fns.values()) {
      try {
        fn();
      } catch (err) {
        failure ??= { err };
      }
    }
    if (failure !== null) throw failure.err;
  };
  return {
    now,
    // performance.now() is monotonic; the wall clock may have been stepped since the process started
    fromWall: (seconds) => seconds + now() - Date.now() / 1000,
    setTimer(delay, fn) {
      const id = next++;
      // (a timer of a day or more is not worth a slot; its delay is capped as below)
      if (slack !== undefined && delay >= slack.from && delay < 86_400) {
        const slot = Math.ceil((now() + delay) / slack.grid);
        let s = slots.get(slot);
        if (s === undefined) {
          s = { timeout: armSlot(slot, slack.grid), fns: new Map() };
          slots.set(slot, s);
        }
        s.fns.set(id, fn);
        slotOf.set(id, slot);
        return { id };
      }
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
        return;
      }
      const slot = slotOf.get(handle.id);
      if (slot === undefined) return;
      slotOf.delete(handle.id);
      const s = slots.get(slot)!;
      s.fns.delete(handle.id);
      if (s.fns.size === 0) {
        clearTimeout(s.timeout);
        slots.delete(slot);
      }
    },
  };
}

/**
 * The same clock, with every timer callback guarded: one that throws is reported to
 * `onError` and the others still run (a bug on a timer path must not end the daemon).
 */
export function guardedClock(inner: Clock, onError: (err: unknown) => void): Clock {
  const fromWall = inner.fromWall;
  return {
    now: () => inner.now(),
    ...(fromWall ? { fromWall: (seconds: number) => fromWall.call(inner, seconds) } : {}),
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
