// Tearing a lab down, also what `up` does first to clear a crashed lab of the
// same name. Works from whatever is left: the plan if it was written, else the
// namespace prefix (unambiguous, see plan.ts) and the PID files. Nothing is
// counted as done before it is checked: namespaces are listed again and every
// process seen inside them must be gone.
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { deleteNamespaces, listNamespaces, namespacePids } from './netns.js';
import { netnsPrefix, stateDirOf } from './plan.js';
import { cmdlineOf, isAlive, isLabProcess, readPid, stopPids } from './processes.js';
import { readPlan } from './state.js';

export interface DownResult {
  name: string;
  /** lab daemons stopped (processes inside the namespaces whose command line names the lab) */
  daemons: number;
  /** other processes that were inside the namespaces (the daemons' `ip monitor` children, shells) */
  children: number;
  /** whether the collector was running and was stopped */
  collector: boolean;
  /** whether the BGP-LS collector (gobgpd, `lab up --bgp`) was running and was stopped */
  gobgpd: boolean;
  /** namespaces removed */
  namespaces: number;
  removedDir: boolean;
  /** namespaces still there afterwards */
  namespacesLeft: string[];
  /** PIDs seen in the namespaces (or the collector) that are still running afterwards */
  processesLeft: number[];
}

/** Every PID inside the lab's namespaces, per namespace (`ip netns pids`). */
export async function labNamespacePids(name: string, stateRoot?: string): Promise<Map<string, number[]>> {
  const plan = readPlan(stateDirOf(name, stateRoot));
  const prefix = netnsPrefix(name);
  const existing = new Set(await listNamespaces());
  const namespaces = new Set([...existing].filter((n) => n.startsWith(prefix)));
  for (const n of plan?.nodes ?? []) if (existing.has(n.netns)) namespaces.add(n.netns);
  const out = new Map<string, number[]>();
  for (const ns of [...namespaces].sort()) out.set(ns, await namespacePids(ns));
  return out;
}

export async function labDown(name: string, stateRoot?: string): Promise<DownResult> {
  const stateDir = stateDirOf(name, stateRoot);
  const byNs = await labNamespacePids(name, stateRoot);
  const inside = new Set([...byNs.values()].flat());
  inside.delete(process.pid);

  // The daemons name the state directory on their command line (their socket);
  // their children (`sh`, `ip monitor`) do not, but they are inside too. The
  // daemons go first and alone: on SIGTERM they withdraw their reports, which
  // the collector should still be there to take, and they stop their own
  // children; whatever is still inside after that is stopped too.
  // gobgpd (with --bgp) names the state directory too (its configuration): it goes after
  // the daemons, so their Cease reaches it.
  const isGobgpd = (pid: number): boolean => /^(\S*\/)?gobgpd /.test(cmdlineOf(pid) ?? '');
  const labbed = [...inside].filter((pid) => isLabProcess(pid, stateDir));
  const daemons = labbed.filter((pid) => !isGobgpd(pid));
  const gobgpd = labbed.filter(isGobgpd);
  const children = [...inside].filter((pid) => !labbed.includes(pid));
  const others = new Set<number>();
  if (existsSync(stateDir)) {
    for (const f of readdirSync(stateDir).filter((f) => f.endsWith('.pid'))) {
      const pid = readPid(path.join(stateDir, f));
      if (pid !== null && !inside.has(pid) && pid !== process.pid && isLabProcess(pid, stateDir)) others.add(pid);
    }
  }
  await stopPids(daemons);
  await stopPids(gobgpd);
  await stopPids(children.filter(isAlive));
  // Anything that entered a namespace meanwhile (someone's `ip netns exec … bash`) goes too.
  const late = [...(await labNamespacePids(name, stateRoot)).values()].flat().filter((p) => p !== process.pid && !inside.has(p));
  await stopPids(late);
  await stopPids([...others]);

  const present = [...byNs.keys()];
  await deleteNamespaces(present);
  const after = new Set(await listNamespaces());
  const namespacesLeft = present.filter((n) => after.has(n));
  const processesLeft = [...inside, ...late, ...others].filter(isAlive).sort((a, b) => a - b);

  const removedDir = existsSync(stateDir);
  rmSync(stateDir, { recursive: true, force: true });
  // The parent (/run/lsoe-lab) goes with the last lab; another lab's directory keeps it.
  try {
    rmdirSync(path.dirname(stateDir));
  } catch {
    /* not empty, or already gone */
  }
  return {
    name,
    daemons: daemons.length,
    children: children.length + late.length,
    collector: others.size > 0,
    gobgpd: gobgpd.length > 0,
    namespaces: present.length - namespacesLeft.length,
    removedDir,
    namespacesLeft,
    processesLeft,
  };
}

/** One line for people: what was stopped and removed. */
export function downSummary(r: DownResult): string {
  if (r.daemons === 0 && r.children === 0 && !r.collector && !r.gobgpd && r.namespaces === 0 && !r.removedDir && r.namespacesLeft.length === 0) {
    return `lab ${r.name}: nothing to stop`;
  }
  const stopped: string[] = [];
  if (r.daemons > 0) stopped.push(`${r.daemons} daemon${r.daemons === 1 ? '' : 's'}`);
  if (r.collector) stopped.push('the collector');
  if (r.gobgpd) stopped.push('gobgpd');
  const list = stopped.length <= 2 ? stopped.join(' and ') : `${stopped.slice(0, -1).join(', ')} and ${stopped.at(-1)!}`;
  const what = stopped.length === 0 ? 'stopped nothing' : `stopped ${list}`;
  const files = r.removedDir ? 'its files' : 'no files';
  return `lab ${r.name}: ${what}, removed ${r.namespaces} namespace${r.namespaces === 1 ? '' : 's'} and ${files}`;
}

/** null when everything went; else one line saying what is left. */
export function downFailure(r: DownResult): string | null {
  const parts: string[] = [];
  if (r.namespacesLeft.length > 0) parts.push(`namespaces not removed: ${r.namespacesLeft.join(', ')}`);
  if (r.processesLeft.length > 0) parts.push(`processes still running: ${r.processesLeft.join(', ')}`);
  return parts.length === 0 ? null : `lab ${r.name}: ${parts.join('; ')}`;
}
