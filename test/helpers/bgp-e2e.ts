// Shared by the BGP end-to-end tests: addresses in a namespace, `lsoe bgp --json`.
import type { DaemonProc } from '../daemon/e2e-helpers.js';
import { runLsoeIn, type Netns } from './netns.js';

export async function addr(ns: Netns, ifname: string, ...cidrs: string[]): Promise<void> {
  for (const c of cidrs) await ns.ip(['addr', 'add', c, 'dev', ifname, ...(c.includes(':') ? ['nodad'] : [])]);
}

export interface PeerJson {
  peer: string;
  state: string;
  held: number;
  connects: number;
  lastError: string | null;
  announced: Record<string, number>;
  withdrawn: Record<string, number>;
}

export async function lsoeBgp(ns: Netns, d: DaemonProc): Promise<PeerJson[]> {
  const r = await runLsoeIn(ns, ['bgp', '--json', '--socket', d.socket]);
  if (r.code !== 0) throw new Error(`lsoe bgp: ${r.stderr}`);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as PeerJson);
}

