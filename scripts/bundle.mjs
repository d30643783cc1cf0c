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
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist/src/cli.js');
/** `lsoe decode`'s entry: the same program with decode alone (src/cli-decode.ts). */
const decodeEntry = path.join(root, 'dist/src/cli-decode.js');
const out = path.join(root, 'dist/lsoe');
const fresh = `${out}.new`;
const old = `${out}.old`;

/** Dependencies inlined: loaded by every command, pure JavaScript, small. */
const INLINED = ['commander', 'chalk'];

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies ?? {})
  .filter((d) => !INLINED.includes(d))
  .flatMap((d) => [d, `${d}/*`]);

/**
 * decode.cjs.cache: a training run of `lsoe decode --json` over captures of both of the
 * benchmark's mixes (every PDU type), written into a pipe as users run it (`| jq`), so
 * the functions a decode runs are in the cache too: the pipe's background writes and
 * widening, the typical mix's paths. (Trained into /dev/null over one mix, a 100k-frame
 * typical decode into `| cat` still compiled ~5 KB of cache's worth of functions lazily.)
 * Node runs as bin/lsoe starts it: with the V8 flag of its `lsoe_v8=` (run-cached.cjs's
 * launcherV8Flags; V8 refuses a cache made under other flags), NODE_OPTIONS emptied.
 */
async function writeCodeCache(bundle) {
  const { buildCapture } = await import('../bench/decode.mjs');
  const dir = mkdtempSync(path.join(tmpdir(), 'lsoe-bundle-'));
  try {
    const captures = [];
    for (const mix of ['typical', 'encaps-heavy']) {
      captures.push(path.join(dir, `train-${mix}.pcap`));
      await buildCapture(root, captures.at(-1), 3000, mix);
    }
    const { launcherV8Flags } = createRequire(import.meta.url)(path.join(root, 'bin/run-cached.cjs'));
    const run = spawnSync(process.execPath, [...launcherV8Flags(), path.join(root, 'bin/run-cached.cjs'), '--write-cache', bundle, 'decode', '--json', ...captures], {
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    if (run.status !== 0 || !existsSync(`${bundle}.cache`)) {
      throw new Error(`the code cache's training run failed (status ${run.status}): ${String(run.stderr).trim().split('\n').pop()}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * commander requires node:child_process at load, for one thing lsoe never does: running a
 * subcommand as a separate executable. Loading it also loads net, dgram and streams, ~10 ms
 * of every start (node --cpu-prof of a 1-frame decode). In the bundle commander gets it on
 * first use instead; the rest of lsoe is unchanged.
 */
const lazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[/\\]node_modules[/\\]commander[/\\]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

/**
 * chalk's colour detection imports node:tty for `isatty(1)` and `isatty(2)` at load, and
 * node:tty loads net and the streams (~5 ms of every start). In the bundle it gets the
 * same answer from src/render/terminal.ts, which asks node:tty only about a character
 * device. decode --json into a pipe then loads none of them (with stdout-watch.ts).
 */
const chalkTerminal = {
  name: 'chalk-terminal',
  setup(b) {
    b.onResolve({ filter: /^node:tty$/ }, (args) =>
      /[/\\]node_modules[/\\]chalk[/\\]/.test(args.importer) ? { path: path.join(root, 'dist/src/render/terminal.js') } : undefined,
    );
  },
};

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
    plugins: [lazyChildProcess, chalkTerminal],
  });
  // `lsoe decode`'s own start (bin/lsoe): the same program as one CommonJS file, which
  // bin/run-cached.cjs compiles through V8's code cache. Node 20 caches no ES module, and
  // a short decode was mostly parsing and compiling. One file, not chunks: CommonJS
  // output cannot be split. From decode's own entry, so it holds what decode runs and
  // nothing else (170 KB; with every command 570 KB, which cost ~7 ms to read into a
  // string at each start, and a larger code cache).
  const decodeBundle = path.join(fresh, 'decode.cjs');
  await build({
    entryPoints: [decodeEntry],
    outfile: decodeBundle,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external,
    // import.meta.url (package-root.ts, the addon's require) as the bundle file's URL
    define: { 'import.meta.url': '__lsoeBundleUrl' },
    // Without comments: less to read and, all ASCII, a one-byte string for V8 (two
    // characters of comment outside ASCII made the whole source two-byte). Names stay.
    minifyWhitespace: true,
    minifySyntax: true,
    banner: { js: "const __lsoeBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [lazyChildProcess, chalkTerminal],
  });
  await writeCodeCache(decodeBundle);
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
