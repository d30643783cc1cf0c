// `lsoe lab up`: plan, clear leftovers of a crashed lab of the same name,
// build the namespaces and links, start the collector and the daemons, and
// return (they run on in the background). Any failure on the way takes down
// what was built.
import { existsSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnSync } from 'node:child_process';
import { BgpLabWatcher } from './bgp-watch.js';
import type { LabBgpStatus } from './bgp-links.js';
import { startCollectorProcess, startDaemons, startGobgpd } from './daemons.js';
import { downFailure, labDown } from './down.js';
import { createNetwork, listNamespaces } from './netns.js';
import { makePlan, netnsPrefix, stateDirOf, type LabPlan } from './plan.js';
import { isLabProcess, readPid } from './processes.js';
import { readPlan, writePlan } from './state.js';
import { labStatus } from './status.js';
import type { LinkPair } from './topology.js';

export class LabError extends Error {
  override readonly name = 'LabError';
}

export interface UpOptions {
  name: string;
  links: LinkPair[];
  port: number;
  stateRoot?: string;
  /** wait until every session end is open, at most this many ms */
  waitMs?: number;
  /** progress notes for people */
  note?: (text: string) => void;
  /** gobgpd as the fabric's BGP-LS collector, every daemon peering with it */
  bgp?: boolean;
}

export interface UpResult {
  plan: LabPlan;
  /** ms from the first command to everything started */
  startedMs: number;
  /** ms until every session end was open (only with waitMs) */
  convergedMs: number | null;
  openEnds: number;
  totalEnds: number;
  /** true when leftovers of a previous run were removed first */
  cleaned: boolean;
  /** with bgp: ms until every switch's BGP session was established and every link paired in BGP-LS (with waitMs) */
  bgpConvergedMs: number | null;
  /** with bgp: the fabric as BGP-LS showed it when up returned */
  bgp: LabBgpStatus | null;
}

/** Null when gobgpd and gobgp are both there to run. */
export function gobgpMissing(): string | null {
  const missing = ['gobgpd', 'gobgp'].filter((c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status !== 0);
  return missing.length === 0 ? null : `--bgp needs ${missing.join(' and ')} (Debian package gobgpd; scripts/setup installs it)`;
}

/** Every switch established with gobgpd and every planned link paired. */
export function bgpConverged(s: LabBgpStatus): boolean {
  return s.peers.every((p) => p.state === 'established') && s.links.every((l) => l.link === null || l.paired);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Whether something accepts connections on `host`:`port` (a server on ::1 or with SO_REUSEPORT would let us bind). */
function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (yes: boolean) => {
      sock.destroy();
      resolve(yes);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Null when the port is ours to take, else why not. */
export async function portProblem(port: number): Promise<string | null> {
  for (const host of ['127.0.0.1', '::1']) {
    if (await answers(host, port)) return `something already answers on ${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
  if (!(await canListen(port))) return `port ${port} on 127.0.0.1 is in use`;
  return null;
}

/** Whether a lab of this name is running (its collector is alive). */
export function labRunning(name: string, stateRoot?: string): boolean {
  const dir = stateDirOf(name, stateRoot);
  const plan = readPlan(dir);
  if (!plan) return false;
  const pid = readPid(plan.collector.pidFile);
  return pid !== null && isLabProcess(pid, dir);
}

export async function labUp(opts: UpOptions): Promise<UpResult> {
  const note = opts.note ?? (() => undefined);
  const t0 = Date.now();
  const stateDir = stateDirOf(opts.name, opts.stateRoot);
  if (labRunning(opts.name, opts.stateRoot)) {
    throw new LabError(`lab '${opts.name}' is already up (lsoe lab down --name ${opts.name} first)`);
  }
  const leftovers = existsSync(stateDir) || (await listNamespaces()).some((n) => n.startsWith(netnsPrefix(opts.name)));
  if (leftovers) {
    note(`lab ${opts.name}: removing leftovers of an earlier run`);
    const failed = downFailure(await labDown(opts.name, opts.stateRoot));
    if (failed) throw new LabError(`cannot clear the earlier run: ${failed}`);
  }
  if (opts.bgp === true) {
    const missing = gobgpMissing();
    if (missing !== null) throw new LabError(missing);
  }
  const busy = await portProblem(opts.port);
  if (busy !== null) throw new LabError(`${busy} (choose another with --port)`);

  const plan = makePlan({ name: opts.name, links: opts.links, port: opts.port, stateRoot: opts.stateRoot, bgp: opts.bgp === true });
  try {
    writePlan(plan);
    // The collector needs only the plan: it starts while the network is built, and is
    // ready before the first daemon (so no report waits for it). gobgpd lives in the
    // network's collector namespace, so it starts once the network is there.
    const [collector, network] = await Promise.allSettled([startCollectorProcess(plan), createNetwork(plan)]);
    for (const r of [network, collector]) if (r.status === 'rejected') throw r.reason;
    await startGobgpd(plan);
    await startDaemons(plan);
  } catch (err) {
    await labDown(opts.name, opts.stateRoot).catch(() => undefined);
    throw new LabError(`lab ${opts.name} did not start: ${(err as Error).message}`);
  }
  const startedMs = Date.now() - t0;

  let convergedMs: number | null = null;
  let bgpConvergedMs: number | null = null;
  const watcher = opts.bgp === true ? new BgpLabWatcher(plan) : null;
  const bgpNow = async (): Promise<LabBgpStatus | null> => {
    if (watcher === null) return null;
    watcher.readDump();
    await watcher.pollNeighbors();
    return watcher.status();
  };
  let ends = await labStatus(plan);
  let bgp = await bgpNow();
  if (opts.waitMs !== undefined) {
    const deadline = Date.now() + opts.waitMs;
    const lsoeDone = () => ends.every((e) => e.state === 'open');
    const bgpDone = () => bgp === null || bgpConverged(bgp);
    if (lsoeDone()) convergedMs = Date.now() - t0;
    if (bgp !== null && bgpDone()) bgpConvergedMs = Date.now() - t0;
    while ((!lsoeDone() || !bgpDone()) && Date.now() < deadline) {
      await sleep(200);
      [ends, bgp] = await Promise.all([lsoeDone() ? ends : labStatus(plan), bgpDone() ? bgp : bgpNow()]);
      if (convergedMs === null && lsoeDone()) convergedMs = Date.now() - t0;
      if (bgp !== null && bgpConvergedMs === null && bgpDone()) bgpConvergedMs = Date.now() - t0;
    }
  }
  return {
    bgpConvergedMs,
    bgp,
    plan,
    startedMs,
    convergedMs,
    openEnds: ends.filter((e) => e.state === 'open').length,
    totalEnds: ends.length,
    cleaned: leftovers,
  };
}
