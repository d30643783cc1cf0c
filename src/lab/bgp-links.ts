// The lab's fabric as BGP-LS shows it (`lab up --bgp`): each daemon announces one
// half-link per open LSOE session (PROTOCOL.md section 8); two halves whose ends name
// each other (router-id and interface address) are one link. Laid over the plan, every
// planned link gets its two halves, present or not, and every switch its session with
// gobgpd next to what the dump holds from it. Pure.
import type { LinkNlri } from '../bgp/ls/nlri.js';
import type { LsRib } from '../bgp/ls/rib.js';
import type { GobgpNeighbor } from './gobgpd.js';
import { mgmtAddressOf, type LabPlan } from './plan.js';

export interface BgpLinkEnd {
  /** the switch whose loopback is this router-id, null when none in the plan */
  node: string | null;
  ifname: string | null;
  routerId: string;
  /** this end's interface address (IPv4, else IPv6), null when the NLRI has none */
  address: string | null;
  /** this end announced its half */
  inBgp: boolean;
}

/** One record of `lsoe lab status --bgp --json` per link. */
export interface BgpLinkStatus {
  /** the plan's link index, null for a half-link the plan does not know */
  link: number | null;
  upper: BgpLinkEnd;
  lower: BgpLinkEnd;
  /** both halves present: the link as a collector joins it */
  paired: boolean;
}

/** One record of `lsoe lab status --bgp --json` per switch: its session as gobgpd sees it. */
export interface BgpPeerStatus {
  node: string;
  /** the switch's management address, gobgpd's neighbour */
  address: string;
  /** gobgpd's session state, 'none' when gobgpd has no such neighbour */
  state: string;
  /** gobgpd's counts for the `ls` family */
  received: number;
  accepted: number;
  /** NLRI the dump holds from this switch (announced and not withdrawn) */
  dumped: number;
  /** gobgpd's Accepted and the dump agree */
  agrees: boolean;
}

export interface LabBgpStatus {
  links: BgpLinkStatus[];
  peers: BgpPeerStatus[];
}

const bare = (cidr: string): string => cidr.split('/')[0]!;

/** A half-link's two ends as keys: `routerId|address`. */
function ends(n: LinkNlri): { near: string; far: string } {
  const near = n.ipv4Interface ?? n.ipv6Interface ?? `#${n.linkIds?.[0] ?? 0}`;
  const far = n.ipv4Neighbor ?? n.ipv6Neighbor ?? '?';
  return { near: `${n.local.bgpRouterId ?? '?'}|${near}`, far: `${n.remote.bgpRouterId ?? '?'}|${far}` };
}

export function bgpLabStatus(plan: LabPlan, rib: LsRib, neighbors: ReadonlyMap<string, GobgpNeighbor>): LabBgpStatus {
  const halves = new Map<string, LinkNlri>();
  for (const { nlri } of rib.all()) {
    if (nlri.type !== 'link') continue;
    const e = ends(nlri);
    halves.set(`${e.near}>${e.far}`, nlri);
  }
  const nodeByRid = new Map(plan.nodes.map((n) => [bare(n.loopback4), n.name]));
  const ifnameOf = new Map<string, string>();
  for (const l of plan.links) for (const end of [l.upper, l.lower]) ifnameOf.set(`${end.node}|${bare(end.address4)}`, end.ifname);

  const links: BgpLinkStatus[] = [];
  const seen = new Set<string>();
  const ridOf = (node: string): string => bare(plan.nodes.find((n) => n.name === node)!.loopback4);
  for (const l of plan.links) {
    const up = `${ridOf(l.upper.node)}|${bare(l.upper.address4)}`;
    const low = `${ridOf(l.lower.node)}|${bare(l.lower.address4)}`;
    const upperIn = halves.has(`${up}>${low}`);
    const lowerIn = halves.has(`${low}>${up}`);
    seen.add(`${up}>${low}`).add(`${low}>${up}`);
    links.push({
      link: l.index,
      upper: { node: l.upper.node, ifname: l.upper.ifname, routerId: ridOf(l.upper.node), address: bare(l.upper.address4), inBgp: upperIn },
      lower: { node: l.lower.node, ifname: l.lower.ifname, routerId: ridOf(l.lower.node), address: bare(l.lower.address4), inBgp: lowerIn },
      paired: upperIn && lowerIn,
    });
  }
  // Halves the plan does not know (an address changed by hand, say): paired among themselves.
  const endOf = (key: string, inBgp: boolean): BgpLinkEnd => {
    const [routerId, address] = key.split('|') as [string, string];
    const node = nodeByRid.get(routerId) ?? null;
    const known = address !== '?' && !address.startsWith('#');
    return { node, ifname: node === null ? null : ifnameOf.get(`${node}|${address}`) ?? null, routerId, address: known ? address : null, inBgp };
  };
  for (const [key, n] of [...halves].sort(([a], [b]) => a.localeCompare(b))) {
    if (seen.has(key)) continue;
    const e = ends(n);
    const back = `${e.far}>${e.near}`;
    seen.add(key).add(back);
    const both = halves.has(back);
    links.push({ link: null, upper: endOf(e.near, true), lower: endOf(e.far, both), paired: both });
  }

  const peers = plan.nodes.map((n): BgpPeerStatus => {
    const address = mgmtAddressOf(n.index);
    const g = neighbors.get(address);
    const dumped = rib.routes(address).length;
    const accepted = g?.accepted ?? 0;
    return { node: n.name, address, state: g?.state ?? 'none', received: g?.received ?? 0, accepted, dumped, agrees: accepted === dumped };
  });
  return { links, peers };
}

/**
 * Makes the dump's table match gobgpd's sessions, which the dump does not record: a
 * switch gobgpd has no established session with holds nothing, and one whose session
 * began at `uptime` holds only what it sent since (a reconnect sends everything again).
 * `asOf` is when `neighbors` was asked (seconds): what came after stays.
 */
export function pruneToSessions(rib: LsRib, neighbors: ReadonlyMap<string, GobgpNeighbor>, asOf: number): void {
  for (const peer of rib.peers()) {
    const g = neighbors.get(peer);
    if (g === undefined || g.state !== 'established' || g.uptime === null) rib.prune(peer, Math.floor(asOf));
    else rib.prune(peer, g.uptime);
  }
}
