// Control-socket events for one neighbour, bounded. A neighbour that flaps its session
// 1,000 times a second would otherwise write 2,000 session events a second to every
// subscriber (and to every looking glass and lab page behind them).
//
// Per (interface, neighbour MAC): the first event goes at once and opens a window of `hold`
// seconds. Within a window, the first session event that changes what subscribers were
// last told also goes at once (a link that comes back up right after going down, whose
// encapsulations were withdrawn a moment before: a lab page shows it at once, not at the
// window's end); the rest is held, and at the window's end the neighbour's state is
// told in at most two session events, then the latest encapsulation event per type:
// - it ends in another state than the last event said: the latest event of that state;
// - it ends where it was but flapped meanwhile: the latest of the other state, then the
//   latest of this one (so a watcher still sees the flap, and the reason of the last down).
// Session events therefore still alternate up, down, up for every subscriber, at most three
// a window (one at once, two at its end). A told event
// carries `coalesced: N` when N events were folded into it (counted in `eventsCoalesced`).
// A window in which nothing came closes the neighbour's entry: the map holds only
// neighbours heard within the last `hold` seconds.
//
// Only what subscribers see is coalesced: the core's own listeners (neighbour history,
// flap counts) still see every event.
import type { Clock, TimerHandle } from './clock.js';
import type { DaemonEvent } from './views.js';

type SessionState = 'session-up' | 'session-down';

interface Window {
  timer: TimerHandle;
  /** what the last event told of this neighbour's session */
  told: SessionState | null;
  /** a session event already went at once in this window */
  spent: boolean;
  /** the latest held event of each session state, and which came last */
  latest: Partial<Record<SessionState, DaemonEvent>>;
  last: SessionState | null;
  /** the latest held encapsulation event of each type */
  encaps: Map<string, DaemonEvent>;
  folded: number;
}

export class NeighbourEvents {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly hold: number,
    private readonly out: (e: DaemonEvent) => void,
    private readonly onFolded: (n: number) => void,
  ) {}

  /** Neighbours with an open window (for tests and bounds). */
  get size(): number {
    return this.windows.size;
  }

  push(e: DaemonEvent): void {
    const key = `${e.ifname} ${e.peerMac}`;
    const w = this.windows.get(key);
    const state = e.event === 'session-up' || e.event === 'session-down' ? e.event : null;
    if (w === undefined) {
      this.out(e);
      this.open(key, state);
      return;
    }
    if (state !== null && !w.spent && state !== w.told && w.last === null) {
      w.spent = true;
      w.told = state;
      this.out(e);
      return;
    }
    if (state !== null) {
      w.latest[state] = e;
      w.last = state;
    } else {
      w.encaps.set(String(e.type), e);
    }
    w.folded++;
  }

  /** Tells what is held at once and closes every window (the daemon stops). */
  close(): void {
    for (const [key, w] of [...this.windows]) {
      this.clock.clearTimer(w.timer);
      this.flush(key, false);
    }
  }

  private open(key: string, told: SessionState | null, previous?: Window): void {
    const w: Window = {
      timer: this.clock.setTimer(this.hold, () => this.flush(key)),
      told: told ?? previous?.told ?? null,
      // the event that opened the window went at once
      spent: told !== null && previous === undefined,
      latest: {},
      last: null,
      encaps: new Map(),
      folded: 0,
    };
    this.windows.set(key, w);
  }

  private flush(key: string, reopen = true): void {
    const w = this.windows.get(key);
    if (w === undefined) return;
    this.windows.delete(key);
    const held = w.folded;
    if (held === 0) return; // quiet: the neighbour is forgotten
    const told: DaemonEvent[] = [];
    if (w.last !== null) {
      const other: SessionState = w.last === 'session-up' ? 'session-down' : 'session-up';
      // a flap that ends where the last event left it is told as the flap itself
      if (w.last === w.told && w.latest[other] !== undefined) told.push(w.latest[other]!);
      if (w.last !== w.told || w.latest[other] !== undefined) told.push(w.latest[w.last]!);
    }
    told.push(...w.encaps.values());
    const folded = held - told.length;
    for (const e of told) this.out(folded > 0 && (e.event === 'session-up' || e.event === 'session-down') ? { ...e, coalesced: folded } : e);
    if (folded > 0) this.onFolded(folded);
    if (reopen) this.open(key, w.last, w);
  }
}
