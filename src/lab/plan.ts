// Everything `lab up` will create, decided before anything is created and
// written to the state directory first: `down`, `status` and the collector
// (separate processes) read it, and `up` after a crash knows what to clean.
// Pure: no I/O.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { buildTopology, type LinkPair } from './topology.js';

export const DEFAULT_STATE_ROOT = '/run/lsoe-lab';
export const DEFAULT_PORT = 8080;
export const DEFAULT_LAB_NAME = 'default';

/**
 * No '-' in lab names: namespaces are `lsoe-<lab>-<node>`, so the first '-'
 * after the prefix ends the lab name and `lsoe-a-…` never matches lab `a-b`.
 */
const LAB_NAME = /^[A-Za-z0-9_]{1,24}$/;
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

export interface LabTimers {
  /** seconds between HELLOs: short, so nodes that start late are found fast */
  hello: number;
  keepaliveSend: number;
  /** short, so a dead link turns red on the page within seconds */
  keepaliveReceive: number;
}

export const LAB_TIMERS: LabTimers = { hello: 1, keepaliveSend: 1, keepaliveReceive: 3 };

export interface LabNode {
  name: string;
  index: number;
  layer: number;
  netns: string;
  /** 10 octets, lowercase hex: the name in ASCII, zero-padded, as the reference demo did */
  localId: string;
  loopback4: string;
  loopback6: string;
  socket: string;
  log: string;
  pidFile: string;
  configFile: string;
  /** address on the management network (with --bgp), with its prefix length; else null */
  mgmt4: string | null;
}

/** The BGP-LS collector of `lab up --bgp`: gobgpd in a namespace of its own, on a management bridge. */
export interface LabBgp {
  netns: string;
  /** gobgpd's address on the management network (where every daemon peers) */
  address: string;
  /** the management network: gobgpd takes any peer from it (dynamic neighbours) */
  prefix: string;
  /** the fabric's one AS (iBGP, as BGP-SPF fabrics run) */
  asn: number;
  /** gobgpd's gRPC port, on 127.0.0.1 inside its namespace */
  apiPort: number;
  config: string;
  log: string;
  pidFile: string;
  /** gobgpd's [[mrt-dump]] of the UPDATEs it receives */
  mrtFile: string;
  /** the management bridge in gobgpd's namespace, and each switch's veth: \`mgmt\` there, m<index> here */
  bridge: string;
}

export interface LinkEnd {
  node: string;
  ifname: string;
  mac: string;
  /** with prefix length */
  address4: string;
  address6: string;
}

export interface LabLink {
  index: number;
  upper: LinkEnd;
  lower: LinkEnd;
}

export interface LabPlan {
  name: string;
  stateDir: string;
  port: number;
  timers: LabTimers;
  nodes: LabNode[];
  links: LabLink[];
  collector: { socket: string; log: string; pidFile: string; url: string };
  topologyFile: string;
  /** null without --bgp (and in plans written before it existed: read with bgpOf) */
  bgp?: LabBgp | null;
}

/** The management interface in each switch's namespace (kept out of the links' names). */
export const MGMT_IFNAME = 'mgmt';
/** With --bgp, gobgpd's namespace is lsoe-<lab>-gobgpd: no switch may be called that. */
export const BGP_NODE = 'gobgpd';
/** The management network: RFC 5737's TEST-NET-1, gobgpd at .1, switch i at .(i + 2). */
export const MGMT_NET = '192.0.2';
export const MAX_BGP_NODES = 253;
export const LAB_ASN = 65000;

export function bgpOf(plan: LabPlan): LabBgp | null {
  return plan.bgp ?? null;
}

/** Switch `index`'s address on the management network. */
export function mgmtAddressOf(index: number): string {
  return `${MGMT_NET}.${index + 2}`;
}

/** The veth in gobgpd's namespace that leads to switch \`index\`. */
export function mgmtPeerIfname(index: number): string {
  return `m${index}`;
}

export function checkLabName(name: string): string | null {
  return LAB_NAME.test(name) ? null : `bad lab name '${name}' (letters, digits and _, at most 24)`;
}

export function netnsPrefix(lab: string): string {
  return `lsoe-${lab}-`;
}

export function stateDirOf(lab: string, root = DEFAULT_STATE_ROOT): string {
  return path.join(root, lab);
}

