// Public API of the LSOE session state machine (PROTOCOL.md section 5).
//
// One machine per session, keyed by (ifname, peerMac). The machine is pure:
//   step(session, event, now) → { session, actions }
// It never reads a clock, never arms a real timer, never does I/O and never draws
// random numbers: time comes in as `now`, randomness as `params.nonceSeed`, and
// everything it wants done comes out as `SessionAction` data for the runtime.
//
// Time unit: seconds everywhere (`now`, `at`, the interval parameters). `now` may
// have any origin (epoch or monotonic) as long as it never goes backwards for a
// session; the runtime converts for display.
//
// This file is the contract the daemon codes against: keep it stable.

import type {
  EncapsulationTypeName,
  Encapsulation,
  Mac,
  Pdu,
  EncapsulationPdu,
  VendorPdu,
} from '../types.js';

/** Timer and retransmission settings, lsoed names in camelCase, in seconds. */
export interface SessionTimingParams {
  /** `retransmit-initial-interval` (1.0): first retransmission delay of an acked PDU */
  retransmitInitialInterval: number;
  /** `retransmit-exponential-backoff` (true): double the delay after each retransmission */
  retransmitExponentialBackoff: boolean;
  /** `retransmit-max-drop` (3): after this many unanswered sends of one PDU the session closes */
  retransmitMaxDrop: number;
  /** `keepalive-send-interval` (1.0): KEEPALIVE period while open */
  keepaliveSendInterval: number;
  /** `keepalive-receive-timeout` (60.0): silence that closes the session; 0 = never */
  keepaliveReceiveTimeout: number;
}

export const DEFAULT_TIMING: Readonly<SessionTimingParams> = {
  retransmitInitialInterval: 1.0,
  retransmitExponentialBackoff: true,
  retransmitMaxDrop: 3,
  keepaliveSendInterval: 1.0,
  keepaliveReceiveTimeout: 60.0,
};

/** What we announce on this interface, one list per encapsulation type (missing = empty). */
export type AnnouncedEncapsSet = Partial<Record<EncapsulationTypeName, readonly Encapsulation[]>>;

export interface SessionParams {
  ifname: string;
  /** the neighbour's MAC, aa:bb:cc:dd:ee:ff; every PDU we send goes there */
  peerMac: Mac;
  /** our Local ID, 10 octets as 20 lowercase hex digits */
  localId: string;
  /** attributes carried in our OPEN, hex ('' = none) */
  attributes?: string;
  /**
   * Seed of the session's nonce generator (any 32-bit integer). The runtime passes
   * crypto-random bits; tests pass a constant. Each session start (first start and
   * every restart) takes the next nonce from a deterministic generator held in the
   * session, so `step` stays pure and replayable.
   */
  nonceSeed: number;
  /** encapsulations announced at creation; later changes come as `local-encaps-changed` */
  announced?: AnnouncedEncapsSet;
  timing?: Partial<SessionTimingParams>;
}

/** PDU types that need an ACK and therefore have a send slot and a retransmit timer. */
export type AckedTypeName = 'OPEN' | EncapsulationTypeName | 'VENDOR';

/** Timer names. The runtime keeps at most one real timer per (session, name). */
export type TimerName =
  | 'keepalive-send' // time to send the next KEEPALIVE
  | 'keepalive-receive' // the peer has been silent for keepalive-receive-timeout
  | `retransmit:${AckedTypeName}`; // the PDU of that type in flight was not ACKed in time

/**
 * Lifecycle:
 * - `idle`     not running: never started, or closed. Any HELLO/KEEPALIVE/OPEN from the
 *              peer starts it again. The daemon may drop idle sessions from its table.
 * - `opening`  our OPEN sent and/or the peer's OPEN received, not both done yet.
 * - `open`     our OPEN was ACKed and the peer's OPEN received.
 * - `hopeless` closed by an ACK with error type HOPELESS; ignores every PDU from the
 *              peer until `link-down` or an operator `reset`. The daemon must keep these
 *              in its table (or the marker is lost and the peer would reopen).
 */
export type SessionPhase = 'idle' | 'opening' | 'open' | 'hopeless';

export type CloseReason =
  | 'admin' // `close` event: operator or shutdown
  | 'link-down'
  | 'keepalive-timeout'
  | 'retransmit-exhausted'
  | 'peer-restarted' // OPEN with a new nonce
  | 'restart-requested' // ACK with error type RESTART
  | 'hopeless'; // ACK with error type HOPELESS

export interface SessionCounters {
  txPdus: number;
  rxPdus: number;
  /** retransmissions of acked PDUs (first sends not counted) */
  retransmits: number;
  /** ACKs with an error, UNKNOWN PDUs, unexpected ACKs, retransmit exhaustion */
  errors: number;
}

