// Benchmark section "lab-converge": labs of 4 x 8 (12 switches, 32 links), 4 x 16 (20,
// 64) and 8 x 32 (40, 256) brought up with `lsoe lab up --wait`. Reports per run the
// seconds until everything was started and until all session ends were open (both
// counted from the start of `lab up`, as `lab up --wait` says them) and the daemons'
// total RSS and CPU seconds once converged (and the load average before), then brings the lab down. Needs root; uses a lab name and a
// port of its own, so it can run beside other labs. Reports only, never fails on speed
// (targets: 4 x 8 within 10 s, 4 x 16 within 20 s, 8 x 32 within 60 s).
//
//   node bench/run.mjs --only lab-converge [--reps N]   (through the runner; N runs of 4 x 8, one of each larger)
//   node bench/lab-converge.mjs [--sizes 4x8,4x16]      (alone)

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import { median, printTable, skipUnlessRoot } from './lib.mjs';
import { cpuTicks, rssKiB, TICKS_PER_S, freePort, runLsoe } from './proc.mjs';
import { loadavg } from 'node:os';

const SIZES = [[4, 8], [4, 16], [8, 32]];
const WAIT_SECONDS = 180;
const TARGETS = { '4x8': 10, '4x16': 20, '8x32': 60 };
const benchFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(benchFile), '..');

/** The lab's daemons' PIDs (their PID files in the state directory). */
function daemonPids(stateDir) {
  return readdirSync(stateDir)
    .filter((f) => f.endsWith('.pid') && !f.startsWith('collector'))
    .flatMap((f) => {
      try {
        return [Number(readFileSync(path.join(stateDir, f), 'utf8').trim())];
      } catch {
        return [];
      }
    });
}

/** Sum of `read(pid)` over the daemons that are still there. */
function sumOver(pids, read) {
  let total = 0;
  for (const pid of pids) {
    try {
      total += read(pid) ?? 0;
    } catch {
      // exited
    }
  }
  return total;
}

async function once(name, [spines, leaves], log) {
  const port = await freePort();
  const load = loadavg()[0];
  try {
    const up = await runLsoe([
      'lab', 'up', '--spines', String(spines), '--leaves', String(leaves),
      '--name', name, '--port', String(port), '--wait', '--timeout', String(WAIT_SECONDS), '--json',
    ]);
    if (up.stdout.trim() === '') throw new Error(`lab up failed: ${up.stderr.trim().split('\n').at(-1)}`);
    const r = JSON.parse(up.stdout);
    const pids = daemonPids(r.stateDir);
    const rss = Number((sumOver(pids, rssKiB) / 1024).toFixed(0));
    // CPU the daemons spent to start and converge (to the end of lab up): robust to the
    // machine's load, unlike the seconds
    const cpu = Number((sumOver(pids, cpuTicks) / TICKS_PER_S).toFixed(1));
    log(`  ${spines}x${leaves}: started ${r.startedSeconds.toFixed(2)} s, converged ${r.convergedSeconds === null ? 'no' : r.convergedSeconds.toFixed(2) + ' s'} (${r.openEnds}/${r.totalEnds} open), daemons ${rss} MiB, ${cpu} CPU s; load average ${load.toFixed(1)} before`);
    return { size: `${spines}x${leaves}`, startedSeconds: r.startedSeconds, convergedSeconds: r.convergedSeconds, openEnds: r.openEnds, totalEnds: r.totalEnds, daemonsRssMiB: rss, daemonsCpuSeconds: cpu, loadAverageBefore: load };
  } finally {
    const down = await runLsoe(['lab', 'down', '--name', name]);
    if (down.code !== 0) log(`  lab down: ${down.stderr.trim()}`);
  }
}

export async function run(ctx) {
  const notRoot = skipUnlessRoot(ctx, 'lab-converge');
  if (notRoot) return notRoot;
  const reps = ctx.args?.reps ?? 3;
  const i = process.argv.indexOf('--sizes');
  const sizes = i >= 0 ? process.argv[i + 1].split(',').map((x) => x.split('x').map(Number)) : SIZES;
  const runs = [];
  for (const size of sizes) {
    // the small lab a few times (it is quick), the large ones once
    const n = size[0] * size[1] <= 32 ? reps : 1;
    for (let k = 0; k < n; k++) {
      // A fresh name each run: a failed `down` can never make the next run reuse leftovers.
      const name = `bench${process.pid}_${randomBytes(2).toString('hex')}`;
      runs.push(await once(name, size, ctx.log));
    }
  }
  const fmt = (s) => (s == null ? 'n/a' : s.toFixed(2));
  const bySize = [...new Set(runs.map((r) => r.size))].map((size) => {
    const rs = runs.filter((r) => r.size === size);
    const conv = rs.map((r) => r.convergedSeconds).filter((x) => x !== null);
    return {
      size,
      runs: rs.length,
      medianStartedSeconds: median(rs.map((r) => r.startedSeconds)),
      medianConvergedSeconds: conv.length > 0 ? median(conv) : null,
      notConverged: rs.length - conv.length,
      daemonsRssMiB: median(rs.map((r) => r.daemonsRssMiB)),
      daemonsCpuSeconds: median(rs.map((r) => r.daemonsCpuSeconds)),
      loadAverageBefore: median(rs.map((r) => r.loadAverageBefore)),
      totalEnds: rs[0].totalEnds,
      targetSeconds: TARGETS[size] ?? null,
    };
  });
  printTable(
    'lab up --wait: seconds from `lab up` until started / until every session end is open; daemons\' RSS',
    ['Lab', 'Runs', 'Started (s)', 'All open (s)', 'Target (s)', 'Session ends', 'Daemons RSS (MiB)', 'Daemons CPU (s)', 'Load before'],
    bySize.map((b) => [b.size, b.runs, fmt(b.medianStartedSeconds), fmt(b.medianConvergedSeconds), b.targetSeconds ?? '', b.totalEnds, b.daemonsRssMiB, b.daemonsCpuSeconds, b.loadAverageBefore.toFixed(1)]),
  );
  return { runs, bySize };
}

if (process.argv[1] === benchFile) {
  const r = await run({ args: { reps: 3 }, log: (t) => process.stdout.write(`${t}\n`) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
