// Starting the lab's background processes: the collector in the root
// namespace, then one `lsoe daemon` per node namespace, each detached with
// its output in its own log file in the state directory.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { availableParallelism } from 'node:os';
import { askOnce } from '../ctl/client.js';
import { packageRoot } from '../package-root.js';
import { gobgpdConfig, queryNeighbors } from './gobgpd.js';
import { bgpOf, type LabNode, type LabPlan } from './plan.js';
import { isAlive, spawnDetached, writePid } from './processes.js';

/** bin/lsoe of this installation. */
export const LSOE_BIN = path.join(packageRoot(import.meta.url), 'bin/lsoe');

export class StartError extends Error {
  override readonly name = 'StartError';
}

/** The daemon's command line: lab timers, its control socket, reports to the collector's Unix socket. */
export function daemonArgs(plan: LabPlan, node: LabNode): string[] {
  const ifnames = plan.links.flatMap((l) => [l.upper, l.lower]).filter((e) => e.node === node.name).map((e) => e.ifname);
  return [
    'daemon',
    ...ifnames.flatMap((i) => ['-i', i]),
    '--socket', node.socket,
    '--report-rfc7752-url', `unix:${plan.collector.socket}`,
    '--local-id', node.localId,
    '--hello-interval', String(plan.timers.hello),
    '--keepalive-send-interval', String(plan.timers.keepaliveSend),
    '--keepalive-receive-timeout', String(plan.timers.keepaliveReceive),
    '--log-format', 'json',
    ...bgpArgs(plan, node),
  ];
}

/**
 * With --bgp: peer with the lab's gobgpd, in the fabric's AS, named after the switch
 * (namespaces share the host name), with IGP Router-ID 515 so GoBGP 3.x keeps the
 * switches' nodes apart (PROTOCOL.md section 8).
 */
function bgpArgs(plan: LabPlan, node: LabNode): string[] {
  const bgp = bgpOf(plan);
  if (bgp === null) return [];
  return [
    '--bgp-peer', bgp.address,
    '--bgp-asn', String(bgp.asn),
    '--bgp-ls-node-name', node.name,
    '--bgp-ls-igp-router-id', 'yes',
  ];
}

/** The last non-empty lines of a log (JSON log lines shown by their message), to say why something did not start. */
export function lastLogLines(file: string, count = 3): string {
  try {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) return '(empty log)';
    return lines
      .slice(-count)
      .map((l) => {
        try {
          const j = JSON.parse(l) as { msg?: unknown };
          return typeof j.msg === 'string' ? j.msg : l;
        } catch {
          return l;
        }
      })
      .join(' | ');
  } catch {
    return '(no log)';
  }
}

async function waitFor(what: string, pid: number, log: string, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (!isAlive(pid)) throw new StartError(`${what} exited: ${lastLogLines(log)} (log: ${log})`);
    if (Date.now() > deadline) throw new StartError(`${what} not ready after ${timeoutMs / 1000} s: ${lastLogLines(log)} (log: ${log})`);
    await sleep(100);
  }
}

export async function startCollectorProcess(plan: LabPlan, timeoutMs = 10000): Promise<number> {
  const pid = spawnDetached(process.execPath, [LSOE_BIN, 'lab', 'collector', '--state-dir', plan.stateDir], plan.collector.log);
  writePid(plan.collector.pidFile, pid);
  await waitFor('collector', pid, plan.collector.log, timeoutMs, async () => {
    try {
      const res = await fetch(`${plan.collector.url}api/state`, { signal: AbortSignal.timeout(1000) });
      return res.ok;
    } catch {
      return false;
    }
  });
  return pid;
}

/**
 * With --bgp: gobgpd in its namespace, passive, taking any switch of the management
 * network as a neighbour, dumping every UPDATE it receives; ready when its API answers.
 * Started before the daemons, so their first connection finds it.
 */
export async function startGobgpd(plan: LabPlan, timeoutMs = 10000): Promise<number | null> {
  const bgp = bgpOf(plan);
  if (bgp === null) return null;
  writeFileSync(
    bgp.config,
    gobgpdConfig({ asn: bgp.asn, routerId: bgp.address, listen: [bgp.address], dynamicPrefix: bgp.prefix, mrtFile: bgp.mrtFile }),
  );
  const pid = spawnDetached(
    'ip',
    ['netns', 'exec', bgp.netns, 'gobgpd', '-f', bgp.config, '-p', '--api-hosts', `127.0.0.1:${bgp.apiPort}`, '--pprof-disable'],
    bgp.log,
    undefined,
    plan.stateDir,
  );
  writePid(bgp.pidFile, pid);
  await waitFor('gobgpd', pid, bgp.log, timeoutMs, () => queryNeighbors(bgp.netns, bgp.apiPort, 2000).then(() => true, () => false));
  return pid;
}

export function startDaemon(plan: LabPlan, node: LabNode): number {
  // `ip netns exec` execs node in place, so the PID is the daemon's own.
  const pid = spawnDetached('ip', ['netns', 'exec', node.netns, process.execPath, LSOE_BIN, ...daemonArgs(plan, node)], node.log);
  writePid(node.pidFile, pid);
  return pid;
}

/**
 * Daemons started at once. A starting daemon is not busy all the time (it waits for
 * `ip`, the kernel, its sockets), so four per core keep the cores busy; measured on the
 * shared 2-core machine (load average 14-16), a 4 x 16 lab's daemons started in 16 s
 * at 8 at once against 25 s at 4. Each still has its own time-out to answer.
 */
export function startConcurrency(): number {
  return Math.max(2, availableParallelism() * 4);
}

/** A daemon is ready when its own control socket answers (it opens it before anything goes on the wire). */
async function answers(socket: string): Promise<boolean> {
  try {
    await askOnce(socket, 'version', { timeoutMs: 1000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts every daemon, at most `concurrency` starting at a time, each given
 * `perDaemonMs` from its own start to answer on its control socket; the first
 * that exits or stays silent is named with its last log lines (the caller
 * cleans up).
 */
export async function startDaemons(plan: LabPlan, opts: { concurrency?: number; perDaemonMs?: number } = {}): Promise<void> {
  const concurrency = opts.concurrency ?? startConcurrency();
  const perDaemonMs = opts.perDaemonMs ?? 30_000;
  const queue = [...plan.nodes];
  let failure: Error | null = null;
  const worker = async () => {
    for (let n = queue.shift(); n !== undefined && failure === null; n = queue.shift()) {
      const node = n;
      const pid = startDaemon(plan, node);
      try {
        await waitFor(`daemon of ${node.name}`, pid, node.log, perDaemonMs, () => answers(node.socket));
      } catch (err) {
        failure ??= err as Error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, plan.nodes.length) }, worker));
  if (failure !== null) throw failure;
}