/** An acked PDU in flight: sent, not yet ACKed. */
export interface InFlight {
  readonly pdu: Pdu;
  /** how many times it has been sent (1 after the first send) */
  readonly sends: number;
  /** when the retransmit timer fires */
  readonly retransmitAt: number;
}

/** One send slot per acked type: at most one in flight, at most one (the newest) waiting. */
export interface SendSlot {
  readonly inFlight: InFlight | null;
  readonly waiting: Pdu | null;
}

/**
 * The whole state of one session: plain, immutable data (never mutate it; `step`
 * returns a new object). Fields are readable by the daemon for views.
 */
export interface Session {
  readonly ifname: string;
  readonly peerMac: Mac;
  readonly localId: string;
  readonly attributes: string;
  readonly timing: Readonly<SessionTimingParams>;
  readonly phase: SessionPhase;
  /** when the current phase began (`now` units) */
  readonly since: number;
  /** when we last received any PDU from the peer, null if never */
  readonly lastHeard: number | null;
  /** our nonce of the current (or, when idle, the last) start, hex; null before the first start */
  readonly nonce: string | null;
  /** nonce generator state (internal) */
  readonly rng: number;
  /** our OPEN has been ACKed in the current start */
  readonly ourOpenAcked: boolean;
  /** the peer's OPEN as received in the current start (null = not yet) */
  readonly peerNonce: string | null;
  readonly peerId: string | null;
  readonly peerAttributes: string | null;
  /** what we announce, per type (always all four types) */
  readonly announced: Readonly<Record<EncapsulationTypeName, readonly Encapsulation[]>>;
  /** the last version of each type we put on the wire or queued this start (for change detection) */
  readonly lastAnnounced: Readonly<Partial<Record<EncapsulationTypeName, readonly Encapsulation[]>>>;
  /**
   * What the peer announced, per type, latest received. Encapsulations that arrive
   * while opening (after the peer's OPEN) are ACKed and held here, and reported when
   * the session opens; while open, a type is reported when its content changes.
   */
  readonly learned: Readonly<Partial<Record<EncapsulationTypeName, readonly Encapsulation[]>>>;
  readonly slots: Readonly<Partial<Record<AckedTypeName, SendSlot>>>;
  /** absolute deadlines of the timers we asked the runtime to arm */
  readonly timers: Readonly<Partial<Record<TimerName, number>>>;
  readonly counters: Readonly<SessionCounters>;
}

export type SessionEvent =
  /** a decoded PDU from this session's peer (the runtime has reassembled it) */
  | { type: 'pdu-received'; pdu: Pdu }
  /** a timer armed by `arm-timer` came due */
  | { type: 'timer-fired'; name: TimerName }
  /** the interface went down: close at once (and clear a hopeless marker) */
  | { type: 'link-down' }
  /** new announced encapsulations for this interface; types not present are unchanged */
  | { type: 'local-encaps-changed'; announced: AnnouncedEncapsSet }
  /** a vendor plugin wants this VENDOR PDU delivered to the peer (only while open) */
  | { type: 'send-vendor'; pdu: VendorPdu }
  /** operator or shutdown: close the session (it stays idle until the peer speaks again) */
  | { type: 'close' }
  /** operator action: clear a hopeless marker (phase becomes idle); no-op otherwise */
  | { type: 'reset' };

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export type SessionAction =
  /** put this PDU on the wire to `dst` (always the peer's MAC) out of the session's interface */
  | { type: 'send'; pdu: Pdu; dst: Mac }
  /** (re)arm the named timer to fire at absolute time `at`; replaces an earlier one of that name */
  | { type: 'arm-timer'; name: TimerName; at: number }
  | { type: 'cancel-timer'; name: TimerName }
  | { type: 'session-up'; peerId: string; peerAttributes: string }
  /**
   * The session closed (or restarted). `wasOpen` tells whether a `session-up` preceded it;
   * an opening session that gives up also yields `session-down` with `wasOpen: false`.
   */
  | { type: 'session-down'; reason: CloseReason; wasOpen: boolean }
  /** a received encapsulation PDU whose content changed: forward northbound */
  | { type: 'report'; pdu: EncapsulationPdu; peerId: string | null }
  /**
   * Forget what this session reported: the runtime reports an empty list for each
   * listed type (lsoed compatibility: all four types, whatever was received).
   */
  | { type: 'withdraw'; types: EncapsulationTypeName[]; peerId: string | null }
  /** a VENDOR PDU from the peer (already ACKed): hand to the plugin for its enterprise number */
  | { type: 'vendor-received'; pdu: VendorPdu }
  | { type: 'log'; level: LogLevel; message: string };

export interface StepResult {
  session: Session;
  actions: SessionAction[];
}
