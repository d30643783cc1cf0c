// What goes over the socket is built here, field by field, from what the core returns:
// never a serialised internal object, so a field added inside the daemon does not leak
// out and a client can rely on exactly these keys.
import type { Encapsulation } from '../proto/types.js';
import type { AnnouncedEncaps, DaemonEvent, InterfaceNeighbors, LearnedEncaps, NeighborView, SessionView } from '../daemon/core.js';
import type { NeighborAddress } from '../daemon/views.js';
import type { BgpStatus } from '../daemon/bgp-northbound.js';

export function sessionToWire(s: SessionView): SessionView {
  return {
    ifname: s.ifname,
    peerMac: s.peerMac,
    peerId: s.peerId,
    state: s.state,
    since: s.since,
    until: s.until,
    lastHeard: s.lastHeard,
    counters: {
      txPdus: s.counters.txPdus,
      rxPdus: s.counters.rxPdus,
      retransmits: s.counters.retransmits,
      errors: s.counters.errors,
    },
  };
}

export function encapToWire(e: Encapsulation): Encapsulation {
  const out: Encapsulation = {
    address: e.address,
    prefixLength: e.prefixLength,
    primary: e.primary,
    loopback: e.loopback,
  };
  if (e.labels !== undefined) out.labels = [...e.labels];
  return out;
}

export function learnedToWire(l: LearnedEncaps): LearnedEncaps {
  return {
    ifname: l.ifname,
    peerMac: l.peerMac,
    peerId: l.peerId,
    type: l.type,
    encaps: l.encaps.map(encapToWire),
  };
}

export function announcedToWire(a: AnnouncedEncaps): AnnouncedEncaps {
  return { ifname: a.ifname, type: a.type, encaps: a.encaps.map(encapToWire) };
}

/**
 * Events keep their extra keys (the interface allows them, e.g. a reason for session-down)
 * but only those that survive JSON: the result is parsed back so nothing odd is passed on.
 */
export function eventToWire(e: DaemonEvent): DaemonEvent {
  const copy = JSON.parse(JSON.stringify(e)) as DaemonEvent;
  return { ...copy, event: e.event, time: e.time, ifname: e.ifname, peerMac: e.peerMac, peerId: e.peerId };
}

function addressToWire(a: NeighborAddress): NeighborAddress {
  return { address: a.address, prefixLength: a.prefixLength, primary: a.primary, loopback: a.loopback };
}

export function neighborToWire(n: NeighborView): NeighborView {
  return {
    peerMac: n.peerMac,
    peerId: n.peerId,
    state: n.state,
    since: n.since,
    until: n.until,
    lastHeard: n.lastHeard,
    ipv4: n.ipv4.map(addressToWire),
    ipv6: n.ipv6.map(addressToWire),
    flaps: n.flaps,
    lastDown: n.lastDown === null ? null : { time: n.lastDown.time, reason: n.lastDown.reason },
  };
}

export function interfaceNeighborsToWire(i: InterfaceNeighbors): InterfaceNeighbors {
  return { ifname: i.ifname, mac: i.mac, up: i.up, running: i.running, neighbors: i.neighbors.map(neighborToWire) };
}
/** The BGP-LS northbound's status, field by field (`lsoe bgp`); null = not running. */
export function bgpToWire(b: BgpStatus | null): BgpStatus {
  if (b === null) return { enabled: false, routerId: null, asn: null, routes: 0, heldBack: [], peers: [] };
  return {
    enabled: b.enabled,
    routerId: b.routerId,
    asn: b.asn,
    routes: b.routes,
    heldBack: b.heldBack.map((h) => ({ ifname: h.ifname, peerMac: h.peerMac })),
    peers: b.peers.map((p) => ({
      peer: p.peer,
      asn: p.asn,
      peerAsn: p.peerAsn,
      state: p.state,
      since: p.since,
      peerRouterId: p.peerRouterId,
      localAddress: p.localAddress,
      linkState: p.linkState,
      messagesSent: { ...p.messagesSent },
      messagesReceived: { ...p.messagesReceived },
      announced: { ...p.announced },
      withdrawn: { ...p.withdrawn },
      held: p.held,
      connects: p.connects,
      lastError: p.lastError,
    })),
  };
}
