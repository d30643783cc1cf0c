// What the web page shows, built in one place from the plan, the session ends
// (control sockets) and the reports: the fabric (nodes in layers, links with
// the state of both ends) and, per switch, the reference collector's table.
// Pure: the page only draws it.
import type { LabPlan } from './plan.js';
import type { EndState, EndStatus } from './status.js';
import type { StoredReport } from './reports.js';
import { labelText } from '../views/encaps-table.js';
import type { LabBgpStatus } from './bgp-links.js';

/** A link in BGP-LS: both halves announced (paired), one, or none. */
export type BgpLinkState = 'paired' | 'half' | 'none';

/** What the page shows of BGP-LS (`lab up --bgp`): per link its halves, per switch its session with gobgpd. */
export interface LabBgpView {
  /** by link index */
  links: BgpLinkState[];
  /** by switch name */
  nodes: Record<string, { state: string; accepted: number; dumped: number }>;
  /** why gobgpd or its dump could not be read, last time */
  problem: string | null;
}

export type LinkState = 'up' | 'partial' | 'down';

export interface ViewRow {
  ifname: string;
  peerNode: string | null;
  peerMac: string;
  peerId: string | null;
  /** null for a switch outside the lab (only its reports are known) */
  state: EndState | null;
  type: string | null;
  prefix: string | null;
  flags: string;
  /** as the CLI shows them: "16001 (3e8110)", space-separated */
  labels: string;
  /** when the peer was last heard: its session's lastHeard, else the time of the last report */
  heard: string | null;
  /** which of the two `heard` is (null with no time at all) */
  heardFrom: 'session' | 'report' | null;
}

export interface LabView {
  lab: string;
  nodes: { name: string; layer: number; localId: string; daemon: boolean }[];
  links: {
    index: number;
    upper: { node: string; ifname: string; state: EndState };
    lower: { node: string; ifname: string; state: EndState };
    state: LinkState;
  }[];
  switches: { id: string; node: string | null; rows: ViewRow[] }[];
  /** null without --bgp */
  bgp: LabBgpView | null;
}

export function bgpView(plan: LabPlan, s: LabBgpStatus, problem: string | null): LabBgpView {
  const links: BgpLinkState[] = plan.links.map(() => 'none');
  for (const l of s.links) {
    if (l.link === null) continue;
    links[l.link] = l.paired ? 'paired' : l.upper.inBgp || l.lower.inBgp ? 'half' : 'none';
  }
  const nodes: LabBgpView['nodes'] = {};
  for (const p of s.peers) nodes[p.node] = { state: p.state, accepted: p.accepted, dumped: p.dumped };
  return { links, nodes, problem };
}

/**
 * Both ends open: up; neither end open nor opening (no session, hopeless, held down): down;
 * anything between (one end still timing out, opening): partial.
 */
export function linkState(a: EndState, b: EndState): LinkState {
  if (a === 'open' && b === 'open') return 'up';
  const trying = (s: EndState): boolean => s === 'open' || s === 'opening';
  if (!trying(a) && !trying(b)) return 'down';
  return 'partial';
}

const TYPE_ORDER = ['IPV4', 'IPV6', 'MPLS_IPV4', 'MPLS_IPV6'];

type RowBase = Omit<ViewRow, 'type' | 'prefix' | 'flags' | 'labels' | 'heard' | 'heardFrom'>;

/** `lastHeard` of the session when there is one; the report's time is only a stand-in. */
function reportRows(reports: StoredReport[], base: RowBase, lastHeard: string | null): ViewRow[] {
  const sorted = [...reports].sort((a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type));
  const rows: ViewRow[] = [];
  for (const r of sorted) {
    for (const e of r.encaps) {
      // every key written out (not spread from base): ~2,000 rows at 40 switches, built on each read
      rows.push({
        ifname: base.ifname,
        peerNode: base.peerNode,
        peerMac: r.peerMac,
        peerId: r.peerId ?? base.peerId,
        state: base.state,
        type: r.type,
        prefix: `${e.address}/${e.prefixLength}`,
        flags: (e.primary ? 'P' : '') + (e.loopback ? 'L' : ''),
        labels: (e.labels ?? []).map(labelText).join(' '),
        heard: lastHeard ?? r.heard,
        heardFrom: lastHeard !== null ? 'session' : 'report',
      });
    }
  }
  return rows;
}

