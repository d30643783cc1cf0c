#!/usr/bin/env node
// Bundles tsc's output (dist/src/cli.js and what it imports) into dist/lsoe/, what
// bin/lsoe runs: the last step of `npm run build`, prepack and scripts/setup.
//
// Why: Node resolves, reads, compiles and links every ES module on its own, and that,
// not lsoe's work, was most of a short run: `lsoe --version` loaded 40 files, a small
// `decode --json` 76, the daemon ~130 (measured in docs/ARCHITECTURE.md, "Start-up").
// Bundled, a command loads a handful of chunks. Splitting keeps every lazy import()
// lazy: what a command does not run (the daemon for decode, BGP for a daemon without
// peers, ink for everything but --watch) stays in chunks that are never read.
//
// What stays outside: npm dependencies with native addons or heavy trees (pcap,
// prom-client, ink, react, …: every dependency but the two small ones every command
// loads). The bundle is made from tsc's JavaScript, not from src/, so it is the code
// the tests run, only packed differently. It is built into a fresh directory and
// swapped in, so a command started during a build reads one bundle or the other.
import { build } from 'esbuild';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist/src/cli.js');
const out = path.join(root, 'dist/lsoe');
const fresh = `${out}.new`;
const old = `${out}.old`;

/** Dependencies inlined: loaded by every command, pure JavaScript, small. */
const INLINED = ['commander', 'chalk'];

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {})
  .filter((d) => !INLINED.includes(d))
  .flatMap((d) => [d, `${d}/*`]);

rmSync(fresh, { recursive: true, force: true });
try {
  await build({
    entryPoints: { cli: entry },
    outdir: fresh,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    chunkNames: 'chunk-[hash]',
    // commander is CommonJS: its require() calls of Node's modules need a require in ESM.
    banner: { js: "import { createRequire as __lsoeCreateRequire } from 'node:module'; const require = __lsoeCreateRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
  });
} catch (err) {
  // esbuild has printed what and where
  rmSync(fresh, { recursive: true, force: true });
  process.stderr.write(`bundle: ${err instanceof Error ? err.message.split('\n')[0] : err}\n`);
  process.exit(1);
}
rmSync(old, { recursive: true, force: true });
try {
  renameSync(out, old);
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}
renameSync(fresh, out);
rmSync(old, { recursive: true, force: true });
