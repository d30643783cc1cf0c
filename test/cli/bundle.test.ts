// The bundle bin/lsoe runs (dist/lsoe, scripts/bundle.mjs) is the same program as tsc's
// output (dist/src): every command's --help, found by walking `Commands:` from the top,
// the completion scripts and a usage error come out byte for byte alike from both, and
// bin/lsoe prints each help with status 0 and nothing on stderr, and a top-level
// command's help alike whether it was registered alone (`lsoe X --help`) or with
// every other (`lsoe help X`).
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runLsoe } from '../helpers/run-cli.js';
import { repoRoot } from '../helpers/vectors.js';

const BUNDLE = path.join(repoRoot(), 'dist/lsoe/cli.js');
const TSC = path.join(repoRoot(), 'dist/src/cli.js');

function run(entry: string, args: string[]) {
  const r = spawnSync(process.execPath, [entry, ...args], { env: { ...process.env, NO_COLOR: '1', COLUMNS: '80' }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The subcommands a help text lists under `Commands:` (not `help`). */
function subcommands(help: string): string[] {
  const section = /\nCommands:\n([\s\S]*?)(\n\n|$)/.exec(help)?.[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

const built = (f: string) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const stale = built(BUNDLE) < built(TSC) ? 'the bundle is older than tsc\'s output (run `npm run build`)' : false;

t.test('every command\'s --help: bin/lsoe prints it; bundle and tsc\'s output agree', { skip: stale }, async (t) => {
  const paths: string[][] = [[]];
  const seen: string[] = [];
  while (paths.length > 0) {
    const cmd = paths.shift()!;
    const name = ['lsoe', ...cmd].join(' ');
    const real = runLsoe([...cmd, '--help'], { env: { COLUMNS: '80' } });
    t.equal(real.code, 0, `${name} --help: status 0`);
    t.equal(real.stderr, '', `${name} --help: nothing on stderr`);
    t.match(real.stdout, new RegExp(`^Usage: ${name}\\b`), `${name} --help: its usage`);
    const bundled = run(BUNDLE, [...cmd, '--help']);
    t.strictSame(bundled, run(TSC, [...cmd, '--help']), `${name} --help: the bundle's and tsc's alike`);
    t.equal(bundled.stdout, real.stdout, `${name} --help: bin/lsoe prints the same`);
    // `lsoe X --help` registers X alone; `lsoe help X` registers every command (src/cli.ts)
    if (cmd.length === 1) t.strictSame(runLsoe(['help', cmd[0]!], { env: { COLUMNS: '80' } }), real, `${name} --help: as lsoe help ${cmd[0]} prints it`);
    seen.push(name);
    for (const sub of subcommands(real.stdout)) paths.push([...cmd, sub]);
  }
  t.ok(seen.length >= 17, `commands walked: ${seen.join(', ')}`);
  t.ok(seen.includes('lsoe lab up') && seen.includes('lsoe decode'), 'nested and top-level commands both walked');
});

t.test('completion scripts and a usage error: the bundle and tsc\'s output agree', { skip: stale }, async (t) => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    const bundled = run(BUNDLE, ['completion', shell]);
    t.equal(bundled.code, 0, `completion ${shell}`);
    t.ok(bundled.stdout.length > 1000, `completion ${shell}: a script`);
    t.strictSame(bundled, run(TSC, ['completion', shell]), `completion ${shell}: alike`);
  }
  const bad = run(BUNDLE, ['decode', '--no-such-flag']);
  t.strictSame(bad, run(TSC, ['decode', '--no-such-flag']), 'a usage error: alike');
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^lsoe: decode: unknown option '--no-such-flag' \(lsoe decode --help for usage\)\n$/, 'one line, no stack');
});