export function buildView(plan: LabPlan, ends: EndStatus[], reports: StoredReport[], bgp: LabBgpView | null = null): LabView {
  const daemonUp = new Map<string, boolean>();
  for (const e of ends) daemonUp.set(e.node, e.daemon);
  const endOf = new Map(ends.map((e) => [`${e.node}\n${e.ifname}`, e]));
  const stateOf = (node: string, ifname: string): EndState => endOf.get(`${node}\n${ifname}`)?.state ?? 'down';

  const links = plan.links.map((l) => {
    const up = stateOf(l.upper.node, l.upper.ifname);
    const low = stateOf(l.lower.node, l.lower.ifname);
    return {
      index: l.index,
      upper: { node: l.upper.node, ifname: l.upper.ifname, state: up },
      lower: { node: l.lower.node, ifname: l.lower.ifname, state: low },
      state: linkState(up, low),
    };
  });

  const bySwitch = new Map<string, StoredReport[]>();
  for (const r of reports) {
    const list = bySwitch.get(r.switchId) ?? [];
    list.push(r);
    bySwitch.set(r.switchId, list);
  }

  const switches: LabView['switches'] = plan.nodes.map((n) => {
    const mine = bySwitch.get(n.localId) ?? [];
    bySwitch.delete(n.localId);
    const rows: ViewRow[] = [];
    for (const e of ends.filter((x) => x.node === n.name)) {
      const base = { ifname: e.ifname, peerNode: e.peerNode, peerMac: e.peerMac, peerId: e.peerId, state: e.state };
      const found = reportRows(mine.filter((r) => r.ifname === e.ifname), base, e.lastHeard);
      const heard = e.lastHeard === null ? { heard: null, heardFrom: null } : { heard: e.lastHeard, heardFrom: 'session' as const };
      rows.push(...(found.length > 0 ? found : [{ ...base, type: null, prefix: null, flags: '', labels: '', ...heard }]));
    }
    return { id: n.localId, node: n.name, rows };
  });
  // Switches outside the lab (an lsoed posting to /mutate) get a table of their own.
  for (const [id, list] of [...bySwitch].sort(([a], [b]) => a.localeCompare(b))) {
    const byIf = [...new Set(list.map((r) => `${r.ifname}\n${r.peerMac}`))].sort();
    const rows = byIf.flatMap((k) => {
      const [ifname, peerMac] = k.split('\n') as [string, string];
      const mine = list.filter((r) => r.ifname === ifname && r.peerMac === peerMac);
      return reportRows(mine, { ifname, peerNode: null, peerMac, peerId: mine[0]?.peerId ?? null, state: null }, null);
    });
    switches.push({ id, node: null, rows });
  }

  return {
    lab: plan.name,
    nodes: plan.nodes.map((n) => ({ name: n.name, layer: n.layer, localId: n.localId, daemon: daemonUp.get(n.name) ?? false })),
    links,
    switches,
    bgp,
  };
}

/** Every row's `heard`, per switch in `switches` order: the part of a view that moves with each keepalive. */
export type HeardTimes = (string | null)[][];

/**
 * A view split in two: its heard times, and the rest (the same view with every `heard`
 * null). The collector sends the whole view when the rest changed, else only the heard
 * times (a 40-switch lab's view is ~0.5 MB; its heard times ~50 KB).
 */
export function splitHeard(v: LabView): { rest: LabView; heard: HeardTimes } {
  return {
    rest: { ...v, switches: v.switches.map((s) => ({ ...s, rows: s.rows.map((r) => ({ ...r, heard: null })) })) },
    heard: v.switches.map((s) => s.rows.map((r) => r.heard)),
  };
}
