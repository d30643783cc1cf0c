// lsoe installed the way operators install tools: `npm pack` + `npm install -g`, and the
// .deb of scripts/package-deb, each into a throwaway prefix/root, used, then removed.
// The repository is copied first (tracked and new files, no dist/), so the pack must
// build by itself (prepack) and this worktree's dist/ is never touched.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { repoRoot } from '../helpers/vectors.js';

const repo = repoRoot();
const work = mkdtempSync(path.join(tmpdir(), 'lsoe-install-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? work,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '' };
}

function ok(t: Test, r: ReturnType<typeof run>, what: string): boolean {
  return t.equal(r.code, 0, what, { stderr: r.stderr.slice(-2000) });
}

/** Every file and symlink under dir (directories left empty do not count). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isDirectory()) out.push(path.join(e.parentPath, e.name));
  }
  return out;
}

const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string; man: string[] };

// The copy: what git knows about (tracked or new, not ignored), node_modules linked.
const src = path.join(work, 'src');
const listed = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo });
for (const f of listed.stdout.split('\0')) {
  if (f === '' || !existsSync(path.join(repo, f))) continue;
  mkdirSync(path.dirname(path.join(src, f)), { recursive: true });
  cpSync(path.join(repo, f), path.join(src, f), { verbatimSymlinks: true });
}
symlinkSync(path.join(repo, 'node_modules'), path.join(src, 'node_modules'));

let tarball = '';

t.test('npm pack builds and ships the build, bin and man pages, no tests or benches', async (t) => {
  t.notOk(existsSync(path.join(src, 'dist')), 'the copy starts without a build');
  const packed = run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: src });
  if (!ok(t, packed, 'npm pack')) return;
  tarball = path.join(work, packed.stdout.trim().split('\n').pop()!);
  const entries = run('tar', ['-tzf', tarball]).stdout.split('\n').filter((l) => l !== '');
  t.ok(entries.includes('package/dist/src/cli.js'), 'prepack built dist/src');
  t.ok(entries.includes('package/bin/lsoe'));
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

/** A stand-in package (like equivs makes) so a dpkg database in a temp root can satisfy Depends. */
function standIn(name: string, version: string): string {
  const dir = path.join(work, 'standin', name);
  mkdirSync(path.join(dir, 'DEBIAN'), { recursive: true });
  writeFileSync(
    path.join(dir, 'DEBIAN', 'control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: lsoe tests <lsoe@localhost>\nDescription: stand-in for the install test\n`,
  );
  const deb = `${dir}.deb`;
  run('dpkg-deb', ['--root-owner-group', '--build', dir, deb]);
  return deb;
}

/** Whether `have` satisfies `op ver` for dpkg. */
function satisfies(have: string, op: string, ver: string): boolean {
  const ops: Record<string, string> = { '>=': 'ge', '<<': 'lt', '<=': 'le', '>>': 'gt', '=': 'eq' };
  return run('dpkg', ['--compare-versions', have, ops[op]!, ver]).code === 0;
}

t.test('scripts/package-deb: install into a dpkg root, use, remove, purge', async (t) => {
  if (tarball === '') return t.fail('no tarball');
  const out = path.join(work, 'deb');
  // Given the tarball, package-deb builds nothing: it takes the production dependencies
  // from this repository's node_modules (npm cannot read a linked copy's tree).
  const built = run(path.join(repo, 'scripts', 'package-deb'), [out, tarball]);
  if (!ok(t, built, 'scripts/package-deb')) return;
  const deb = built.stdout.trim().split('\n').pop()!;
  const field = (f: string) => run('dpkg-deb', ['-f', deb, f]).stdout.trim();
  t.equal(field('Package'), 'lsoe');
  t.equal(field('Version'), pkg.version);
  t.equal(field('Architecture'), 'amd64');
  t.equal(field('Depends'), 'nodejs (>= 20), nodejs (<< 21), libpcap0.8');
  const conffiles = run('sh', ['-c', `dpkg-deb --ctrl-tarfile '${deb}' | tar -xOf - ./conffiles`]);
  t.equal(conffiles.stdout, '/etc/lsoe/lsoed.conf\n', 'the configuration is a conffile');
  const contents = run('dpkg-deb', ['-c', deb]).stdout;
  for (const p of ['./usr/bin/lsoe', './usr/share/man/man8/lsoe-daemon.8.gz', './lib/systemd/system/lsoe.service', './etc/lsoe/lsoed.conf']) {
    t.match(contents, ` ${p}`, `ships ${p}`);
  }
  t.notMatch(contents, /\/usr\/lib\/lsoe\/(test|dist\/test|bench)\//, 'no tests or benches');

  // This machine's own packages satisfy Depends (when its node is a dpkg package at all).
  const nodeOwner = run('dpkg', ['-S', process.execPath]);
  const hostNode = run('dpkg-query', ['-W', '-f=${Version}', 'nodejs']).stdout;
  const hostPcap = run('dpkg-query', ['-W', '-f=${Version}', 'libpcap0.8']).stdout;
  if (nodeOwner.code === 0 && hostNode !== '' && hostPcap !== '') {
    t.ok(satisfies(hostNode, '>=', '20') && satisfies(hostNode, '<<', '21'), `host nodejs ${hostNode} satisfies Depends`);
  } else {
    t.comment(`node (${process.execPath}) is not from a Debian nodejs package: a real install needs --force-depends`);
  }

  // A throwaway dpkg root; stand-ins for nodejs and libpcap0.8 satisfy Depends there.
  const root = path.join(work, 'root');
  for (const d of ['info', 'updates', 'triggers']) mkdirSync(path.join(root, 'var/lib/dpkg', d), { recursive: true });
  writeFileSync(path.join(root, 'var/lib/dpkg/status'), '');
  writeFileSync(path.join(root, 'var/lib/dpkg/available'), '');
  const dpkg = (...args: string[]) => run('dpkg', [`--root=${root}`, ...args]);
  ok(t, dpkg('-i', standIn('nodejs', hostNode || '20.0.0'), standIn('libpcap0.8', hostPcap || '1.10.0')), 'stand-ins installed');
  if (!ok(t, dpkg('-i', deb), 'dpkg -i lsoe')) return;
  const files = dpkg('-L', 'lsoe').stdout.split('\n').filter((l) => l !== '' && l !== '/.');

  const version = run(path.join(root, 'usr/bin/lsoe'), ['--version']);
  t.equal(version.stdout.trim(), pkg.version, 'lsoe --version from the root');
  const man = run('man', ['-w', 'lsoe-daemon'], { env: { MANPATH: path.join(root, 'usr/share/man') } });
  t.equal(man.stdout.trim(), path.join(root, 'usr/share/man/man8/lsoe-daemon.8.gz'), 'man -w lsoe-daemon');

  // remove keeps an edited conffile; purge takes it and everything else
  writeFileSync(path.join(root, 'etc/lsoe/lsoed.conf'), '[lsoed]\nhello-interval = 5\n');
  ok(t, dpkg('-r', 'lsoe'), 'dpkg -r lsoe');
  t.ok(existsSync(path.join(root, 'etc/lsoe/lsoed.conf')), 'remove keeps the edited conffile');
  t.notOk(existsSync(path.join(root, 'usr/bin/lsoe')), 'remove takes the binary');
  ok(t, dpkg('-P', 'lsoe'), 'dpkg -P lsoe');
  t.same(
    files.filter((f) => existsSync(path.join(root, f))),
    [],
    'every path the package listed is gone',
  );
  ok(t, dpkg('-P', 'nodejs', 'libpcap0.8'), 'stand-ins purged');
  t.same(
    filesUnder(root).filter((f) => !f.startsWith(path.join(root, 'var/lib/dpkg'))),
    [],
    'nothing left in the root but the dpkg database',
  );
});
