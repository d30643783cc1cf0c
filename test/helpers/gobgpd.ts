// A real BGP speaker for the tests: Debian's gobgpd in a namespace of the test's own,
// passive, family `ls`, listening only on its addresses there; killed in teardown.
// Its configuration and the reading of `gobgp neighbor -j` are the lab's (src/lab/gobgpd.ts).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gobgpdConfig, parseNeighbors, type GobgpdOptions, type GobgpNeighbor } from '../../src/lab/gobgpd.js';
import { spawnInNetns, type ManagedProcess, type Netns, type TeardownHost } from './netns.js';

export { gobgpdConfig, type GobgpdOptions };

export interface Gobgpd {
  proc: ManagedProcess;
  /** per neighbour address: session state and the `ls` family's received/accepted counts */
  neighbors(): Promise<Map<string, GobgpNeighbor>>;
  restart(): Promise<void>;
}

export async function startGobgpd(t: TeardownHost, ns: Netns, dir: string, o: GobgpdOptions): Promise<Gobgpd> {
  const file = path.join(dir, `gobgpd-${ns.name}.toml`);
  writeFileSync(file, gobgpdConfig(o));
  // gRPC only on the namespace's own loopback
  const start = () => spawnInNetns(t, ns, 'gobgpd', ['-f', file, '-p', '--api-hosts', '127.0.0.1:50051', '--pprof-disable'], { stopGraceMs: 2000 });
  const g: Gobgpd = {
    proc: start(),
    async neighbors() {
      const r = await ns.exec('gobgp', ['-u', '127.0.0.1', '-p', '50051', 'neighbor', '-j']);
      if (r.code !== 0 || !r.stdout.trim().startsWith('[')) return new Map();
      return parseNeighbors(r.stdout);
    },
    async restart() {
      await g.proc.stop(2000);
      g.proc = start();
    },
  };
  return g;
}
