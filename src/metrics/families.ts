// Every metric the daemon exports, declared once: its Prometheus name (`lsoe_…_total` for
// counters, base units, labels rather than names for interface/type/reason/state), its
// help, and how it is read from a Snapshot. Labels are bounded: interfaces, PDU types,
// states and reasons only, never a neighbour's MAC or ID.
import { ENCAPSULATION_TYPES, PduType } from '../proto/types.js';
import { BGP_FAMILIES } from './bgp-families.js';
import type { Snapshot } from './snapshot.js';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface FamilyDef {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  labels: readonly string[];
  /** counter keys read: exact names, or `group.` for every key of a per-reason map */
  reads: readonly string[];
  samples(s: Snapshot): Sample[];
}

/** Session states every view shares (docs: opening | open | hopeless | held-down). */
export const SESSION_STATES = ['opening', 'open', 'hopeless', 'held-down'] as const;

const PDU_TYPES = Object.keys(PduType);

const value = (s: Snapshot, key: string): number => s.counters.get(key) ?? 0;

/** One unlabelled sample from a counter key. */
function single(key: string) {
  return { reads: [key], samples: (s: Snapshot): Sample[] => [{ labels: {}, value: value(s, key) }] };
}

/** One sample per fixed label value, each from its own counter key. */
function fixed(label: string, keys: Record<string, string>) {
  return {
    reads: Object.values(keys),
    samples: (s: Snapshot): Sample[] => Object.entries(keys).map(([v, key]) => ({ labels: { [label]: v }, value: value(s, key) })),
  };
}

/**
 * One sample per key of the per-reason map `group.<x>`, plus `extra` label values each
 * from its own key; `known` values are always there (0 until they happen), so a rate()
 * over them starts at the first scrape.
 */
function perKey(label: string, groups: string | readonly string[], opts: { extra?: Record<string, string>; known?: readonly string[] } = {}) {
  const extra = opts.extra ?? {};
  const prefixes = (typeof groups === 'string' ? [groups] : groups).map((g) => `${g}.`);
  return {
    reads: [...prefixes, ...Object.values(extra)],
    samples: (s: Snapshot): Sample[] => {
      const out = new Map<string, number>((opts.known ?? []).map((v) => [v, 0]));
      for (const [key, n] of s.counters) {
        const prefix = prefixes.find((p) => key.startsWith(p));
        if (prefix !== undefined) out.set(key.slice(prefix.length), n);
      }
      for (const [v, key] of Object.entries(extra)) out.set(v, value(s, key));
      return [...out].map(([v, n]) => ({ labels: { [label]: v }, value: n }));
    },
  };
}

/**
 * The `interface` label's values: every selected interface, its link up or down (so a
 * port that lost its link still has its series, at 0), and any other with sessions.
 */
function interfacesOf(s: Snapshot): string[] {
  return [...new Set([...s.interfaces.map((i) => i.ifname), ...s.announced.map((a) => a.ifname), ...s.sessions.map((x) => x.ifname)])].sort();
}

function encapsCount(list: ReadonlyArray<{ ifname: string; type: string; encaps: readonly unknown[] }>, s: Snapshot): Sample[] {
  const n = new Map<string, number>();
  for (const ifname of interfacesOf(s)) for (const type of ENCAPSULATION_TYPES) n.set(`${ifname}\0${type}`, 0);
  for (const e of list) n.set(`${e.ifname}\0${e.type}`, (n.get(`${e.ifname}\0${e.type}`) ?? 0) + e.encaps.length);
  return [...n].map(([k, v]) => {
    const [ifname, type] = k.split('\0') as [string, string];
    return { labels: { interface: ifname, type }, value: v };
  });
}

