// Starting the lab's background processes: the collector in the root
// namespace, then one `lsoe daemon` per node namespace, each detached with
// its output in its own log file in the state directory.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ctlQuery } from './ctl-query.js';
import type { LabNode, LabPlan } from './plan.js';
import { isAlive, spawnDetached, writePid } from './processes.js';

/** bin/lsoe of this checkout (this file is dist/src/lab/daemons.js). */
export const LSOE_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/lsoe');

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
  ];
}

/** The last non-empty line of a log, to say why something did not start. */
export function lastLogLine(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    return lines.at(-1) ?? '(empty log)';
  } catch {
    return '(no log)';
  }
}

async function waitFor(what: string, pid: number, log: string, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (!isAlive(pid)) throw new StartError(`${what} exited: ${lastLogLine(log)} (log: ${log})`);
    if (Date.now() > deadline) throw new StartError(`${what} not ready after ${timeoutMs / 1000} s (log: ${log})`);
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

export function startDaemon(plan: LabPlan, node: LabNode): number {
  // `ip netns exec` execs node in place, so the PID is the daemon's own.
  const pid = spawnDetached('ip', ['netns', 'exec', node.netns, process.execPath, LSOE_BIN, ...daemonArgs(plan, node)], node.log);
  writePid(node.pidFile, pid);
  return pid;
}

/** Starts every daemon, then waits until each answers on its control socket. */
export async function startDaemons(plan: LabPlan, timeoutMs = 20000): Promise<void> {
  const pids = plan.nodes.map((n) => startDaemon(plan, n));
  await Promise.all(
    plan.nodes.map((n, i) =>
      waitFor(`daemon of ${n.name}`, pids[i]!, n.log, timeoutMs, async () => (await ctlQuery(n.socket, 'version', 500)).ok),
    ),
  );
}
