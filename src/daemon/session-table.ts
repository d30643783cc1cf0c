// The table of sessions and the loop that runs the pure session machine over them:
// steps a session with an event, keeps the machine's timers on the clock (one clock timer
// per deadline, shared by the sessions due then), and
// hands every other action to the daemon (hooks). The daemon decides what a session
// means for the world (logs, events, reports, plugins); this file only runs machines.
import { isGroupMac } from '../io/link.js';
import { createSession, step } from '../proto/session/index.js';
import type { CloseReason, LogLevel, Session, SessionAction, SessionEvent, SessionParams, TimerName } from '../proto/session/index.js';
import type { Encapsulation, EncapsulationTypeName, Pdu, VendorPdu } from '../proto/types.js';
import type { Clock, TimerHandle } from './clock.js';

export interface Entry {
  readonly key: string;
  readonly ifname: string;
  readonly peerMac: string;
  /** the neighbour's MAC is a group address (a bug or an attack: nothing is sent to it) */
  readonly peerIsGroup: boolean;
  s: Session;
  /** the machine's armed timers: when each is due (its clock timer is the deadline's, shared) */
  readonly timers: Map<TimerName, number>;
  /** lsoed's session_pyid: a new number for each session instance */
  number: number;
  /** the peer's identity as of the last session-up (kept for the session-down after it) */
  peerId: string | null;
  peerAttributes: string | null;
  everOpen: boolean;
  /** encapsulation types the peer reported, to announce their withdrawal */
  readonly learnedTypes: Set<EncapsulationTypeName>;
  removed: boolean;
  /** the latest time the session was stepped at: a later event never takes it back (a late frame's arrival) */
  lastAt: number;
}

/** What the machine's actions mean outside it: the daemon implements these. */
export interface SessionHooks {
  send(e: Entry, dst: string, pdu: Pdu): void;
  up(e: Entry, now: number): void;
  down(e: Entry, reason: CloseReason, wasOpen: boolean, now: number): void;
  report(e: Entry, type: EncapsulationTypeName, encaps: readonly Encapsulation[], peerId: string | null, now: number): void;
  withdraw(e: Entry, types: EncapsulationTypeName[], peerId: string | null, now: number): void;
  vendor(e: Entry, pdu: VendorPdu, now: number): void;
  log(e: Entry, level: LogLevel, message: string, now: number): void;
}

/** Told when a hook (or the machine itself) threw; the table has carried on without it. */
export type HookErrorHandler = (e: Entry, what: string, err: unknown) => void;

/** What else the daemon wants told (all optional). */
export interface TableObservers {
  /** after each event has been handled (the daemon decides whether housekeeping must run) */
  afterFeed?: () => void;
  /** a session entered or left the open state (or was removed while open) */
  openChanged?: (e: Entry) => void;
  /** a deadline is about to fire: frames that arrived before it are handled first (quiet sockets) */
  beforeDeadline?: () => void;
}

/**
 * One clock timer for every session whose timer of one name is due at one instant: the
 * KEEPALIVEs of a daemon are due on multiples of the interval (timers.ts), so its
 * sessions share one, re-armed once a period, where each session re-armed its own.
 */
interface Deadline {
  readonly handle: TimerHandle;
  /** the sessions waiting on it, in the order they asked */
  readonly entries: Set<Entry>;
}

export class SessionTable {
  private readonly entries = new Map<string, Entry>();
  /** per timer name, per deadline: the clock timer and its sessions */
  private readonly deadlines = new Map<TimerName, Map<number, Deadline>>();
  /** per interface, its sessions by the neighbour's MAC */
  private readonly byInterface = new Map<string, Map<string, Entry>>();
  private readonly queue: Array<[Entry, SessionEvent]> = [];
  private busy = false;
  private nextNumber = 1;
  /** sessions not open (opening, hopeless, idle): what housekeeping ages out */
  private notOpen = 0;
  /** retransmissions of every session, removed ones included (a session's own count goes with it) */
  retransmits = 0;

  constructor(
    private readonly clock: Clock,
    private readonly hooks: SessionHooks,
    private readonly onError: HookErrorHandler = () => undefined,
    private readonly observers: TableObservers = {},
  ) {}

