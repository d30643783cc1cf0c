// Benchmark section "lab-converge": the default 4 x 8 lab (12 namespaces, 32 links,
// 12 daemons) brought up with `lsoe lab up --wait`, a few times. Reports per run the
// seconds until everything was started and until all 64 session ends were open (both
// counted from the start of `lab up`, as `lab up --wait` says them), then brings the
// lab down. Needs root; uses a lab name and a port of its own, so it can run beside
// other labs. Reports only, never fails on speed (the target: within 10 s).
//
//   node bench/run.mjs --only lab-converge [--reps N]   (through the runner)
//   node bench/lab-converge.mjs                          (alone, 3 runs)

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printTable } from './lib.mjs';

const SPINES = 4;
const LEAVES = 8;
const WAIT_SECONDS = 60;
const benchFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(benchFile), '..');
const lsoeBin = path.join(repoRoot, 'bin', 'lsoe');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function lsoe(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [lsoeBin, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function once(name, log) {
  const port = await freePort();
  try {
    const up = await lsoe([
      'lab', 'up', '--spines', String(SPINES), '--leaves', String(LEAVES),
      '--name', name, '--port', String(port), '--wait', '--timeout', String(WAIT_SECONDS), '--json',
    ]);
    if (up.stdout.trim() === '') throw new Error(`lab up failed: ${up.stderr.trim().split('\n').at(-1)}`);
    const r = JSON.parse(up.stdout);
    log(`  run: started ${r.startedSeconds.toFixed(2)} s, converged ${r.convergedSeconds === null ? 'no' : r.convergedSeconds.toFixed(2) + ' s'} (${r.openEnds}/${r.totalEnds} open)`);
    return { startedSeconds: r.startedSeconds, convergedSeconds: r.convergedSeconds, openEnds: r.openEnds, totalEnds: r.totalEnds };
  } finally {
    const down = await lsoe(['lab', 'down', '--name', name]);
    if (down.code !== 0) log(`  lab down: ${down.stderr.trim()}`);
  }
}

export async function run(ctx) {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    ctx.log('lab-converge: skipped (needs root for network namespaces)');
    return { skipped: 'needs root' };
  }
  const reps = ctx.args?.reps ?? 3;
  const runs = [];
  for (let i = 0; i < reps; i++) {
    // A fresh name each run: a failed `down` can never make the next run reuse leftovers.
    const name = `bench${process.pid}_${randomBytes(2).toString('hex')}`;
    runs.push(await once(name, ctx.log));
  }
  const converged = runs.map((r) => r.convergedSeconds).filter((s) => s !== null);
  const fmt = (s) => (s == null ? 'n/a' : s.toFixed(2));
  printTable(
    `lab ${SPINES} x ${LEAVES}: seconds from \`lab up\` until started / until all ${runs[0]?.totalEnds ?? 64} session ends open`,
    ['Run', 'Started (s)', 'All open (s)', 'Open ends'],
    [
      ...runs.map((r, i) => [String(i + 1), fmt(r.startedSeconds), fmt(r.convergedSeconds), `${r.openEnds}/${r.totalEnds}`]),
      ['median', fmt(median(runs.map((r) => r.startedSeconds))), converged.length > 0 ? fmt(median(converged)) : 'n/a', ''],
    ],
  );
  ctx.log('target: all 64 session ends open within 10 s on a 2-core machine');
  return {
    spines: SPINES,
    leaves: LEAVES,
    runs,
    medianStartedSeconds: median(runs.map((r) => r.startedSeconds)),
    medianConvergedSeconds: converged.length > 0 ? median(converged) : null,
    notConverged: runs.length - converged.length,
  };
}

if (process.argv[1] === benchFile) {
  const r = await run({ args: { reps: 3 }, log: (t) => process.stdout.write(`${t}\n`) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