/** The reference demo's switch ID: the node name in ASCII, zero-padded to 10 octets. */
export function localIdOf(node: string): string {
  const ascii = Buffer.from(node, 'latin1');
  const bytes = node.length <= 10 && /^[\x20-\x7e]*$/.test(node)
    ? Buffer.concat([ascii, Buffer.alloc(10 - ascii.length)])
    : createHash('sha256').update(node).digest().subarray(0, 10);
  return bytes.toString('hex');
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Locally administered, unicast, readable: 02:4c:<node index>:<interface index> (16 bits each). */
export function macOf(nodeIndex: number, ifIndex: number): string {
  return ['02', '4c', hex2(nodeIndex >> 8), hex2(nodeIndex & 255), hex2(ifIndex >> 8), hex2(ifIndex & 255)].join(':');
}

/** Link k: 198.18.0.0/16 in /31s (RFC 2544 test range), upper end even. */
export function linkAddress4(k: number, lower: boolean): string {
  const host = k * 2 + (lower ? 1 : 0);
  return `198.18.${host >> 8}.${host & 255}/31`;
}

/** Link k: 2001:db8:1:<k>::1 and ::2 /64 (RFC 3849 documentation range). */
export function linkAddress6(k: number, lower: boolean): string {
  // RFC 5952: the zero group of link 0 folds into '::'.
  const net = k === 0 ? '2001:db8:1:' : `2001:db8:1:${k.toString(16)}:`;
  return `${net}:${lower ? 2 : 1}/64`;
}

export function loopback4Of(nodeIndex: number): string {
  const host = nodeIndex + 1;
  return `198.19.${host >> 8}.${host & 255}/32`;
}

export function loopback6Of(nodeIndex: number): string {
  return `2001:db8:ffff::${(nodeIndex + 1).toString(16)}/128`;
}

export interface PlanOptions {
  name: string;
  links: LinkPair[];
  port: number;
  stateRoot?: string;
  timers?: LabTimers;
  /** a gobgpd collector and every daemon peering with it */
  bgp?: boolean;
}

/** Limits that come from the address plan and from unix socket path lengths. */
export const MAX_LINKS = 32767;
export const MAX_NODES = 65534;

export function makePlan(opts: PlanOptions): LabPlan {
  const topo = buildTopology(opts.links);
  if (opts.links.length > MAX_LINKS) throw new RangeError(`at most ${MAX_LINKS} links`);
  if (topo.nodes.length > MAX_NODES) throw new RangeError(`at most ${MAX_NODES} nodes`);
  if (opts.bgp === true) {
    if (topo.nodes.includes(BGP_NODE)) throw new RangeError(`with --bgp no switch may be called '${BGP_NODE}' (its namespace is the collector's)`);
    if (topo.nodes.length > MAX_BGP_NODES) throw new RangeError(`with --bgp at most ${MAX_BGP_NODES} switches (one management /24)`);
  }
  const stateDir = stateDirOf(opts.name, opts.stateRoot);
  const nodes: LabNode[] = topo.nodes.map((name, index) => ({
    name,
    index,
    layer: topo.layers.get(name)!,
    netns: netnsPrefix(opts.name) + name,
    localId: localIdOf(name),
    loopback4: loopback4Of(index),
    loopback6: loopback6Of(index),
    socket: path.join(stateDir, `${name}.sock`),
    log: path.join(stateDir, `${name}.log`),
    pidFile: path.join(stateDir, `${name}.pid`),
    configFile: path.join(stateDir, `${name}.ini`),
    mgmt4: opts.bgp === true ? `${mgmtAddressOf(index)}/24` : null,
  }));
  const byName = new Map(nodes.map((n) => [n.name, n]));

  // Like the reference demo, a node's interface is named after the peer it
  // leads to; parallel links or long names fall back to eth<N>.
  const pairCount = new Map<string, number>();
  for (const [a, b] of opts.links) {
    for (const key of [`${a}\n${b}`, `${b}\n${a}`]) pairCount.set(key, (pairCount.get(key) ?? 0) + 1);
  }
  const ifCount = new Map<string, number>();
  const usedNames = new Map<string, Set<string>>(topo.nodes.map((n) => [n, new Set<string>(['lo', MGMT_IFNAME])]));
  const endOf = (node: string, peer: string, k: number, lower: boolean): LinkEnd => {
    const ifIndex = ifCount.get(node) ?? 0;
    ifCount.set(node, ifIndex + 1);
    const used = usedNames.get(node)!;
    let ifname = peer;
    if (!IFNAME.test(peer) || pairCount.get(`${node}\n${peer}`)! > 1 || used.has(peer)) {
      let n = ifIndex;
      while (used.has(`eth${n}`)) n++;
      ifname = `eth${n}`;
    }
    used.add(ifname);
    return {
      node,
      ifname,
      mac: macOf(byName.get(node)!.index, ifIndex),
      address4: linkAddress4(k, lower),
      address6: linkAddress6(k, lower),
    };
  };
  const links: LabLink[] = opts.links.map(([upper, lower], index) => ({
    index,
    upper: endOf(upper, lower, index, false),
    lower: endOf(lower, upper, index, true),
  }));
  return {
    name: opts.name,
    stateDir,
    port: opts.port,
    timers: opts.timers ?? LAB_TIMERS,
    nodes,
    links,
    collector: {
      socket: path.join(stateDir, 'collector.sock'),
      log: path.join(stateDir, 'collector.log'),
      pidFile: path.join(stateDir, 'collector.pid'),
      url: `http://127.0.0.1:${opts.port}/`,
    },
    topologyFile: path.join(stateDir, 'topology.json'),
    bgp:
      opts.bgp === true
        ? {
            netns: netnsPrefix(opts.name) + BGP_NODE,
            address: `${MGMT_NET}.1`,
            prefix: `${MGMT_NET}.0/24`,
            asn: LAB_ASN,
            apiPort: 50051,
            config: path.join(stateDir, 'gobgpd.toml'),
            log: path.join(stateDir, 'gobgpd.log'),
            pidFile: path.join(stateDir, 'gobgpd.pid'),
            // relative to the state directory, gobgpd's working directory: gobgpd passes the
            // name through Go's time layout when it rotates the file, and a lab name's digits
            // would be read as a date there
            mrtFile: 'bgp-updates.mrt',
            bridge: MGMT_IFNAME,
          }
        : null,
  };
}

/** Each end of each link, as seen from its node: what `status` reports on. */
export function linkEnds(plan: LabPlan): { link: LabLink; end: LinkEnd; peer: LinkEnd }[] {
  const out: { link: LabLink; end: LinkEnd; peer: LinkEnd }[] = [];
  for (const link of plan.links) {
    out.push({ link, end: link.upper, peer: link.lower });
    out.push({ link, end: link.lower, peer: link.upper });
  }
  const order = new Map(plan.nodes.map((n) => [n.name, n.index]));
  // Grouped by node, in node order, then link order: reads like a per-switch table.
  return out.sort((a, b) => order.get(a.end.node)! - order.get(b.end.node)! || a.link.index - b.link.index);
}
