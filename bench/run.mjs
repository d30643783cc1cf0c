#!/usr/bin/env node
// `npm run bench` (after `npm run build`): runs the benchmark sections in turn
// and writes each one's results to bench/out/<section>.json.
//
//   node bench/run.mjs [--only decode[,daemon-scale]] [--frames N] [--reps N] [--decode-tools lsoe,tcpdump]
//                      [--lsoed 'CMD' (daemon-idle: the reference lsoed side by side; or LSOED=CMD)]
//
// A section is a file bench/<name>.mjs exporting
//   export async function run(ctx) -> plain JSON-able object of results
// where ctx = { repoRoot, outDir, args: { frames, reps, ... }, log(text) }.
// The section prints its own table (bench/lib.mjs has helpers); this file
// saves what it returns. A section whose file is absent is skipped with a note,
// so bench/daemon-scale.mjs can land independently.
// Nothing here asserts timings: the benchmark reports, it never fails on speed.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SECTIONS = ['startup', 'decode', 'daemon-scale', 'daemon-ports', 'daemon-idle', 'lab-converge', 'lab-page', 'hostile', 'metrics', 'bgp', 'lab-bgp', 'sniff-stall'];
const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const outDir = path.join(benchDir, 'out');

function usage(message) {
  process.stderr.write(`bench: ${message}\nusage: node bench/run.mjs [--only ${SECTIONS.join('|')}[,…]] [--frames N] [--reps N] [--lsoed CMD]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { only: SECTIONS, frames: 100_000, reps: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? a.split(/=(.*)/s) : [a, undefined];
    const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === '--only') {
      args.only = value().split(',').filter(Boolean);
      for (const s of args.only) if (!SECTIONS.includes(s)) usage(`unknown section ${JSON.stringify(s)}`);
    } else if (flag === '--decode-tools') {
      args.decodeTools = value();
    } else if (flag === '--lsoed') {
      args.lsoed = value();
    } else if (flag === '--frames' || flag === '--reps' || flag === '--startup-reps') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) usage(`${flag} must be a positive integer`);
      args[flag === '--startup-reps' ? 'startupReps' : flag.slice(2)] = n;
    } else if (flag === '-h' || flag === '--help') {
      process.stdout.write(`node bench/run.mjs [--only ${SECTIONS.join('|')}[,…]] [--frames N] [--reps N] [--lsoed CMD]\n`);
      process.exit(0);
    } else {
      usage(`unknown argument ${JSON.stringify(a)}`);
    }
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(path.join(repoRoot, 'dist/src/cli.js'))) {
    process.stderr.write('bench: not built yet; run `npm run build` first\n');
    process.exit(1);
  }
  mkdirSync(outDir, { recursive: true });
  const ctx = { repoRoot, outDir, args, log: (text) => process.stdout.write(`${text}\n`) };
  let failed = false;
  for (const name of args.only) {
    const file = path.join(benchDir, `${name}.mjs`);
    if (!existsSync(file)) {
      ctx.log(`== ${name}: skipped (bench/${name}.mjs not present)`);
      continue;
    }
    ctx.log(`== ${name}`);
    try {
      const section = await import(pathToFileURL(file).href);
      const result = await section.run(ctx);
      const jsonPath = path.join(outDir, `${name}.json`);
      writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
      ctx.log(`\nresults: ${path.relative(repoRoot, jsonPath)}`);
    } catch (err) {
      failed = true;
      process.stderr.write(`bench: section ${name} failed: ${err?.message ?? err}\n`);
    }
  }
  process.exit(failed ? 1 : 0);
}

await main();