  private afterFeed(): void {
    this.observers.afterFeed?.();
  }

  get size(): number {
    return this.entries.size;
  }

  /** How many sessions are not open: the ones housekeeping ages out. */
  get unsettled(): number {
    return this.notOpen;
  }

  get(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  /** The session with `peerMac` (lowercase, as links give it) on `ifname`: no key text made. */
  find(ifname: string, peerMac: string): Entry | undefined {
    return this.byInterface.get(ifname)?.get(peerMac);
  }

  all(): Entry[] {
    return [...this.entries.values()];
  }

  onInterface(ifname: string): Entry[] {
    return [...(this.byInterface.get(ifname)?.values() ?? [])];
  }

  countOn(ifname: string): number {
    return this.byInterface.get(ifname)?.size ?? 0;
  }

  create(key: string, params: SessionParams, now: number): Entry {
    const s = createSession(params, now);
    const e: Entry = {
      key,
      ifname: params.ifname,
      peerMac: s.peerMac,
      peerIsGroup: isGroupMac(s.peerMac),
      s,
      timers: new Map(),
      number: this.nextNumber++,
      peerId: null,
      peerAttributes: null,
      everOpen: false,
      learnedTypes: new Set(),
      removed: false,
      lastAt: now,
    };
    this.entries.set(key, e);
    if (s.phase !== 'open') this.notOpen++;
    let onIf = this.byInterface.get(e.ifname);
    if (onIf === undefined) this.byInterface.set(e.ifname, (onIf = new Map()));
    onIf.set(e.peerMac, e);
    return e;
  }

  remove(e: Entry): void {
    if (e.removed) return;
    e.removed = true;
    if (e.s.phase !== 'open') this.notOpen--;
    for (const [name, at] of e.timers) this.leave(e, name, at);
    e.timers.clear();
    this.entries.delete(e.key);
    const onIf = this.byInterface.get(e.ifname);
    if (onIf?.get(e.peerMac) === e) onIf.delete(e.peerMac);
    if (onIf?.size === 0) this.byInterface.delete(e.ifname);
    if (e.s.phase === 'open') this.observers.openChanged?.(e);
  }

  /**
   * Steps a session; events raised while stepping (a plugin sending) wait their turn.
   * `now`: the clock as the caller read it for this event (a frame's arrival).
   */
  feed(e: Entry, event: SessionEvent, now?: number): void {
    if (this.busy) {
      this.queue.push([e, event]);
      return;
    }
    this.busy = true;
    try {
      this.step(e, event, now ?? this.clock.now());
      this.drain();
    } finally {
      this.busy = false;
    }
    this.afterFeed();
  }

  /** One event; one failing event must not strand the ones queued behind it. */
  private step(e: Entry, event: SessionEvent, now: number): void {
    // a session's time never goes back: a late frame (its kernel arrival time) may have
    // arrived before an event already handled, by the microseconds between drain and step
    if (now < e.lastAt) now = e.lastAt;
    else e.lastAt = now;
    try {
      this.apply(e, event, now);
    } catch (err) {
      this.failed(e, `${event.type} event`, err);
    }
  }

  private drain(): void {
    for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) this.step(item[0], item[1], this.clock.now());
  }

  private apply(e: Entry, event: SessionEvent, now: number): void {
    if (e.removed) return;
    const r = step(e.s, event, now);
    this.retransmits += r.session.counters.retransmits - e.s.counters.retransmits;
    const opened = (e.s.phase === 'open') !== (r.session.phase === 'open');
    if (opened) this.notOpen += r.session.phase === 'open' ? -1 : 1;
    e.s = r.session;
    if (opened) this.observers.openChanged?.(e);
    let renumber = false;
    for (const a of r.actions) {
      if (a.type === 'session-down') renumber = true;
      // A hook that throws (a plugin, the northbound, a log sink) loses only its own
      // action: timers, later sends and the table's bookkeeping still happen.
      try {
        this.execute(e, a, now);
      } catch (err) {
        this.failed(e, `${a.type} action`, err);
      }
      // the withdrawal still speaks for the session that closed; what follows is a new one
      if (a.type === 'withdraw' && renumber) {
        e.number = this.nextNumber++;
        renumber = false;
      }
    }
    if (renumber) e.number = this.nextNumber++;
    if (e.s.phase === 'idle') this.remove(e);
  }

