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
}

/** Limits that come from the address plan and from unix socket path lengths. */
export const MAX_LINKS = 32767;
export const MAX_NODES = 65534;

export function makePlan(opts: PlanOptions): LabPlan {
  const topo = buildTopology(opts.links);
  if (opts.links.length > MAX_LINKS) throw new RangeError(`at most ${MAX_LINKS} links`);
  if (topo.nodes.length > MAX_NODES) throw new RangeError(`at most ${MAX_NODES} nodes`);
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
  }));
  const byName = new Map(nodes.map((n) => [n.name, n]));

  // Like the reference demo, a node's interface is named after the peer it
  // leads to; parallel links or long names fall back to eth<N>.
  const pairCount = new Map<string, number>();
  for (const [a, b] of opts.links) {
    for (const key of [`${a}\n${b}`, `${b}\n${a}`]) pairCount.set(key, (pairCount.get(key) ?? 0) + 1);
  }
  const ifCount = new Map<string, number>();
  const usedNames = new Map<string, Set<string>>(topo.nodes.map((n) => [n, new Set<string>(['lo'])]));
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
