// Namespaces, veth pairs and addresses, made with a handful of `ip -batch`
// runs rather than one process per command: a 12-node, 32-link lab is one
// batch in the root namespace plus one per node (run in parallel).
// Keywords are always spelled out (`name`, `dev`): `ip` matches prefixes, so a
// bare interface called `b` would be read as `broadcast`.
import { spawn } from 'node:child_process';
import { bgpOf, MGMT_IFNAME, mgmtPeerIfname, type LabPlan } from './plan.js';

export class NetnsError extends Error {
  override readonly name = 'NetnsError';
}

/** Runs `ip [args] -batch -` with `lines` on stdin; rejects with ip's first error line. */
export function ipBatch(lines: string[], args: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', [...args, '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', (err) => reject(new NetnsError(`cannot run ip: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new NetnsError(`ip ${args.join(' ')} -batch: ${stderr.trim().split('\n')[0] || `exit ${code}`}`));
    });
    child.stdin.end(lines.join('\n') + '\n');
  });
}

/** The root-namespace batch: every namespace, then every veth pair created straight inside its two namespaces. */
export function rootBatch(plan: LabPlan): string[] {
  const ns = new Map(plan.nodes.map((n) => [n.name, n.netns]));
  const lines = plan.nodes.map((n) => `netns add ${n.netns}`);
  for (const { upper, lower } of plan.links) {
    lines.push(
      `link add name ${upper.ifname} address ${upper.mac} netns ${ns.get(upper.node)} ` +
        `type veth peer name ${lower.ifname} address ${lower.mac} netns ${ns.get(lower.node)}`,
    );
  }
  const bgp = bgpOf(plan);
  if (bgp !== null) {
    // the management network: one veth per switch, its far end on gobgpd's bridge
    lines.push(`netns add ${bgp.netns}`);
    for (const n of plan.nodes) {
      lines.push(`link add name ${MGMT_IFNAME} netns ${n.netns} type veth peer name ${mgmtPeerIfname(n.index)} netns ${bgp.netns}`);
    }
  }
  return lines;
}

/** gobgpd's namespace (with --bgp): the management bridge with its address, every switch's veth on it. */
export function bgpBatch(plan: LabPlan): string[] {
  const bgp = bgpOf(plan);
  if (bgp === null) return [];
  const lines = ['link set dev lo up', `link add name ${bgp.bridge} type bridge`, `addr add ${bgp.address}/24 dev ${bgp.bridge}`, `link set dev ${bgp.bridge} up`];
  for (const n of plan.nodes) lines.push(`link set dev ${mgmtPeerIfname(n.index)} master ${bgp.bridge}`, `link set dev ${mgmtPeerIfname(n.index)} up`);
  return lines;
}

/** One node's batch, run with `ip -n <netns>`: loopback up with its addresses, each link up and addressed. */
export function nodeBatch(plan: LabPlan, node: string): string[] {
  const n = plan.nodes.find((x) => x.name === node)!;
  const lines = ['link set dev lo up', `addr add ${n.loopback4} dev lo`, `addr add ${n.loopback6} dev lo`];
  if (n.mgmt4) lines.push(`addr add ${n.mgmt4} dev ${MGMT_IFNAME}`, `link set dev ${MGMT_IFNAME} up`);
  for (const link of plan.links) {
    for (const end of [link.upper, link.lower]) {
      if (end.node !== node) continue;
      // nodad: the address is usable at once, so the first encapsulation already carries it.
      lines.push(
        `addr add ${end.address4} dev ${end.ifname}`,
        `addr add ${end.address6} dev ${end.ifname} nodad`,
        `link set dev ${end.ifname} up`,
      );
    }
  }
  return lines;
}

export async function createNetwork(plan: LabPlan): Promise<void> {
  await ipBatch(rootBatch(plan));
  const bgp = bgpOf(plan);
  await Promise.all([
    ...plan.nodes.map((n) => ipBatch(nodeBatch(plan, n.name), ['-n', n.netns])),
    ...(bgp === null ? [] : [ipBatch(bgpBatch(plan), ['-n', bgp.netns])]),
  ]);
}

/** Names of all namespaces on the host (`ip netns list` prints "name (id: N)"). */
export function listNamespaces(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'list'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', (err) => reject(new NetnsError(`cannot run ip: ${err.message}`)));
    child.on('close', () => resolve(out.split('\n').map((l) => l.split(' ')[0]!).filter((l) => l !== '')));
  });
}

/** PIDs of the processes inside a namespace (`ip netns pids`); empty if it is gone. */
export function namespacePids(netns: string): Promise<number[]> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'pids', netns], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', () => resolve([]));
    child.on('close', () => resolve(out.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number)));
  });
}

/**
 * Deletes namespaces (their veths go with them). `-force` goes on past a failing one;
 * the error is not thrown here because the caller lists the namespaces again and reports
 * exactly which ones are left.
 */
export async function deleteNamespaces(names: string[]): Promise<void> {
  if (names.length === 0) return;
  await ipBatch(names.map((n) => `netns del ${n}`), ['-force']).catch(() => undefined);
}

/** Sets one end of a link down or up (used by tests and by people poking at the lab). */
export function setLink(netns: string, ifname: string, up: boolean): Promise<void> {
  return ipBatch([`link set dev ${ifname} ${up ? 'up' : 'down'}`], ['-n', netns]);
}
