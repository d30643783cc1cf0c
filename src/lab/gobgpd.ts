// gobgpd, the BGP-LS receiver the lab (`lab up --bgp`) and the tests run: its
// configuration, written here once, and its own account of its peers (`gobgp neighbor
// -j`), read through its gRPC port inside its namespace.
import { spawn } from 'node:child_process';

export interface GobgpdOptions {
  asn: number;
  routerId: string;
  /** addresses gobgpd listens on (in its namespace) */
  listen: string[];
  /** explicit passive neighbours */
  neighbors?: { address: string; asn: number }[];
  /** dynamic neighbours: any peer from this prefix (AS = ours) */
  dynamicPrefix?: string;
  /** `[[mrt-dump]]` of updates into this file (relative: to gobgpd's working directory) */
  mrtFile?: string;
  port?: number;
}

/** gobgpd's TOML: passive, family `ls` only. */
export function gobgpdConfig(o: GobgpdOptions): string {
  const lines = [
    '[global.config]',
    `  as = ${o.asn}`,
    `  router-id = "${o.routerId}"`,
    `  port = ${o.port ?? 179}`,
    `  local-address-list = [${o.listen.map((a) => `"${a}"`).join(', ')}]`,
  ];
  for (const n of o.neighbors ?? []) {
    lines.push(
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${n.address}"`,
      `    peer-as = ${n.asn}`,
      '  [neighbors.transport.config]',
      '    passive-mode = true',
      '  [[neighbors.afi-safis]]',
      '    [neighbors.afi-safis.config]',
      '      afi-safi-name = "ls"',
    );
  }
  if (o.dynamicPrefix !== undefined) {
    lines.push(
      '[[peer-groups]]',
      '  [peer-groups.config]',
      '    peer-group-name = "lsoe"',
      `    peer-as = ${o.asn}`,
      '  [peer-groups.transport.config]',
      '    passive-mode = true',
      '  [[peer-groups.afi-safis]]',
      '    [peer-groups.afi-safis.config]',
      '      afi-safi-name = "ls"',
      '[[dynamic-neighbors]]',
      '  [dynamic-neighbors.config]',
      `    prefix = "${o.dynamicPrefix}"`,
      '    peer-group = "lsoe"',
    );
  }
  if (o.mrtFile !== undefined) {
    lines.push('[[mrt-dump]]', '  [mrt-dump.config]', '    dump-type = "updates"', `    file-name = "${o.mrtFile}"`);
  }
  return lines.join('\n') + '\n';
}

/** One peer as gobgpd sees it. */
export interface GobgpNeighbor {
  address: string;
  /** idle, connect, active, opensent, openconfirm, established */
  state: string;
  /** the `ls` family's counts */
  received: number;
  accepted: number;
  /** when the session came up, seconds since the epoch (null when it is not up) */
  uptime: number | null;
  /** the peer's BGP Identifier */
  routerId: string | null;
}

interface NeighborJson {
  state?: { neighbor_address?: string; session_state?: number | string; router_id?: string };
  conf?: { neighbor_address?: string };
  timers?: { state?: { uptime?: { seconds?: number } } };
  afi_safis?: { state?: { family?: { afi?: number; safi?: number }; received?: number; accepted?: number } }[];
}

/** gobgp's session_state numbers (its API enum) to names. */
const SESSION_STATE: Record<string, string> = { '1': 'idle', '2': 'connect', '3': 'active', '4': 'opensent', '5': 'openconfirm', '6': 'established' };

/** `gobgp neighbor -j`'s output; throws on anything that is not its JSON list. */
export function parseNeighbors(text: string): Map<string, GobgpNeighbor> {
  const list = JSON.parse(text) as unknown;
  if (list === null) return new Map(); // no neighbour at all
  if (!Array.isArray(list)) throw new Error('gobgp neighbor -j: not a JSON list');
  const out = new Map<string, GobgpNeighbor>();
  for (const n of list as NeighborJson[]) {
    const address = n.state?.neighbor_address ?? n.conf?.neighbor_address ?? '?';
    const ls = (n.afi_safis ?? []).find((a) => a.state?.family?.afi === 16388);
    const raw = String(n.state?.session_state ?? '');
    const state = SESSION_STATE[raw] ?? raw.toLowerCase();
    const up = state === 'established' ? n.timers?.state?.uptime?.seconds ?? null : null;
    out.set(address, {
      address,
      state,
      received: ls?.state?.received ?? 0,
      accepted: ls?.state?.accepted ?? 0,
      uptime: up,
      routerId: n.state?.router_id ?? null,
    });
  }
  return out;
}

/** Runs `gobgp neighbor -j` against gobgpd's API in `netns` (or here when null). */
export function queryNeighbors(netns: string | null, apiPort: number, timeoutMs = 5000): Promise<Map<string, GobgpNeighbor>> {
  const gobgp = ['gobgp', '-u', '127.0.0.1', '-p', String(apiPort), 'neighbor', '-j'];
  const [cmd, ...args] = netns === null ? gobgp : ['ip', 'netns', 'exec', netns, ...gobgp];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => reject(new Error(`cannot run gobgp: ${e.message}`)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`gobgp neighbor: ${err.trim().split('\n')[0] || `exit ${code}`}`));
      try {
        resolve(parseNeighbors(out.trim() === '' ? '[]' : out));
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}
