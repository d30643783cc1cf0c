// lsoe installed the way operators install tools, part 1: `npm pack` from a copy of
// the repository without a build (so prepack must build), then `npm install -g` into a
// throwaway prefix, used, and uninstalled. (The .deb: install-deb.test.ts.)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { copyRepository, filesUnder, ok, pkg, repo, run as runIn } from './install-helpers.js';
import { vectorsDir } from '../helpers/vectors.js';

const { work, src } = copyRepository(t);
const run = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) => runIn(cmd, args, { cwd: work, ...opts });
let tarball = '';

t.test('npm pack builds and ships the build, bin and man pages, no tests or benches', async (t) => {
  t.notOk(existsSync(path.join(src, 'dist')), 'the copy starts without a build');
  const packed = run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: src });
  if (!ok(t, packed, 'npm pack')) return;
  tarball = path.join(work, packed.stdout.trim().split('\n').pop()!);
  const entries = run('tar', ['-tzf', tarball]).stdout.split('\n').filter((l) => l !== '');
  t.ok(entries.includes('package/dist/lsoe/cli.js'), 'prepack built the bundle bin/lsoe runs');
  t.same(entries.filter((e) => e.startsWith('package/dist/src/')), [], 'tsc\'s unbundled output is not shipped');
  t.ok(entries.includes('package/bin/lsoe'));
  for (const f of ['dist/lsoe/decode.cjs', 'dist/lsoe/decode.cjs.cache', 'bin/run-cached.cjs', 'bin/package.json']) {
    t.ok(entries.includes(`package/${f}`), `${f} shipped (decode's start through the code cache)`);
  }
  for (const page of pkg.man) t.ok(entries.includes(`package/${path.normalize(page)}`), `${page} shipped`);
  t.same(
    entries.filter((e) => /^package\/(test|dist\/test|bench)\//.test(e)),
    [],
    'nothing from test/, dist/test/ or bench/',
  );
  const pages = readdirSync(path.join(repo, 'man')).filter((f) => /\.[1-8]$/.test(f));
  t.same(
    pages.map((f) => `./man/${f}`).sort(),
    [...pkg.man].sort(),
    'package.json "man" lists every page in man/',
  );
});

t.test('npm install -g into a throwaway prefix, then uninstall', async (t) => {
  if (tarball === '') return t.fail('no tarball');
  const prefix = path.join(work, 'prefix');
  const inst = run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--allow-scripts=pcap', tarball]);
  if (!ok(t, inst, 'npm install -g')) return;
  const version = run(path.join(prefix, 'bin', 'lsoe'), ['--version']);
  t.equal(version.stdout.trim(), pkg.version, 'lsoe --version from the prefix');
  // decode runs its CommonJS bundle through the code cache from the installed layout
  const decoded = run(path.join(prefix, 'bin', 'lsoe'), ['decode', '--ethertype', '0x8885', '--json', path.join(vectorsDir(), 'lsoed-exchange.pcap')]);
  t.equal(decoded.stdout, readFileSync(path.join(repo, 'test/golden/lsoed-exchange.jsonl'), 'utf8'), 'lsoe decode from the prefix: the golden records');
  // the pcap addon was built and loads: `hello` fails on the interface, not on a missing module
  const addon = run(path.join(prefix, 'bin', 'lsoe'), ['hello', '-i', 'lsoe-no-such-if0', '--timeout', '1']);
  t.notMatch(addon.stderr, /Cannot find module|ERR_MODULE_NOT_FOUND|was compiled against/);
  const man = run('man', ['-w', 'lsoe-daemon'], { env: { MANPATH: path.join(prefix, 'share', 'man') } });
  ok(t, man, 'man -w lsoe-daemon');
  t.ok(man.stdout.trim().startsWith(prefix), `man page found in the prefix (${man.stdout.trim()})`);
  const un = run('npm', ['uninstall', '-g', '--prefix', prefix, 'lsoe']);
  ok(t, un, 'npm uninstall -g');
  t.same(filesUnder(prefix), [], 'nothing left in the prefix');
});

