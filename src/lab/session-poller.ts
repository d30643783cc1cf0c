// Asking the daemons for their sessions: every node once per period on the
// injected clock, and chosen nodes at once when a report says something changed.
// One round at a time; asks made meanwhile are merged into one more round.
import type { Clock, TimerHandle } from '../daemon/clock.js';
import type { SessionsByNode } from './status.js';

export type AskSessions = (nodes: string[]) => Promise<SessionsByNode>;

export class SessionPoller {
  private sessions: SessionsByNode = new Map();
  private running = false;
  private wanted: Set<string> | null = null;
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly nodes: string[],
    private readonly ask: AskSessions,
    private readonly clock: Pick<Clock, 'setTimer' | 'clearTimer'>,
    /** seconds between rounds over every node */
    private readonly period: number,
    /** called after each round with what is known now */
    private readonly changed: (sessions: SessionsByNode) => void,
  ) {}

  current(): SessionsByNode {
    return this.sessions;
  }

  start(): void {
    this.stopped = false;
    void this.pollEvery();
  }

  /** Asks `nodes` (default: all) now, or right after the round under way. */
  async poll(nodes: string[] = this.nodes): Promise<void> {
    if (this.stopped) return;
    if (this.running) {
      this.wanted = new Set([...(this.wanted ?? []), ...nodes]);
      return;
    }
    this.running = true;
    try {
      const fresh = await this.ask(nodes);
      this.sessions = new Map([...this.sessions, ...fresh]);
      this.changed(this.sessions);
    } finally {
      this.running = false;
    }
    if (this.wanted !== null) {
      const again = [...this.wanted];
      this.wanted = null;
      await this.poll(again);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  private async pollEvery(): Promise<void> {
    this.timer = null;
    await this.poll();
    if (!this.stopped) this.timer = this.clock.setTimer(this.period, () => void this.pollEvery());
  }
}
