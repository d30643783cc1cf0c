// The bundle bin/lsoe runs (dist/lsoe, scripts/bundle.mjs) is the same program as tsc's
// output (dist/src): every command's --help, found by walking `Commands:` from the top,
// the completion scripts and a usage error come out byte for byte alike from both, and
// bin/lsoe prints each help with status 0 and nothing on stderr, and a top-level
// command's help alike whether it was registered alone (`lsoe X --help`) or with
// every other (`lsoe help X`). `lsoe decode` runs the same program with decode alone,
// bundled as one CommonJS file through V8's code cache (dist/lsoe/decode.cjs,
// bin/run-cached.cjs): its output is tsc's, the shipped cache is taken, and a cache that
// does not fit is set aside silently.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { copyFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runLsoeAsync, type CliResult } from '../helpers/run-cli.js';
import { repoRoot, vectorsDir } from '../helpers/vectors.js';

const BUNDLE = path.join(repoRoot(), 'dist/lsoe/cli.js');
const DECODE_BUNDLE = path.join(repoRoot(), 'dist/lsoe/decode.cjs');
const RUN_CACHED = path.join(repoRoot(), 'bin/run-cached.cjs');
const { launcherV8Flags } = createRequire(import.meta.url)(RUN_CACHED) as { launcherV8Flags: () => string[] };
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
const stale = Math.min(built(BUNDLE), built(DECODE_BUNDLE)) < built(TSC) ? 'the bundle is older than tsc\'s output (run `npm run build`)' : false;

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

t.test('decode\'s CommonJS bundle: decode alike with tsc\'s output, and no other command in it', { skip: stale }, async (t) => {
  const capture = path.join(vectorsDir(), 'lsoed-exchange.pcap');
  // bin/lsoe sends it `lsoe decode …` and the program's `--version`
  for (const args of [['decode', '--no-such-flag'], ['decode', '--help'], ['decode', '-c', '3', '--ethertype', '0x8885', capture], ['--version'], ['-V']]) {
    const [bundled, tsc] = await Promise.all([run(DECODE_BUNDLE, args), run(TSC, args)]);
    t.strictSame(bundled, tsc, `${args.join(' ')}: alike`);
  }
  // built from src/cli-decode.ts: no other command in it
  const other = await run(DECODE_BUNDLE, ['completion', 'bash']);
  t.strictSame(other, { code: 2, stdout: '', stderr: "lsoe: unknown command 'completion' (lsoe --help for usage)\n" }, 'completion: not in it');
});

t.test('decode --json into a pipe, as bin/lsoe runs it, makes no process.stdout: neither net nor tty loads', { skip: stale }, async (t) => {
  const capture = path.join(vectorsDir(), 'lsoed-exchange.pcap');
  const golden = readFileSync(path.join(repoRoot(), 'test/golden/lsoed-exchange.jsonl'), 'utf8');
  // a preload that loads nothing itself and says, at exit, which of Node's modules were loaded
  const preload = path.join(t.testdir({ 'say-loaded.cjs': "process.on('exit', () => require('node:fs').writeSync(2, 'loaded:' + process.moduleLoadList.filter((m) => /^NativeModule (net|tty|stream)$/.test(m)).join(',') + '\\n'));\n" }), 'say-loaded.cjs');
  // through env(1) without NODE_OPTIONS: tap's hooks go into every node a test starts, and load net
  const run = (args: string[]) =>
    spawnSync('env', ['-u', 'NODE_OPTIONS', process.execPath, '-r', preload, path.join(repoRoot(), 'bin/lsoe'), ...args], { env: { ...process.env, ...ENV }, maxBuffer: 64 * 1024 * 1024 });
  const res = run(['decode', '--ethertype', '0x8885', '--json', capture]);
  t.equal(res.status, 0);
  t.equal(res.stdout.toString(), golden, 'the golden records, octet for octet');
  t.equal(res.stderr.toString(), 'loaded:\n', 'no net, tty or streams');
  // where process.stdout is used (commander's help), it is made then, and the help is whole
  const help = run(['decode', '--help']);
  t.equal(help.status, 0);
  t.match(help.stdout.toString(), /^Usage: lsoe decode /);
  t.match(help.stderr.toString(), /^loaded:.*net/, 'made when used');
});

