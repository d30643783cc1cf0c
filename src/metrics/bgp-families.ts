// The BGP-LS northbound's metrics, read from its status (the control socket's `bgp`
// answer, src/daemon/bgp-northbound.ts BgpStatus): per configured peer its FSM state,
// messages by type and NLRI announced/withdrawn by NLRI type. The `peer` label is a
// configured `bgp-peer` (address:port), so its values are bounded by the configuration.
import type { BgpStateName } from '../bgp/fsm/types.js';
import type { PeerStatus } from '../bgp/speaker.js';
import type { FamilyDef, Sample } from './families.js';
import type { Snapshot } from './snapshot.js';

/** Every FSM state, so each peer has a series per state (1 for the current one). */
const STATE_SET: Record<BgpStateName, true> = { idle: true, connect: true, active: true, 'open-sent': true, 'open-confirm': true, established: true };
export const BGP_STATES = Object.keys(STATE_SET) as BgpStateName[];

const peers = (s: Snapshot): readonly PeerStatus[] => s.bgp?.peers ?? [];

/** One sample per peer. */
function perPeer(read: (p: PeerStatus) => number) {
  return (s: Snapshot): Sample[] => peers(s).map((p) => ({ labels: { peer: p.peer }, value: read(p) }));
}

/** One sample per peer and key of one of its by-type maps. */
function perPeerType(read: (p: PeerStatus) => Readonly<Record<string, number>>) {
  return (s: Snapshot): Sample[] =>
    peers(s).flatMap((p) => Object.entries(read(p)).map(([type, value]) => ({ labels: { peer: p.peer, type }, value })));
}

export const BGP_FAMILIES: readonly FamilyDef[] = [
  {
    name: 'lsoe_bgp_peer_state',
    help: 'BGP-LS peers by FSM state: 1 for the state each configured peer is in, 0 for the others.',
    type: 'gauge',
    labels: ['peer', 'state'],
    reads: [],
    samples: (s) => peers(s).flatMap((p) => BGP_STATES.map((state) => ({ labels: { peer: p.peer, state }, value: p.state === state ? 1 : 0 }))),
  },
  {
    name: 'lsoe_bgp_peer_state_change_timestamp_seconds',
    help: 'When each BGP-LS peer entered its current state (Unix time).',
    type: 'gauge',
    labels: ['peer'],
    reads: [],
    samples: perPeer((p) => Date.parse(p.since) / 1000),
  },
  {
    name: 'lsoe_bgp_connect_attempts_total',
    help: 'TCP connections the daemon opened (or tried to) to each BGP-LS peer.',
    type: 'counter',
    labels: ['peer'],
    reads: [],
    samples: perPeer((p) => p.connects),
  },
  {
    name: 'lsoe_bgp_messages_sent_total',
    help: 'BGP messages sent to each peer, by message type.',
    type: 'counter',
    labels: ['peer', 'type'],
    reads: [],
    samples: perPeerType((p) => p.messagesSent),
  },
  {
    name: 'lsoe_bgp_messages_received_total',
    help: 'BGP messages received from each peer, by message type.',
    type: 'counter',
    labels: ['peer', 'type'],
    reads: [],
    samples: perPeerType((p) => p.messagesReceived),
  },
  {
    name: 'lsoe_bgp_nlri_announced_total',
    help: 'BGP-LS NLRI announced to each peer, by NLRI type (node, link, ipv4-prefix, ipv6-prefix).',
    type: 'counter',
    labels: ['peer', 'type'],
    reads: [],
    samples: perPeerType((p) => p.announced),
  },
  {
    name: 'lsoe_bgp_nlri_withdrawn_total',
    help: 'BGP-LS NLRI withdrawn from each peer, by NLRI type.',
    type: 'counter',
    labels: ['peer', 'type'],
    reads: [],
    samples: perPeerType((p) => p.withdrawn),
  },
  {
    name: 'lsoe_bgp_peer_routes',
    help: 'BGP-LS routes each peer has from us now (0 unless established).',
    type: 'gauge',
    labels: ['peer'],
    reads: [],
    samples: perPeer((p) => p.held),
  },
  {
    name: 'lsoe_bgp_routes',
    help: 'BGP-LS routes the daemon would announce now (0 without a bgp-peer).',
    type: 'gauge',
    labels: [],
    reads: [],
    samples: (s) => [{ labels: {}, value: s.bgp?.routes ?? 0 }],
  },
  {
    name: 'lsoe_bgp_links_held_back',
    help: "Open LSOE sessions whose Link NLRI waits for the neighbour's BGP router-id.",
    type: 'gauge',
    labels: [],
    reads: [],
    samples: (s) => [{ labels: {}, value: s.bgp?.heldBack.length ?? 0 }],
  },
];
