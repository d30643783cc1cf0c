// lsoe installed the way operators install tools, part 2: the .deb of
// scripts/package-deb into a throwaway dpkg root, used, removed and purged. The tarball
// comes from a copy of the repository with this worktree's build (`npm pack
// --ignore-scripts`: install-npm.test.ts shows that prepack builds).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { copyRepository, filesUnder, ok, pkg, repo, run as runIn } from './install-helpers.js';
import { vectorsDir } from '../helpers/vectors.js';

const { work, src } = copyRepository(t, ['dist/lsoe', 'native/build']);
const run = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) => runIn(cmd, args, { cwd: work, ...opts });
const packed = run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], { cwd: src });
const tarball = packed.code === 0 ? path.join(work, packed.stdout.trim().split('\n').pop()!) : '';

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
  if (tarball === '') return t.fail(`npm pack failed: ${packed.stderr.slice(-2000)}`);
  const out = path.join(work, 'deb');
  // Given the tarball, package-deb builds nothing: it takes the production dependencies
  // from this repository's node_modules (npm cannot read a linked copy's tree).
  // gzip -1 rather than the default xz -6 (dpkg's own variables): the same files, a third
  // less CPU; the member's name shows the variables were heeded
  const built = run(path.join(repo, 'scripts', 'package-deb'), [out, tarball], { env: { DPKG_DEB_COMPRESSOR_TYPE: 'gzip', DPKG_DEB_COMPRESSOR_LEVEL: '1' } });
  if (!ok(t, built, 'scripts/package-deb')) return;
  const deb = built.stdout.trim().split('\n').pop()!;
  t.match(run('ar', ['t', deb]).stdout, /^debian-binary\ncontrol\.tar\.\w+\ndata\.tar\.gz\n$/, 'an ar archive of debian-binary, control, data (gzip, as asked)');
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
  // the dissector goes where this machine's Wireshark loads Lua plugins for everyone
  const folders = run('tshark', ['-G', 'folders']);
  const globalLua = /^Global Lua Plugins:\s*(\S+)/m.exec(folders.stdout)?.[1];
  if (folders.code === 0 && globalLua !== undefined) t.match(contents, ` .${globalLua}/lsoe.lua\n`, `ships the dissector in ${globalLua}`);
  else t.comment('tshark is not installed: where Wireshark loads Lua plugins is not checked');

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
  const lua = files.find((f) => f.endsWith('/wireshark/plugins/lsoe.lua'));
  if (lua !== undefined && folders.code === 0) {
    const capture = path.join(vectorsDir(), 'lsoed-exchange.pcap');
    const types = run('tshark', ['-X', `lua_script:${path.join(root, lua)}`, '-r', capture, '-Y', 'lsoe', '-T', 'fields', '-e', 'lsoe.pdu.type']);
    t.ok(types.stdout.split('\n').includes('1'), `the installed dissector decodes the lsoed capture in tshark (types ${types.stdout.trim().split('\n').join(' ')})`);
  }

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