/**
 * `lsoe decode ARGS` as bin/lsoe runs it (node with the launcher's V8 flags): `bundle`
 * compiled by bin/run-cached.cjs; which cache it took.
 */
function decodeCached(bundle: string, args: string[], v8Flags: string[] = launcherV8Flags()): CliResult & { cache: string } {
  const script = `const b = require(${JSON.stringify(RUN_CACHED)}).compile(${JSON.stringify(bundle)}); process.stderr.write('cache: ' + b.cache + '\\n'); b.run();`;
  const res = spawnSync(process.execPath, [...v8Flags, '-e', script, '--', 'lsoe', 'decode', ...args], { env: { ...process.env, ...ENV }, maxBuffer: 64 * 1024 * 1024 });
  const stderr = res.stderr.toString();
  const cache = /^cache: (\w+)\n/.exec(stderr)?.[1] ?? '(not said)';
  return { code: res.status, stdout: res.stdout.toString(), stderr: stderr.replace(/^cache: \w+\n/, ''), cache };
}

t.test('decode through the code cache: the shipped cache is taken; one that does not fit is set aside silently', { skip: stale }, async (t) => {
  const capture = path.join(vectorsDir(), 'lsoed-exchange.pcap');
  const golden = readFileSync(path.join(repoRoot(), 'test/golden/lsoed-exchange.jsonl'), 'utf8');
  const shipped = decodeCached(DECODE_BUNDLE, ['--ethertype', '0x8885', '--json', capture]);
  t.equal(shipped.cache, 'used', "V8 takes the cache the build wrote (same node, the launcher's V8 flag)");
  t.ok(launcherV8Flags().length > 0, 'bin/lsoe starts decode with a V8 flag');
  // without the launcher's flag (`node bin/lsoe decode`, as tests run it) V8 sets the cache aside: same records
  const unflagged = decodeCached(DECODE_BUNDLE, ['--ethertype', '0x8885', '--json', capture], []);
  t.equal(unflagged.cache, 'rejected', 'another V8 flag set: the cache is set aside');
  t.equal(unflagged.stdout, golden, 'and the records are the same');
  t.strictSame({ code: shipped.code, stderr: shipped.stderr }, { code: 0, stderr: '' });
  t.equal(shipped.stdout, golden, 'the golden records, octet for octet');

  // A copy of the installation's layout (package-root.ts looks for dist/) with caches that do not fit.
  const dir = t.testdir({ dist: { lsoe: {} } });
  const copy = path.join(dir, 'dist/lsoe/decode.cjs');
  copyFileSync(DECODE_BUNDLE, copy);
  const real = readFileSync(`${DECODE_BUNDLE}.cache`);
  const bad: Array<[string, Buffer]> = [
    ['garbage', Buffer.alloc(real.length, 0x5a)],
    ['truncated', real.subarray(0, real.length >> 1)],
    ['empty', Buffer.alloc(0)],
  ];
  for (const [what, cache] of bad) {
    writeFileSync(`${copy}.cache`, cache);
    const res = decodeCached(copy, ['--ethertype', '0x8885', '--json', capture]);
    t.equal(res.cache, 'rejected', `${what} cache: set aside`);
    t.strictSame({ code: res.code, stderr: res.stderr, same: res.stdout === golden }, { code: 0, stderr: '', same: true }, `${what} cache: the same records, nothing on stderr`);
  }
  // The bundle changed since the cache was made (a rebuild without training): V8 sees another source.
  writeFileSync(`${copy}.cache`, real);
  writeFileSync(copy, readFileSync(copy, 'utf8') + '\n// changed\n');
  const changed = decodeCached(copy, ['--ethertype', '0x8885', '--json', capture]);
  t.equal(changed.cache, 'rejected', 'a cache of another bundle: set aside');
  t.equal(changed.stdout, golden, 'a cache of another bundle: the same records');
  rmSync(`${copy}.cache`);
  const none = decodeCached(copy, ['--ethertype', '0x8885', '--json', capture]);
  t.strictSame({ cache: none.cache, code: none.code, stderr: none.stderr, same: none.stdout === golden }, { cache: 'none', code: 0, stderr: '', same: true }, 'no cache: compiled as usual');
});
