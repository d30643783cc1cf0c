// What we should have announced, computed from the daemon's view (PROTOCOL.md
// section 8): a pure function, so a change is a diff and a reconnect is the whole set.
// Node NLRI with the Node Name; one Prefix NLRI per Loopback or Primary prefix on an
// interface the daemon runs on; one Link NLRI per open LSOE session whose peer's
// router-id is known (the others are counted as held back).
import type { Encapsulation } from '../../proto/types.js';
import { ipOctets, ipText, maskPrefix } from '../wire/address.js';
import type { LsAttribute } from './attribute.js';
import { nlriKey, type LinkNlri, type LsNlri, type NodeDescriptor } from './nlri.js';
import { routerIdOf } from './router-id.js';
import { PROTOCOL_BGP } from './tlv.js';

export interface LsSettings {
  asn: number;
  /** bgp-ls-instance-id */
  instanceId: bigint;
  /** also send TLV 515 with the router-id */
  igpRouterId: boolean;
  nodeName: string;
  /** bgp-ls-remote-asn for the session on this interface */
  remoteAsn(ifname: string): number;
}

export interface LsInterface {
  ifname: string;
  ifindex: number;
  /** what we announce on it in LSOE (IPv4 and IPv6 encapsulations) */
  announced: readonly Encapsulation[];
}

export interface LsSession {
  ifname: string;
  peerMac: string;
  /** what the peer announced to us (IPv4 and IPv6 encapsulations) */
  learned: readonly Encapsulation[];
}

export interface LsView {
  /** our router-id; null = nothing can be announced */
  routerId: string | null;
  /** the device's loopback addresses (kept while every link is down) */
  loopbacks: readonly Encapsulation[];
  interfaces: readonly LsInterface[];
  /** open sessions only */
  sessions: readonly LsSession[];
}

export interface LsRoute {
  nlri: LsNlri;
  attribute: LsAttribute | null;
}

export interface LsRouteSet {
  /** by nlriKey */
  routes: Map<string, LsRoute>;
  /** open sessions whose peer announced no usable loopback IPv4 */
  heldBack: { ifname: string; peerMac: string }[];
}

const isV6 = (e: Encapsulation) => e.address.includes(':');
/** Link-local and host addresses are not topology. */
const global = (e: Encapsulation) => !/^(127\.|169\.254\.|fe[89ab]|::1$)/i.test(e.address);

function node(s: LsSettings, routerId: string): NodeDescriptor {
  return { asn: s.asn, ...(s.igpRouterId ? { igpRouterId: routerId } : {}), bgpRouterId: routerId };
}

function primary(list: readonly Encapsulation[], v6: boolean): string | undefined {
  return list.find((e) => e.primary && !e.loopback && isV6(e) === v6 && global(e))?.address;
}

function prefixRoute(s: LsSettings, local: NodeDescriptor, e: Encapsulation): LsRoute {
  const v6 = isV6(e);
  return {
    nlri: {
      type: v6 ? 'ipv6-prefix' : 'ipv4-prefix',
      protocolId: PROTOCOL_BGP,
      identifier: s.instanceId,
      local,
      prefix: ipText(maskPrefix(ipOctets(e.address), e.prefixLength)),
      prefixLength: e.prefixLength,
      routeType: e.loopback ? 1 : 2,
    },
    attribute: null,
  };
}

export function lsRoutes(view: LsView, s: LsSettings): LsRouteSet {
  const routes = new Map<string, LsRoute>();
  const heldBack: LsRouteSet['heldBack'] = [];
  if (view.routerId === null) return { routes, heldBack };
  const local = node(s, view.routerId);
  const add = (r: LsRoute) => routes.set(nlriKey(r.nlri), r);
  add({ nlri: { type: 'node', protocolId: PROTOCOL_BGP, identifier: s.instanceId, local }, attribute: { nodeName: s.nodeName } });
  for (const e of view.loopbacks) if (global(e)) add(prefixRoute(s, local, { ...e, loopback: true }));
  for (const i of view.interfaces) {
    for (const e of i.announced) if ((e.loopback || e.primary) && global(e)) add(prefixRoute(s, local, e));
  }
  const byName = new Map(view.interfaces.map((i) => [i.ifname, i]));
  for (const session of view.sessions) {
    const peerId = routerIdOf(session.learned);
    const iface = byName.get(session.ifname);
    if (peerId === null || iface === undefined) {
      heldBack.push({ ifname: session.ifname, peerMac: session.peerMac });
      continue;
    }
    const link: LinkNlri = {
      type: 'link',
      protocolId: PROTOCOL_BGP,
      identifier: s.instanceId,
      local,
      remote: { asn: s.remoteAsn(session.ifname), ...(s.igpRouterId ? { igpRouterId: peerId } : {}), bgpRouterId: peerId },
      linkIds: [iface.ifindex, 0],
    };
    for (const v6 of [false, true]) {
      const ours = primary(iface.announced, v6);
      const theirs = primary(session.learned, v6);
      if (ours === undefined || theirs === undefined) continue;
      if (v6) Object.assign(link, { ipv6Interface: ours, ipv6Neighbor: theirs });
      else Object.assign(link, { ipv4Interface: ours, ipv4Neighbor: theirs });
    }
    add({ nlri: link, attribute: { linkName: session.ifname } });
  }
  return { routes, heldBack };
}
