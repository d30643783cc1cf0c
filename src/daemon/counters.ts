// Every counter the daemon keeps, declared: a misspelt counter is a type error and the
// whole list can be shown (control socket `counters`, metrics). Where the reasons vary,
// one total and a per-reason map (`malformed` and `malformedBy.checksum`).
import type { Refusal } from './bounds.js';
import type { CloseReason } from '../proto/session/index.js';
import type { PduTypeName } from '../proto/types.js';
import type { ReassemblyDropReason } from '../proto/fragment.js';

/** Why a received frame was dropped before any session saw it (PROTOCOL.md has no say: our policy). */
export type FrameDropReason =
  /** the source MAC is a group (multicast/broadcast) address */
  | 'group-source'
  /** the source MAC is 00:00:00:00:00:00 */
  | 'zero-source'
  /** the source MAC is one of our own interfaces' */
  | 'own-source'
  /** addressed neither to our MAC nor to the configured HELLO group (promiscuous capture) */
  | 'not-for-us'
  /** the sender is held down after too many restarts */
  | 'held-down';

/** Counters the core itself bumps. */
export interface CoreCounts {
  framesReceived: number;
  framesDropped: number;
  framesDroppedBy: Partial<Record<FrameDropReason, number>>;
  malformedFrames: number;
  malformedBy: Record<string, number>;
  pdusReceived: number;
  /** by PDU type (UNKNOWN: a type we do not know) */
  pdusReceivedBy: Partial<Record<PduTypeName | 'UNKNOWN', number>>;
  pdusSent: number;
  /** by PDU type, HELLOs included (pdusSent does not count them: hellosSent does) */
  pdusSentBy: Partial<Record<PduTypeName | 'UNKNOWN', number>>;
  framesSent: number;
  framesNotSent: number;
  /** PDUs a session wanted to send to a group address: never done */
  sendsToGroupRefused: number;
  hellosSent: number;
  sessionsCreated: number;
  sessionsRefused: number;
  sessionsRefusedBy: Partial<Record<Refusal, number>>;
  sessionsAgedOut: number;
  sessionsEvicted: number;
  sessionsUp: number;
  sessionsDown: number;
  sessionsDownBy: Partial<Record<CloseReason, number>>;
  /** restarts a neighbour caused (new-nonce OPEN, RESTART ACK, HOPELESS ACK with nothing in flight) */
  sessionRestarts: number;
  /** neighbours held down for restarting too often */
  holdDowns: number;
  /** hold-downs an operator released (clearSessions) */
  holdDownsReleased: number;
  /** sessions restarted by an operator (clearSessions) */
  sessionsCleared: number;
  /** encapsulation entries dropped by max-encapsulations-per-type */
  encapsTruncatedPerType: number;
  /** encapsulation entries dropped by max-encapsulation-bytes-per-interface */
  encapsTruncatedPerInterface: number;
  /** local encapsulations that did not fit one PDU (not announced) */
  localEncapsNotAnnounced: number;
  /** encapsulation reports for one neighbour folded into a later one */
  reportsCoalesced: number;
  /** control-socket events of one neighbour folded into a later one (neighbour-events.ts) */
  eventsCoalesced: number;
  /** log lines held back by per-neighbour limits */
  logLinesSuppressed: number;
  /** partial PDUs let go by a reassembly bound (evicted to make room, or refused) */
  reassemblyDropped: number;
  reassemblyDroppedBy: Partial<Record<ReassemblyDropReason, number>>;
  hookErrors: number;
  frameErrors: number;
  pdusFromUnknownPeers: number;
  reportsSubmitted: number;
  vendorPdusReceived: number;
  linkErrors: number;
}

/** Gauges computed when asked. */
export interface CoreGauges {
  sessions: number;
  sessionsOpen: number;
  sessionsOpening: number;
  sessionsHopeless: number;
  sessionsHeldDown: number;
  interfaces: number;
  captureDropped: number;
  captureIfDropped: number;
  /** frames read late from the links' quiet sockets (open neighbours' KEEPALIVEs: no wake-up of their own) */
  quietFrames: number;
  /** times a link stopped quieting for a while because its quiet socket dropped frames (a flood with a neighbour's MAC) */
  quietBackoffs: number;
  reassemblySenders: number;
  reassemblyBytes: number;
  learnedEncapsBytes: number;
  /** retransmissions of every session, removed ones included (a total, kept by the session table) */
  retransmits: number;
}

/** What the reporter and the plugins add (run.ts wires them); zeros when nothing does. */
export interface ExtraCounters {
  reportsQueued: number;
  reportsSent: number;
  reportsFailed: number;
  reportsReplaced: number;
  reportsDropped: number;
  reportBacklog: number;
  vendorDelivered: number;
  vendorUnhandled: number;
  pluginErrors: number;
}

/** The extra counters before (or without) a reporter and plugins: every key, at 0. */
export const NO_EXTRA_COUNTERS: Readonly<ExtraCounters> = {
  reportsQueued: 0,
  reportsSent: 0,
  reportsFailed: 0,
  reportsReplaced: 0,
  reportsDropped: 0,
  reportBacklog: 0,
  vendorDelivered: 0,
  vendorUnhandled: 0,
  pluginErrors: 0,
};

