// The `lsoe lab` subcommands: turn typed options into calls on the lab
// modules and print the results through the shared renderer.
import { systemErrorText } from '../cli-context.js';
import { readFileSync } from 'node:fs';
import { CliError } from '../cli-error.js';
import type { LabNameOptions, LabStatusOptions, LabUpOptions } from './options.js';
import { createOutput } from '../render/output.js';
import { downFailure, downSummary, labDown } from './down.js';
import { checkLabName, DEFAULT_STATE_ROOT, stateDirOf } from './plan.js';
import { isLabProcess, readPid } from './processes.js';
import { readPlan } from './state.js';
import { LabPermissionError, labStatus } from './status.js';
import { clos, parseTopologyText, TopologyError, type LinkPair } from './topology.js';
import { LabError, labUp } from './up.js';
import { formatLocalId } from '../proto/local-id.js';

/** --wait's default: 30 s, plus 2 s per switch (starting and converging grow with the lab). */
export function waitSecondsFor(switches: number): number {
  return 30 + 2 * switches;
}

function checkName(name: string): void {
  const bad = checkLabName(name);
  if (bad) throw new CliError(`--name: ${bad}`, 2);
}

function requireRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new CliError('lab needs root to create network namespaces (run it with sudo)', 1);
  }
}

function readLinks(opts: LabUpOptions): LinkPair[] {
  if (opts.topology === null) {
    if (opts.spines < 1 || opts.leaves < 1) throw new CliError('--spines and --leaves: at least 1 each', 2);
    return clos(opts.spines, opts.leaves);
  }
  let text: string;
  try {
    text = readFileSync(opts.topology, 'utf8');
  } catch (err) {
    throw new CliError(`--topology: cannot read ${opts.topology}: ${systemErrorText(err)}`, 1);
  }
  try {
    return parseTopologyText(text, opts.topology);
  } catch (err) {
    if (err instanceof TopologyError) throw new CliError(err.message, 1);
    throw err;
  }
}

export async function runLabUp(opts: LabUpOptions): Promise<void> {
  checkName(opts.name);
  const links = readLinks(opts);
  requireRoot();
  const out = createOutput({ json: opts.json });
  // A bigger lab takes longer to start and converge on the same cores: the default scales with it.
  const timeout = opts.timeout ?? waitSecondsFor(new Set(links.flatMap((l) => l)).size);
  let result;
  try {
    result = await labUp({
      name: opts.name,
      links,
      port: opts.port,
      waitMs: opts.wait ? timeout * 1000 : undefined,
      note: (t) => out.note(t),
      bgp: opts.bgp,
    });
  } catch (err) {
    if (err instanceof LabError || err instanceof TopologyError || err instanceof RangeError) throw new CliError(err.message, 1);
    throw err;
  }
  const { plan } = result;
  const first = plan.nodes[0]!;
  out.record({
    lab: plan.name,
    url: plan.collector.url,
    stateDir: plan.stateDir,
    nodes: plan.nodes.map((n) => ({ name: n.name, netns: n.netns, socket: n.socket, localId: n.localId })),
    links: plan.links.length,
    startedSeconds: result.startedMs / 1000,
    convergedSeconds: result.convergedMs === null ? null : result.convergedMs / 1000,
    openEnds: result.openEnds,
    totalEnds: result.totalEnds,
    bgp: result.bgp === null ? null : {
      collector: plan.bgp!.address,
      netns: plan.bgp!.netns,
      convergedSeconds: result.bgpConvergedMs === null ? null : result.bgpConvergedMs / 1000,
      established: result.bgp.peers.filter((p) => p.state === 'established').length,
      switches: result.bgp.peers.length,
      paired: result.bgp.links.filter((l) => l.link !== null && l.paired).length,
      links: plan.links.length,
    },
  });
  const name = plan.name === 'default' ? '' : ` --name ${plan.name}`;
  out.line(`lab ${plan.name}: ${plan.nodes.length} switches, ${plan.links.length} links, started in ${(result.startedMs / 1000).toFixed(1)} s`);
  if (opts.wait) {
    out.line(
      result.convergedMs === null
        ? `not converged after ${timeout} s: ${result.openEnds} of ${result.totalEnds} session ends open`
        : `converged: all ${result.totalEnds} session ends open ${(result.convergedMs / 1000).toFixed(1)} s after start`,
    );
  }
  if (result.bgp !== null) {
    const b = result.bgp;
    const established = b.peers.filter((p) => p.state === 'established').length;
    const paired = b.links.filter((l) => l.link !== null && l.paired).length;
    out.line(
      opts.wait && result.bgpConvergedMs !== null
        ? `BGP-LS: all ${established} sessions established, all ${paired} links paired ${(result.bgpConvergedMs / 1000).toFixed(1)} s after start`
        : `BGP-LS: ${established} of ${b.peers.length} sessions established, ${paired} of ${plan.links.length} links paired`,
    );
  }
  out.line(`  page      ${plan.collector.url}`);
  out.line(`  status    lsoe lab status${name}`);
  out.line(`  sessions  lsoe sessions --socket ${first.socket}`);
  if (plan.bgp) {
    out.line(`  bgp-ls    lsoe lab status --bgp${name}`);
    out.line(`  gobgp     ip netns exec ${plan.bgp.netns} gobgp neighbor`);
  }
  out.line(`  shell     ip netns exec ${first.netns} bash`);
  out.line(`  stop      lsoe lab down${name}`);
  if (opts.wait && (result.convergedMs === null || (result.bgp !== null && result.bgpConvergedMs === null))) process.exitCode = 1;
}

