// The shapes the daemon core hands out (docs/ARCHITECTURE.md, "src/daemon"). They are
// built by explicit functions in core.ts, never by exposing internal session objects.
import type { Encapsulation, EncapsulationTypeName } from '../proto/types.js';
import type { Counters } from './counters.js';

export interface SessionCounters {
  txPdus: number;
  rxPdus: number;
  retransmits: number;
  errors: number;
}

/** One session state for every view: the control socket, `lsoe sessions`, the lab, metrics. */
export type SessionState = 'opening' | 'open' | 'hopeless' | 'held-down';

export interface SessionView {
  ifname: string;
  peerMac: string;
  peerId: string | null;
  state: SessionState;
  /** when the current state began */
  since: string /* ISO */;
  /** when the hold-down ends; null unless held-down (the key is always there) */
  until: string | null;
  lastHeard: string | null;
  counters: SessionCounters;
}

export interface LearnedEncaps {
  ifname: string;
  peerMac: string;
  peerId: string | null;
  type: EncapsulationTypeName;
  encaps: Encapsulation[];
}

export interface AnnouncedEncaps {
  ifname: string;
  type: EncapsulationTypeName;
  encaps: Encapsulation[];
}

export type DaemonEvent = {
  event: 'session-up' | 'session-down' | 'encaps-changed';
  time: string;
  ifname: string;
  peerMac: string;
  peerId: string | null;
  [k: string]: unknown;
};

/** A learned address as `lsoe neighbors` shows it: primary/loopback, v4/v6. */
export interface NeighborAddress {
  address: string;
  prefixLength: number;
  primary: boolean;
  loopback: boolean;
}

/** One neighbour on an interface: its session now (if any) and its history. */
export interface NeighborView {
  peerMac: string;
  peerId: string | null;
  /** the session's state, or 'down' when only the history remains */
  state: SessionState | 'down';
  /** when the current state began (up since / down since); ISO */
  since: string | null;
  /** when a hold-down ends (state 'held-down'); null otherwise; ISO */
  until: string | null;
  lastHeard: string | null;
  ipv4: NeighborAddress[];
  ipv6: NeighborAddress[];
  /** times an open session with it went down */
  flaps: number;
  lastDown: { time: string; reason: string } | null;
}

/** A selected interface, up or down, with or without neighbours. */
export interface InterfaceNeighbors {
  ifname: string;
  mac: string | null;
  /** the kernel's link state */
  up: boolean;
  /** LSOE runs on it (capture open) */
  running: boolean;
  neighbors: NeighborView[];
}

/** The interface patterns the daemon was given, and those matching nothing now. */
export interface InterfaceSelection {
  patterns: string[];
  unmatched: string[];
}

/** Which sessions an operator action concerns (all when empty). */
export interface SessionFilter {
  ifname?: string;
  peerMac?: string;
}

/** What the control socket (src/ctl) may call: plain and synchronous; only clearSessions changes state. */
export interface DaemonCore {
  sessions(): SessionView[];
  learnedEncaps(): LearnedEncaps[];
  announcedEncaps(): AnnouncedEncaps[];
  counters(): Counters;
  config(): Record<string, unknown>;
  version(): string;
  neighbors(): InterfaceNeighbors[];
  interfaceSelection(): InterfaceSelection;
  /** Restarts the matching sessions and releases hopeless ones (the operator reset); returns how many. */
  clearSessions(filter: SessionFilter): number;
  subscribe(listener: (e: DaemonEvent) => void): () => void;
}
