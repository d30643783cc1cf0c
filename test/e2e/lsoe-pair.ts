// Two real `lsoe daemon`s in two namespaces joined by a veth pair, with known Local IDs,
// for the sessions/encaps command tests. Built on the daemon tests' helpers.
import type { Test } from 'tap';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createNetns, createVethPair, type Netns, type VethEnd } from '../helpers/netns.js';
import { startDaemon, tempDir, waitReady, type DaemonProc } from '../daemon/e2e-helpers.js';

export const ID_A = '0a0a0a0a0a0a0a0a0a01';
export const ID_B = '0b0b0b0b0b0b0b0b0b02';

export interface Pair {
  nsA: Netns;
  nsB: Netns;
  a: VethEnd;
  b: VethEnd;
  dir: string;
  /** an lsoed INI file holding `extraConfig` (empty section when none) */
  config: string;
  startA(extra?: string[]): Promise<DaemonProc>;
  startB(extra?: string[]): Promise<DaemonProc>;
}

export async function makePair(t: Test, opts: { addrA?: string[]; addrB?: string[]; loopbackA?: string[]; extraConfig?: string } = {}): Promise<Pair> {
  const nsA = await createNetns(t, 'sa');
  const nsB = await createNetns(t, 'sb');
  const [a, b] = await createVethPair(t, nsA, nsB);
  for (const addr of opts.addrA ?? []) await nsA.ip(['addr', 'add', addr, 'dev', a.ifname, 'nodad']);
  for (const addr of opts.addrB ?? []) await nsB.ip(['addr', 'add', addr, 'dev', b.ifname, 'nodad']);
  for (const addr of opts.loopbackA ?? []) await nsA.ip(['addr', 'add', addr, 'dev', 'lo']);
  const dir = tempDir(t);
  chmodSync(dir, 0o755); // like /run/lsoe: traversable; the socket's own mode guards it
  const config = path.join(dir, 'lsoed.conf');
  writeFileSync(config, `[lsoed]\n${opts.extraConfig ?? ''}\n`);
  const start = async (ns: Netns, end: VethEnd, name: string, id: string, extra: string[]) => {
    const d = startDaemon(t, ns, dir, name, ['-c', config, '-i', end.ifname, '--local-id', id, '--debug', 'ctl', ...extra]);
    await waitReady(d);
    return d;
  };
  return {
    nsA,
    nsB,
    a,
    b,
    dir,
    config,
    startA: (extra = []) => start(nsA, a, 'a', ID_A, extra),
    startB: (extra = []) => start(nsB, b, 'b', ID_B, extra),
  };
}