export async function runLabStatus(opts: LabStatusOptions): Promise<number> {
  checkName(opts.name);
  const dir = stateDirOf(opts.name, DEFAULT_STATE_ROOT);
  const plan = readPlan(dir);
  if (!plan) throw new CliError(`no lab '${opts.name}' (start one with: lsoe lab up --name ${opts.name})`, 1);
  if (opts.bgp) {
    const { runLabBgpStatus } = await import('./bgp-status-run.js');
    return runLabBgpStatus(plan, opts.json);
  }
  let ends;
  try {
    ends = await labStatus(plan);
  } catch (err) {
    if (err instanceof LabPermissionError) throw new CliError(err.message, 1);
    throw err;
  }
  const out = createOutput({ json: opts.json });
  for (const e of ends) out.record(e);
  const collectorPid = readPid(plan.collector.pidFile);
  const collectorUp = collectorPid !== null && isLabProcess(collectorPid, dir);
  const open = ends.filter((e) => e.state === 'open').length;
  out.line(
    `lab ${plan.name}: ${open} of ${ends.length} session ends open; page ${plan.collector.url}` +
      (collectorUp ? '' : ' (collector not running)'),
  );
  const paint = (s: string): string =>
    s === 'open' ? out.style.green(s) : s === 'opening' ? out.style.yellow(s) : out.style.red(s);
  out.table(
    ['Switch', 'Interface', 'Peer', 'Peer MAC', 'Peer ID', 'State'],
    ends.map((e) => [
      e.node,
      e.ifname,
      e.peerNode,
      e.peerMac,
      e.peerId === null ? '' : formatLocalId(e.peerId.replace(/[^0-9a-fA-F]/g, '').toLowerCase()),
      e.daemon ? paint(e.state) : out.style.red('no daemon'),
    ]),
  );
  return 0;
}

export async function runLabDown(opts: LabNameOptions): Promise<void> {
  checkName(opts.name);
  requireRoot();
  const result = await labDown(opts.name);
  const out = createOutput({ json: opts.json });
  out.record(result);
  out.line(downSummary(result));
  const failed = downFailure(result);
  if (failed) throw new CliError(failed, 1);
}

export async function runLabCollector(stateDir: string): Promise<void> {
  const { runCollectorProcess } = await import('./collector-main.js');
  try {
    await runCollectorProcess(stateDir);
  } catch (err) {
    // No plan, a busy port, an unusable socket path: one line in collector.log, which `up` shows.
    throw new CliError(`collector: ${(err as Error).message}`, 1);
  }
}
