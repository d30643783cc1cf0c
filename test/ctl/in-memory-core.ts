// A test double of the DaemonCore interface (docs/ARCHITECTURE.md): holds whatever the
// test puts in it and emits the events the test asks for. It lets the control socket and
// the commands be tested before, and apart from, the real daemon.
import type {
  AnnouncedEncaps,
  Counters,
  DaemonCore,
  DaemonEvent,
  InterfaceNeighbors,
  InterfaceSelection,
  LearnedEncaps,
  SessionFilter,
  SessionView,
} from '../../src/daemon/core.js';
import { zeroCounters } from '../../src/daemon/counters.js';

export class InMemoryDaemonCore implements DaemonCore {
  sessionList: SessionView[] = [];
  learned: LearnedEncaps[] = [];
  announced: AnnouncedEncaps[] = [];
  counterValues: Counters = zeroCounters();
  configValues: Record<string, unknown> = {};
  versionText = '0.0.0-test';
  neighborList: InterfaceNeighbors[] = [];
  selection: InterfaceSelection = { patterns: [], unmatched: [] };
  /** the filters clearSessions was called with, in order */
  cleared: SessionFilter[] = [];
  /** when set, every query method throws it (the daemon failing inside a handler) */
  failWith: Error | undefined;
  private listeners = new Set<(e: DaemonEvent) => void>();

  private check(): void {
    if (this.failWith) throw this.failWith;
  }
  sessions(): SessionView[] {
    this.check();
    return this.sessionList;
  }
  learnedEncaps(): LearnedEncaps[] {
    this.check();
    return this.learned;
  }
  announcedEncaps(): AnnouncedEncaps[] {
    this.check();
    return this.announced;
  }
  counters(): Counters {
    this.check();
    return this.counterValues;
  }
  config(): Record<string, unknown> {
    this.check();
    return this.configValues;
  }
  version(): string {
    this.check();
    return this.versionText;
  }
  neighbors(): InterfaceNeighbors[] {
    this.check();
    return this.neighborList;
  }
  interfaceSelection(): InterfaceSelection {
    this.check();
    return this.selection;
  }
  /** Removes the matching sessions, as the daemon would, and says how many. */
  clearSessions(filter: SessionFilter): number {
    this.check();
    this.cleared.push(filter);
    const hit = (s: SessionView) => (filter.ifname === undefined || s.ifname === filter.ifname) && (filter.peerMac === undefined || s.peerMac === filter.peerMac);
    const before = this.sessionList.length;
    this.sessionList = this.sessionList.filter((s) => !hit(s));
    return before - this.sessionList.length;
  }
  subscribe(listener: (e: DaemonEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  get subscriberCount(): number {
    return this.listeners.size;
  }
  emit(e: DaemonEvent): void {
    for (const l of this.listeners) l(e);
  }
}

export function session(over: Partial<SessionView> & Pick<SessionView, 'ifname' | 'peerMac'>): SessionView {
  return {
    peerId: '0102030405060708090a',
    state: 'open',
    since: '2026-11-21T00:00:00.000Z',
    until: null,
    lastHeard: '2026-11-21T00:00:05.000Z',
    counters: { txPdus: 10, rxPdus: 11, retransmits: 1, errors: 0 },
    ...over,
  };
}