export const FAMILIES: readonly FamilyDef[] = [
  {
    name: 'lsoe_info',
    help: 'Always 1; the labels say which daemon this is.',
    type: 'gauge',
    labels: ['version', 'local_id'],
    reads: [],
    samples: (s) => [{ labels: { version: s.version, local_id: String(s.config['effective-local-id'] ?? '') }, value: 1 }],
  },
  {
    name: 'lsoe_sessions',
    help: 'Sessions by interface and state (what lsoe sessions lists).',
    type: 'gauge',
    labels: ['interface', 'state'],
    reads: [],
    samples: (s) => {
      const n = new Map<string, number>();
      for (const ifname of interfacesOf(s)) for (const state of SESSION_STATES) n.set(`${ifname}\0${state}`, 0);
      for (const x of s.sessions) n.set(`${x.ifname}\0${x.state}`, (n.get(`${x.ifname}\0${x.state}`) ?? 0) + 1);
      return [...n].map(([k, v]) => {
        const [ifname, state] = k.split('\0') as [string, string];
        return { labels: { interface: ifname, state }, value: v };
      });
    },
  },
  { name: 'lsoe_interfaces', help: 'Interfaces the daemon runs on.', type: 'gauge', labels: [], ...single('interfaces') },
  {
    name: 'lsoe_interface_up',
    help: "Selected interfaces: 1 when the kernel says the link is up, 0 when it is down.",
    type: 'gauge',
    labels: ['interface'],
    reads: [],
    samples: (s) => s.interfaces.map((i) => ({ labels: { interface: i.ifname }, value: i.up ? 1 : 0 })),
  },
  { name: 'lsoe_session_ups_total', help: 'Sessions that opened.', type: 'counter', labels: [], ...single('sessionsUp') },
  {
    name: 'lsoe_session_downs_total',
    help: 'Sessions that closed (open, or given up while opening), by reason.',
    type: 'counter',
    labels: ['reason'],
    ...perKey('reason', 'sessionsDownBy'),
  },
  { name: 'lsoe_sessions_created_total', help: 'Sessions created for new neighbours.', type: 'counter', labels: [], ...single('sessionsCreated') },
  {
    name: 'lsoe_sessions_refused_total',
    help: 'New neighbours refused a session, by the bound that refused them.',
    type: 'counter',
    labels: ['reason'],
    ...perKey('reason', 'sessionsRefusedBy'),
  },
  {
    name: 'lsoe_sessions_forgotten_total',
    help: 'Sessions that never opened (or no longer are) dropped from the table, by reason.',
    type: 'counter',
    labels: ['reason'],
    ...fixed('reason', { 'aged-out': 'sessionsAgedOut', evicted: 'sessionsEvicted' }),
  },
  {
    name: 'lsoe_pdus_sent_total',
    help: 'PDUs sent (HELLOs included), by PDU type.',
    type: 'counter',
    labels: ['type'],
    ...perKey('type', 'pdusSentBy', { known: PDU_TYPES }),
  },
  {
    name: 'lsoe_pdus_received_total',
    help: 'Well-formed PDUs received, by PDU type.',
    type: 'counter',
    labels: ['type'],
    ...perKey('type', 'pdusReceivedBy', { known: [...PDU_TYPES, 'UNKNOWN'] }),
  },
  {
    name: 'lsoe_pdus_not_sent_total',
    help: 'PDUs a session wanted to send and did not, by reason: no open capture on the interface, or a group address as destination (never done).',
    type: 'counter',
    labels: ['reason'],
    ...fixed('reason', { 'no-capture': 'framesNotSent', 'group-destination': 'sendsToGroupRefused' }),
  },
  { name: 'lsoe_session_restarts_total', help: 'Session restarts neighbours caused (new-nonce OPEN, RESTART ACK, HOPELESS ACK with nothing in flight).', type: 'counter', labels: [], ...single('sessionRestarts') },
  { name: 'lsoe_hold_downs_total', help: 'Neighbours held down for restarting too often.', type: 'counter', labels: [], ...single('holdDowns') },
  { name: 'lsoe_hold_downs_released_total', help: 'Hold-downs an operator released.', type: 'counter', labels: [], ...single('holdDownsReleased') },
  { name: 'lsoe_sessions_cleared_total', help: 'Sessions an operator restarted.', type: 'counter', labels: [], ...single('sessionsCleared') },
  { name: 'lsoe_retransmissions_total', help: 'Acknowledged PDUs sent again for want of an ACK.', type: 'counter', labels: [], ...single('retransmits') },
  { name: 'lsoe_frames_received_total', help: 'LSOE frames received.', type: 'counter', labels: [], ...single('framesReceived') },
  { name: 'lsoe_frames_sent_total', help: 'LSOE frames sent.', type: 'counter', labels: [], ...single('framesSent') },
  {
    name: 'lsoe_frames_dropped_total',
    help: 'Frames dropped, by reason: malformed (truncated, version, length, checksum, pdu, reassembly), untrusted (group-source, zero-source, own-source, not-for-us, held-down), unknown-peer, capture-buffer/capture-interface (the capture layer; restart with it).',
    type: 'counter',
    labels: ['reason'],
    ...perKey('reason', ['malformedBy', 'framesDroppedBy'], {
      extra: { 'unknown-peer': 'pdusFromUnknownPeers', 'capture-buffer': 'captureDropped', 'capture-interface': 'captureIfDropped' },
    }),
  },
  { name: 'lsoe_quiet_frames_total', help: 'Open neighbours\' KEEPALIVEs read late from the links\' quiet sockets (no wake-up of their own), each with its arrival time.', type: 'counter', labels: [], ...single('quietFrames') },
  { name: 'lsoe_quiet_backoffs_total', help: 'Times a link stopped quieting for 30 s because its quiet socket dropped frames (a flood with a neighbour\'s MAC).', type: 'counter', labels: [], ...single('quietBackoffs') },
  { name: 'lsoe_reassembly_bytes', help: 'Octets held by pieces of PDUs waiting for the rest.', type: 'gauge', labels: [], ...single('reassemblyBytes') },
  {
    name: 'lsoe_reassembly_drops_total',
    help: 'Partial PDUs let go by a reassembly bound, by reason: evicted-* (the oldest of a sender without an open session made room), refused-* (the piece itself was refused).',
    type: 'counter',
    labels: ['reason'],
    ...perKey('reason', 'reassemblyDroppedBy'),
  },
  { name: 'lsoe_reassembly_senders', help: 'Senders with pieces waiting.', type: 'gauge', labels: [], ...single('reassemblySenders') },
  {
    name: 'lsoe_encapsulations_learned',
    help: 'Encapsulation entries learned from open sessions, by interface and type.',
    type: 'gauge',
    labels: ['interface', 'type'],
    reads: [],
    samples: (s) => encapsCount(s.learned, s),
  },
  { name: 'lsoe_learned_encapsulation_bytes', help: 'Octets of encapsulations held for open sessions.', type: 'gauge', labels: [], ...single('learnedEncapsBytes') },
  {
    name: 'lsoe_encapsulations_truncated_total',
    help: 'Learned encapsulation entries dropped by a cap, by bound (max-encapsulations-per-type, max-encapsulation-bytes-per-interface).',
    type: 'counter',
    labels: ['bound'],
    ...fixed('bound', { 'per-type': 'encapsTruncatedPerType', 'per-interface': 'encapsTruncatedPerInterface' }),
  },
  { name: 'lsoe_local_encapsulations_not_announced_total', help: 'Local encapsulations left out because they did not fit one PDU.', type: 'counter', labels: [], ...single('localEncapsNotAnnounced') },
  {
    name: 'lsoe_encapsulations_announced',
    help: 'Encapsulation entries we announce, by interface and type.',
    type: 'gauge',
    labels: ['interface', 'type'],
    reads: [],
    samples: (s) => encapsCount(s.announced, s),
  },
  { name: 'lsoe_northbound_reports_submitted_total', help: 'Reports handed to the northbound.', type: 'counter', labels: [], ...single('reportsSubmitted') },
  { name: 'lsoe_northbound_reports_delivered_total', help: 'Reports the collector accepted.', type: 'counter', labels: [], ...single('reportsSent') },
  { name: 'lsoe_northbound_delivery_failures_total', help: 'Failed attempts to deliver a report (retried).', type: 'counter', labels: [], ...single('reportsFailed') },
  {
    name: 'lsoe_northbound_reports_discarded_total',
    help: 'Reports not delivered, by reason: replaced by a newer one for the same key, or dropped from a full queue.',
    type: 'counter',
    labels: ['reason'],
    ...fixed('reason', { replaced: 'reportsReplaced', 'queue-full': 'reportsDropped' }),
  },
  { name: 'lsoe_northbound_reports_coalesced_total', help: 'Reports for one neighbour folded into a later one.', type: 'counter', labels: [], ...single('reportsCoalesced') },
  { name: 'lsoe_events_coalesced_total', help: 'Control-socket events of one neighbour folded into a later one.', type: 'counter', labels: [], ...single('eventsCoalesced') },
  { name: 'lsoe_northbound_backlog', help: 'Reports waiting for the collector.', type: 'gauge', labels: [], ...single('reportBacklog') },
  {
    name: 'lsoe_vendor_pdus_total',
    help: 'VENDOR PDUs received, by whether a plugin took them.',
    type: 'counter',
    labels: ['outcome'],
    ...fixed('outcome', { delivered: 'vendorDelivered', unhandled: 'vendorUnhandled' }),
  },
  { name: 'lsoe_link_errors_total', help: 'Capture errors (an interface that failed to open or vanished).', type: 'counter', labels: [], ...single('linkErrors') },
  { name: 'lsoe_log_lines_suppressed_total', help: 'Log lines held back by the per-neighbour limits.', type: 'counter', labels: [], ...single('logLinesSuppressed') },
  {
    name: 'lsoe_internal_errors_total',
    help: 'Bugs caught and survived, by where: a session hook, a received frame, a plugin.',
    type: 'counter',
    labels: ['where'],
    ...fixed('where', { hook: 'hookErrors', frame: 'frameErrors', plugin: 'pluginErrors' }),
  },
  ...BGP_FAMILIES,
];

/**
 * Counters deliberately not exported: totals of a per-type or per-reason family above,
 * or what a family reads from the views instead.
 */
export const NOT_EXPORTED: readonly string[] = [
  'malformedFrames',
  'reassemblyDropped',
  'framesDropped',
  'sessionsHeldDown',
  'pdusReceived',
  'pdusSent',
  'hellosSent',
  'sessionsDown',
  'sessionsRefused',
  'vendorPdusReceived',
  'reportsQueued',
  'sessions',
  'sessionsOpen',
  'sessionsOpening',
  'sessionsHopeless',
];

/** Counter keys no family reads and not listed in NOT_EXPORTED: a new counter someone forgot. */
export function unexportedCounters(counters: ReadonlyMap<string, number>): string[] {
  const reads = FAMILIES.flatMap((f) => f.reads);
  return [...counters.keys()].filter(
    (k) => !NOT_EXPORTED.includes(k) && !reads.some((r) => (r.endsWith('.') ? k.startsWith(r) : k === r)),
  );
}
