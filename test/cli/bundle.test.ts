// The bundle bin/lsoe runs (dist/lsoe, scripts/bundle.mjs) is the same program as tsc's
// output (dist/src): every command's --help, found by walking `Commands:` from the top,
// the completion scripts and a usage error come out byte for byte alike from both, and
// bin/lsoe prints each help with status 0 and nothing on stderr, and a top-level
// command's help alike whether it was registered alone (`lsoe X --help`) or with
// every other (`lsoe help X`).
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runLsoeAsync, type CliResult } from '../helpers/run-cli.js';
import { repoRoot } from '../helpers/vectors.js';

const BUNDLE = path.join(repoRoot(), 'dist/lsoe/cli.js');
const TSC = path.join(repoRoot(), 'dist/src/cli.js');

// NODE_OPTIONS emptied: tap's hooks would load into each of the ~60 children, tripling their cost
const ENV = { NO_COLOR: '1', COLUMNS: '80', NODE_OPTIONS: '' };

/** `node ENTRY ARGS` to completion (the runs of a level go in parallel: ~60 of them in all). */
function run(entry: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, ...args], { env: { ...process.env, ...ENV } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The subcommands a help text lists under `Commands:` (not `help`). */
function subcommands(help: string): string[] {
  const section = /\nCommands:\n([\s\S]*?)(\n\n|$)/.exec(help)?.[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

const built = (f: string) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const stale = built(BUNDLE) < built(TSC) ? 'the bundle is older than tsc\'s output (run `npm run build`)' : false;

t.test('every command\'s --help: bin/lsoe prints it; bundle and tsc\'s output agree', { skip: stale }, async (t) => {
  // bin/lsoe runs the bundle here (the test is skipped when the bundle is stale)
  let level: string[][] = [[]];
  const seen: string[] = [];
  while (level.length > 0) {
    const runs = await Promise.all(
      level.map(async (cmd) => {
        const [real, tsc, viaHelp] = await Promise.all([
          runLsoeAsync([...cmd, '--help'], { env: ENV }),
          run(TSC, [...cmd, '--help']),
          // `lsoe X --help` registers X alone; `lsoe help X` registers every command (src/cli.ts)
          cmd.length === 1 ? runLsoeAsync(['help', cmd[0]!], { env: ENV }) : null,
        ]);
        return { cmd, real, tsc, viaHelp };
      }),
    );
    level = [];
    for (const { cmd, real, tsc, viaHelp } of runs) {
      const name = ['lsoe', ...cmd].join(' ');
      t.equal(real.code, 0, `${name} --help: status 0`);
      t.equal(real.stderr, '', `${name} --help: nothing on stderr`);
      t.match(real.stdout, new RegExp(`^Usage: ${name}\\b`), `${name} --help: its usage`);
      t.strictSame(real, tsc, `${name} --help: the bundle's and tsc's alike`);
      if (viaHelp !== null) t.strictSame(viaHelp, real, `${name} --help: as lsoe help ${cmd[0]} prints it`);
      seen.push(name);
      for (const sub of subcommands(real.stdout)) level.push([...cmd, sub]);
    }
  }
  t.ok(seen.length >= 17, `commands walked: ${seen.join(', ')}`);
  t.ok(seen.includes('lsoe lab up') && seen.includes('lsoe decode'), 'nested and top-level commands both walked');
});

t.test('completion scripts and a usage error: the bundle and tsc\'s output agree', { skip: stale }, async (t) => {
  const cases = [['completion', 'bash'], ['completion', 'zsh'], ['completion', 'fish'], ['decode', '--no-such-flag']];
  const results = await Promise.all(cases.map((args) => Promise.all([run(BUNDLE, args), run(TSC, args)])));
  for (const [i, [bundled, tsc]] of results.entries()) {
    const what = cases[i]!.join(' ');
    t.strictSame(bundled, tsc, `${what}: alike`);
    if (cases[i]![0] === 'completion') {
      t.equal(bundled.code, 0, what);
      t.ok(bundled.stdout.length > 1000, `${what}: a script`);
    } else {
      t.equal(bundled.code, 2);
      t.match(bundled.stderr, /^lsoe: decode: unknown option '--no-such-flag' \(lsoe decode --help for usage\)\n$/, 'one line, no stack');
    }
  }
});
