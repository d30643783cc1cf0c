// The lab's daemons tell the collector when a session changes: one control connection
// per daemon (ctl/client.ts), kept open and subscribed to its session events (`subscribe`,
// topic sessions). A session going up or down, events the daemon had to drop for us, the
// connection made and the connection lost each call `changed(node)`: the collector then
// reads that daemon's sessions at once, on this same connection (`client(node)`), instead
// of finding out at its next round. A daemon not listening (not started yet, stopped) is
// tried again on the injected clock, 0.25 s doubling to 2 s (a lab's daemons start after its
// collector). Nothing here wakes while the daemons are quiet: an idle subscription costs one
// open socket per daemon.
import { connectControl, type ControlClient, type StreamEvent } from '../ctl/client.js';
import { EVENTS_DROPPED } from '../ctl/protocol.js';
import { Backoff } from '../daemon/backoff.js';
import type { Clock, TimerHandle } from '../daemon/clock.js';

/** Why a daemon's sessions should be read again now. */
export type FeedReason = 'event' | 'missed' | 'connected' | 'lost';

export interface SessionFeedOptions {
  clock: Pick<Clock, 'setTimer' | 'clearTimer'>;
  changed: (node: string, why: FeedReason) => void;
  /** opens a control connection (default: connectControl, 2 s to connect and per request) */
  connect?: (socket: string) => Promise<ControlClient>;
}

/** The events that change what `sessions` answers (encaps-changed does not: reports carry it). */
const SESSION_CHANGES: ReadonlySet<string> = new Set(['session-up', 'session-down']);

/** A daemon's connection is tried again after this long (seconds), doubling up to RETRY_MAX. */
export const RETRY_FIRST = 0.25;
export const RETRY_MAX = 2;
const CONTROL_TIMEOUT_MS = 2000;

interface Feed {
  name: string;
  socket: string;
  client: ControlClient | null;
  connecting: boolean;
  timer: TimerHandle | null;
  retry: Backoff;
}

export class SessionFeed {
  private readonly feeds = new Map<string, Feed>();
  private stopped = false;
  /** session events received, events the daemons dropped for us, connections made and lost */
  readonly counts = { events: 0, missed: 0, connects: 0, lost: 0 };
  private readonly connect: (socket: string) => Promise<ControlClient>;

  constructor(
    nodes: readonly { name: string; socket: string }[],
    private readonly opts: SessionFeedOptions,
  ) {
    this.connect = opts.connect ?? ((socket) => connectControl(socket, { timeoutMs: CONTROL_TIMEOUT_MS }));
    for (const n of nodes) {
      this.feeds.set(n.name, { name: n.name, socket: n.socket, client: null, connecting: false, timer: null, retry: new Backoff(RETRY_FIRST, RETRY_MAX) });
    }
  }

  start(): void {
    this.stopped = false;
    for (const f of this.feeds.values()) void this.open(f);
  }

  /** The subscribed connection to `node`, or null while there is none. */
  client(node: string): ControlClient | null {
    return this.feeds.get(node)?.client ?? null;
  }

  /** Daemons with a subscribed connection now. */
  connected(): number {
    let n = 0;
    for (const f of this.feeds.values()) if (f.client !== null) n++;
    return n;
  }

  stop(): void {
    this.stopped = true;
    for (const f of this.feeds.values()) {
      if (f.timer !== null) this.opts.clock.clearTimer(f.timer);
      f.timer = null;
      const c = f.client;
      f.client = null;
      c?.close();
    }
  }

  private async open(f: Feed): Promise<void> {
    if (this.stopped || f.client !== null || f.connecting) return;
    f.connecting = true;
    let client: ControlClient | null = null;
    try {
      client = await this.connect(f.socket);
      const c = client;
      c.onEvent((e) => this.onEvent(f, c, e));
      c.onClose(() => this.onClose(f, c));
      // subscribed before the read it triggers, so no change falls between the two
      await c.request('subscribe', { topics: ['sessions'] });
    } catch {
      client?.close();
      f.connecting = false;
      this.retryLater(f);
      return;
    }
    f.connecting = false;
    if (this.stopped) {
      client.close();
      return;
    }
    f.client = client;
    f.retry.reset();
    this.counts.connects++;
    this.opts.changed(f.name, 'connected');
  }

  private onEvent(f: Feed, c: ControlClient, e: StreamEvent): void {
    if (f.client !== c) return;
    if (e.event === EVENTS_DROPPED) {
      this.counts.missed++;
      this.opts.changed(f.name, 'missed');
    } else if (SESSION_CHANGES.has(e.event)) {
      this.counts.events++;
      this.opts.changed(f.name, 'event');
    }
  }

  private onClose(f: Feed, c: ControlClient): void {
    if (f.client !== c) return; // closed before it was ours (failed subscribe) or by stop()
    f.client = null;
    this.counts.lost++;
    this.opts.changed(f.name, 'lost');
    this.retryLater(f);
  }

  private retryLater(f: Feed): void {
    if (this.stopped || f.timer !== null) return;
    f.timer = this.opts.clock.setTimer(f.retry.next(), () => {
      f.timer = null;
      void this.open(f);
    });
  }
}
