// A real BGP speaker for the tests: Debian's gobgpd in a namespace of the test's own,
// passive, family `ls`, listening only on its addresses there; killed in teardown.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnInNetns, type ManagedProcess, type Netns, type TeardownHost } from './netns.js';

export interface GobgpdOptions {
  asn: number;
  routerId: string;
  /** addresses gobgpd listens on (in its namespace) */
  listen: string[];
  /** explicit passive neighbours */
  neighbors?: { address: string; asn: number }[];
  /** dynamic neighbours: any peer from this prefix (AS = ours) */
  dynamicPrefix?: string;
  /** `[[mrt-dump]]` of updates into this file */
  mrtFile?: string;
  port?: number;
}

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

export interface Gobgpd {
  proc: ManagedProcess;
  /** per neighbour address: session state and the `ls` family's received/accepted counts */
  neighbors(): Promise<Map<string, { state: string; received: number; accepted: number }>>;
  restart(): Promise<void>;
}

interface NeighborJson {
  state?: { neighbor_address?: string; session_state?: number | string };
  conf?: { neighbor_address?: string };
  afi_safis?: { state?: { family?: { afi?: number; safi?: number }; received?: number; accepted?: number } }[];
}

/** gobgp's session_state numbers (its API enum) to names. */
const SESSION_STATE: Record<string, string> = { '1': 'idle', '2': 'connect', '3': 'active', '4': 'opensent', '5': 'openconfirm', '6': 'established' };

export async function startGobgpd(t: TeardownHost, ns: Netns, dir: string, o: GobgpdOptions): Promise<Gobgpd> {
  const file = path.join(dir, `gobgpd-${ns.name}.toml`);
  writeFileSync(file, gobgpdConfig(o));
  // gRPC only on the namespace's own loopback
  const start = () => spawnInNetns(t, ns, 'gobgpd', ['-f', file, '-p', '--api-hosts', '127.0.0.1:50051', '--pprof-disable'], { stopGraceMs: 2000 });
  const g: Gobgpd = {
    proc: start(),
    async neighbors() {
      const r = await ns.exec('gobgp', ['-u', '127.0.0.1', '-p', '50051', 'neighbor', '-j']);
      const out = new Map<string, { state: string; received: number; accepted: number }>();
      if (r.code !== 0 || !r.stdout.trim().startsWith('[')) return out;
      for (const n of JSON.parse(r.stdout) as NeighborJson[]) {
        const address = n.state?.neighbor_address ?? n.conf?.neighbor_address ?? '?';
        const ls = (n.afi_safis ?? []).find((a) => a.state?.family?.afi === 16388);
        const raw = String(n.state?.session_state ?? '');
        out.set(address, { state: SESSION_STATE[raw] ?? raw.toLowerCase(), received: ls?.state?.received ?? 0, accepted: ls?.state?.accepted ?? 0 });
      }
      return out;
    },
    async restart() {
      await g.proc.stop(2000);
      g.proc = start();
    },
  };
  return g;
}