/** The control socket's `counters` answer: every key, every time. */
export type Counters = CoreCounts & CoreGauges & ExtraCounters;

/**
 * Every counter by name and shape: a number, or a map by reason/type. Typed over
 * `Counters`, so a counter added to the type and not here (or spelt otherwise) does not
 * compile; docs/schema/control.schema.json (countersResult) is held to this list by
 * test/schema/schemas.test.ts, so the schema names every counter too.
 */
export const COUNTER_SHAPES: { readonly [K in keyof Counters]-?: Counters[K] extends number ? 'count' : 'map' } = {
  framesReceived: 'count',
  framesDropped: 'count',
  framesDroppedBy: 'map',
  malformedFrames: 'count',
  malformedBy: 'map',
  pdusReceived: 'count',
  pdusReceivedBy: 'map',
  pdusSent: 'count',
  pdusSentBy: 'map',
  framesSent: 'count',
  framesNotSent: 'count',
  sendsToGroupRefused: 'count',
  hellosSent: 'count',
  sessionsCreated: 'count',
  sessionsRefused: 'count',
  sessionsRefusedBy: 'map',
  sessionsAgedOut: 'count',
  sessionsEvicted: 'count',
  sessionsUp: 'count',
  sessionsDown: 'count',
  sessionsDownBy: 'map',
  sessionRestarts: 'count',
  holdDowns: 'count',
  holdDownsReleased: 'count',
  sessionsCleared: 'count',
  encapsTruncatedPerType: 'count',
  encapsTruncatedPerInterface: 'count',
  localEncapsNotAnnounced: 'count',
  reportsCoalesced: 'count',
  eventsCoalesced: 'count',
  logLinesSuppressed: 'count',
  reassemblyDropped: 'count',
  reassemblyDroppedBy: 'map',
  hookErrors: 'count',
  frameErrors: 'count',
  pdusFromUnknownPeers: 'count',
  reportsSubmitted: 'count',
  vendorPdusReceived: 'count',
  linkErrors: 'count',
  sessions: 'count',
  sessionsOpen: 'count',
  sessionsOpening: 'count',
  sessionsHopeless: 'count',
  sessionsHeldDown: 'count',
  interfaces: 'count',
  captureDropped: 'count',
  captureIfDropped: 'count',
  quietFrames: 'count',
  quietBackoffs: 'count',
  reassemblySenders: 'count',
  reassemblyBytes: 'count',
  learnedEncapsBytes: 'count',
  retransmits: 'count',
  reportsQueued: 'count',
  reportsSent: 'count',
  reportsFailed: 'count',
  reportsReplaced: 'count',
  reportsDropped: 'count',
  reportBacklog: 'count',
  vendorDelivered: 'count',
  vendorUnhandled: 'count',
  pluginErrors: 'count',
};

export function newCoreCounts(): CoreCounts {
  return {
    framesReceived: 0,
    framesDropped: 0,
    framesDroppedBy: {},
    malformedFrames: 0,
    malformedBy: {},
    pdusReceived: 0,
    pdusReceivedBy: {},
    pdusSent: 0,
    pdusSentBy: {},
    framesSent: 0,
    framesNotSent: 0,
    sendsToGroupRefused: 0,
    hellosSent: 0,
    sessionsCreated: 0,
    sessionsRefused: 0,
    sessionsRefusedBy: {},
    sessionsAgedOut: 0,
    sessionsEvicted: 0,
    sessionsUp: 0,
    sessionsDown: 0,
    sessionsDownBy: {},
    sessionRestarts: 0,
    holdDowns: 0,
    holdDownsReleased: 0,
    sessionsCleared: 0,
    encapsTruncatedPerType: 0,
    encapsTruncatedPerInterface: 0,
    localEncapsNotAnnounced: 0,
    reportsCoalesced: 0,
    eventsCoalesced: 0,
    logLinesSuppressed: 0,
    reassemblyDropped: 0,
    reassemblyDroppedBy: {},
    hookErrors: 0,
    frameErrors: 0,
    pdusFromUnknownPeers: 0,
    reportsSubmitted: 0,
    vendorPdusReceived: 0,
    linkErrors: 0,
  };
}

/** Adds one to a per-reason map. */
export function bump<K extends string>(map: Partial<Record<K, number>>, reason: K, by = 1): void {
  map[reason] = (map[reason] ?? 0) + by;
}

/** A deep copy for callers (the maps must not be shared). */
export function snapshotCounts(c: CoreCounts): CoreCounts {
  return {
    ...c,
    framesDroppedBy: { ...c.framesDroppedBy },
    malformedBy: { ...c.malformedBy },
    sessionsRefusedBy: { ...c.sessionsRefusedBy },
    pdusReceivedBy: { ...c.pdusReceivedBy },
    pdusSentBy: { ...c.pdusSentBy },
    sessionsDownBy: { ...c.sessionsDownBy },
    reassemblyDroppedBy: { ...c.reassemblyDroppedBy },
  };
}

/** Every counter at 0, every map empty: what a daemon that has seen nothing answers (test doubles start here). */
export function zeroCounters(): Counters {
  return Object.fromEntries(Object.entries(COUNTER_SHAPES).map(([k, shape]) => [k, shape === 'count' ? 0 : {}])) as unknown as Counters;
}
