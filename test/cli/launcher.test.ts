// bin/lsoe run as a program: /bin/sh reads its second line and starts node on the same
// file. With a stand-in `node` first on PATH (a script that prints what it was given),
// the line's work is seen exactly: node gets --v8-pool-size=1 and bin/lsoe's own path,
// NODE_EXTRA_CA_CERTS is gone, `decode` and a lone `--version` get the V8 flag the code
// cache is trained under (run-cached.cjs's launcherV8Flags, read from the same line), and
// `decode` alone gets the malloc tunables, a user's own after ours (glibc takes the last).
// Then with the real node: bin/lsoe as a program gives what `node bin/lsoe` gives (the path
// the tests and the lab's daemons take).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { repoRoot, vectorsDir } from '../helpers/vectors.js';

const LSOE = path.join(repoRoot(), 'bin/lsoe');
const { launcherV8Flags } = createRequire(import.meta.url)(path.join(repoRoot(), 'bin/run-cached.cjs')) as { launcherV8Flags: (launcher?: string) => string[] };
/** The flag as the build reads it from bin/lsoe: what /bin/sh passes must be the same. */
const FLAG = launcherV8Flags();
const OURS = 'glibc.malloc.top_pad=33554432:glibc.malloc.trim_threshold=268435456:glibc.malloc.mmap_threshold=33554432:glibc.malloc.hugetlb=1';

const fakeBin = mkdtempSync(path.join(tmpdir(), 'lsoe-launcher-'));
t.teardown(() => rmSync(fakeBin, { recursive: true, force: true }));
writeFileSync(
  path.join(fakeBin, 'node'),
  '#!/bin/sh\nprintf "tunables=%s\\n" "${GLIBC_TUNABLES-unset}"\nprintf "ca=%s\\n" "${NODE_EXTRA_CA_CERTS-unset}"\nfor a in "$@"; do printf "arg=%s\\n" "$a"; done\n',
);
chmodSync(path.join(fakeBin, 'node'), 0o755);

/** What the stand-in node was started with, for `bin/lsoe ARGS` under `env`. */
function launch(args: string[], env: NodeJS.ProcessEnv = {}): { tunables: string; ca: string; args: string[] } {
  const base: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', PATH: `${fakeBin}:${process.env.PATH}` };
  delete base.GLIBC_TUNABLES;
  const r = spawnSync(LSOE, args, { env: { ...base, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bin/lsoe ${args.join(' ')}: status ${r.status}, ${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  const value = (key: string): string => lines.find((l) => l.startsWith(`${key}=`))!.slice(key.length + 1);
  return { tunables: value('tunables'), ca: value('ca'), args: lines.filter((l) => l.startsWith('arg=')).map((l) => l.slice(4)) };
}

t.test('decode: node with one platform thread, a small young generation, our malloc tunables, no CA bundle', async (t) => {
  const got = launch(['decode', '--json', 'x.pcap']);
  t.same(FLAG, ['--max-semi-space-size=1'], 'the flag the build reads from the line');
  t.same(got.args, ['--v8-pool-size=1', ...FLAG, LSOE, 'decode', '--json', 'x.pcap'], 'node runs this same file with the arguments as given');
  t.equal(got.tunables, OURS);
  t.equal(got.ca, 'unset', 'NODE_EXTRA_CA_CERTS is not passed on');
});

t.test("a user's own tunables come after ours, so theirs win", async (t) => {
  t.equal(launch(['decode', 'x.pcap'], { GLIBC_TUNABLES: 'glibc.malloc.top_pad=0' }).tunables, `${OURS}:glibc.malloc.top_pad=0`);
});

t.test('every other command: no tunables of ours (the daemon had 11-13 MB more RSS with them), no V8 flag but for a lone --version', async (t) => {
  for (const args of [['daemon', '--help'], ['sessions'], ['sniff', '-r', 'x.pcap'], ['--version'], ['-V'], ['--version', 'decode'], []]) {
    const got = launch(args);
    t.equal(got.tunables, 'unset', `lsoe ${args.join(' ')}`);
    // a lone --version runs decode's cached bundle too (bin/lsoe), whose cache is made under the flag
    const flag = args.length === 1 && (args[0] === '--version' || args[0] === '-V') ? FLAG : [];
    t.same(got.args, ['--v8-pool-size=1', ...flag, LSOE, ...args], `lsoe ${args.join(' ')}`);
  }
  t.equal(launch(['sessions'], { GLIBC_TUNABLES: 'glibc.malloc.top_pad=0' }).tunables, 'glibc.malloc.top_pad=0', "a user's own stay as they are");
});

t.test('with the real node: bin/lsoe as a program is `node bin/lsoe`', async (t) => {
  const capture = path.join(vectorsDir(), 'lsoed-exchange.pcap');
  const env = { ...process.env, NODE_OPTIONS: '' };
  const direct = spawnSync(LSOE, ['decode', '--json', '--ethertype', '0x8885', capture], { env, encoding: 'utf8' });
  const viaNode = spawnSync(process.execPath, [LSOE, 'decode', '--json', '--ethertype', '0x8885', capture], { env, encoding: 'utf8' });
  t.equal(direct.status, 0);
  t.equal(direct.stderr, '');
  t.ok(direct.stdout.split('\n').length > 10, 'records came out');
  t.equal(direct.stdout, viaNode.stdout, 'the same records');
  const version = spawnSync(LSOE, ['--version'], { env, encoding: 'utf8' });
  t.equal(version.status, 0);
  t.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

t.test("launcherV8Flags: one word or none from the line's lsoe_v8=, anything else an error", async (t) => {
  const line = (v8: string) => `#!/bin/sh\n':' //; ${v8} case "$1" in decode) ;; *) lsoe_v8=;; esac; exec node $lsoe_v8 "$0" "$@"\n`;
  const file = path.join(fakeBin, 'launcher');
  const withFile = (text: string): string[] => {
    writeFileSync(file, text);
    return launcherV8Flags(file);
  };
  t.same(withFile(line('lsoe_v8=--stack-size=900;')), ['--stack-size=900']);
  t.same(withFile(line('lsoe_v8=;')), [], 'empty: no flag');
  t.throws(() => withFile(line("lsoe_v8='--a --b';")), /does not begin with ':' \/\/; lsoe_v8=WORD;/, 'two words (quoted) would not reach node as the build reads them');
  t.throws(() => withFile(line('')), /does not begin with ':' \/\/; lsoe_v8=WORD;/, 'none at the start (only the case arm\'s lsoe_v8=)');
});
