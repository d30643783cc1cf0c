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

/** Which sessions an operator action concerns (all when empty). */
export interface SessionFilter {
  ifname?: string;
  peerMac?: string;
}

/** What the control socket (src/ctl) may call: plain, synchronous, side-effect free. */
export interface DaemonCore {
  sessions(): SessionView[];
  learnedEncaps(): LearnedEncaps[];
  announcedEncaps(): AnnouncedEncaps[];
  counters(): Counters;
  config(): Record<string, unknown>;
  version(): string;
  subscribe(listener: (e: DaemonEvent) => void): () => void;
}