  private execute(e: Entry, a: SessionAction, now: number): void {
    switch (a.type) {
      case 'send':
        return this.hooks.send(e, a.dst, a.pdu);
      case 'arm-timer':
        return this.arm(e, a.name, a.at, now);
      case 'cancel-timer': {
        const at = e.timers.get(a.name);
        if (at !== undefined) {
          this.leave(e, a.name, at);
          e.timers.delete(a.name);
        }
        return;
      }
      case 'session-up':
        e.peerId = a.peerId;
        e.peerAttributes = a.peerAttributes;
        e.everOpen = true;
        return this.hooks.up(e, now);
      case 'session-down':
        return this.hooks.down(e, a.reason, a.wasOpen, now);
      case 'report':
        e.learnedTypes.add(a.pdu.type);
        return this.hooks.report(e, a.pdu.type, a.pdu.encaps, a.peerId ?? e.peerId, now);
      case 'withdraw':
        try {
          this.hooks.withdraw(e, a.types, a.peerId ?? e.peerId, now);
        } finally {
          e.learnedTypes.clear();
        }
        return;
      case 'vendor-received':
        return this.hooks.vendor(e, a.pdu, now);
      case 'log':
        return this.hooks.log(e, a.level, a.message, now);
    }
  }

  private failed(e: Entry, what: string, err: unknown): void {
    try {
      this.onError(e, what, err);
    } catch {
      // the error handler itself failed: nothing more can be said safely
    }
  }

  /** The session's timer `name` is due at `at`: it joins that deadline (re-arming for the same instant costs nothing). */
  private arm(e: Entry, name: TimerName, at: number, now: number): void {
    const old = e.timers.get(name);
    if (old === at) return;
    if (old !== undefined) this.leave(e, name, old);
    e.timers.set(name, at);
    let byAt = this.deadlines.get(name);
    if (byAt === undefined) this.deadlines.set(name, (byAt = new Map()));
    const d = byAt.get(at);
    if (d !== undefined) {
      d.entries.add(e);
      return;
    }
    const entries = new Set<Entry>([e]);
    const handle = this.clock.setTimer(Math.max(0, at - now), () => this.fire(name, at, entries));
    byAt.set(at, { handle, entries });
  }

  /** The session no longer waits on that deadline; the last one out clears its clock timer. */
  private leave(e: Entry, name: TimerName, at: number): void {
    const byAt = this.deadlines.get(name);
    const d = byAt?.get(at);
    if (byAt === undefined || d === undefined || !d.entries.delete(e) || d.entries.size > 0) return;
    this.clock.clearTimer(d.handle);
    byAt.delete(at);
  }

  /** A deadline came: each session waiting on it is stepped, in the order it asked; then housekeeping is considered once. */
  private fire(name: TimerName, at: number, entries: Set<Entry>): void {
    // what arrived before the deadline first: a KEEPALIVE read late never times a session out
    this.observers.beforeDeadline?.();
    const byAt = this.deadlines.get(name);
    if (byAt?.get(at)?.entries === entries) byAt.delete(at);
    const event: SessionEvent = { type: 'timer-fired', name };
    // one reading for the deadline's sessions (they are due at the same instant)
    const now = this.clock.now();
    // (fired from within a step, a clock that runs timers synchronously: they wait their turn)
    const nested = this.busy;
    this.busy = true;
    try {
      // (a step may make a later session leave: a Set skips what was deleted)
      for (const e of entries) {
        entries.delete(e);
        if (e.timers.get(name) !== at) continue;
        e.timers.delete(name);
        if (nested) {
          this.queue.push([e, event]);
          continue;
        }
        this.step(e, event, now);
        this.drain();
      }
    } finally {
      this.busy = nested;
    }
    if (!nested) this.afterFeed();
  }
}
