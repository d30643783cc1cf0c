// The control socket's directory must be one nobody else can change, and the socket's
// mode and group are set without following a symbolic link (issue 9).
import t from 'tap';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { checkSocketDirectory, listenOnSocketFile, prepareSocketPath, setSocketModeAndGroup } from '../../src/ctl/socket-file.js';

const uid = process.geteuid?.() ?? 0;

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `lsoe-sockdir-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function messageOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

t.test('directories others can change are refused with one line', async (t) => {
  const base = tempDir(t);
  const open = path.join(base, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  const m = await messageOf(prepareSocketPath(path.join(open, 'lsoe.sock')));
  t.match(m, /^control socket directory .*\/open is writable by others and not sticky; refusing it/);
  t.notMatch(m, /\n/, 'one line');

  const sticky = path.join(base, 'sticky');
  mkdirSync(sticky);
  chmodSync(sticky, 0o1777);
  t.equal(await messageOf(prepareSocketPath(path.join(sticky, 'lsoe.sock'))), undefined, 'sticky, like /tmp: accepted');

  const mine = path.join(base, 'mine');
  mkdirSync(mine);
  chmodSync(mine, 0o755);
  t.equal(await messageOf(checkSocketDirectory(mine)), undefined, 'ours, 0755: accepted');
  t.equal(await messageOf(checkSocketDirectory(mine, 4242)), undefined, "root's: accepted whoever we are");

  if (uid === 0) {
    const foreign = path.join(base, 'foreign');
    mkdirSync(foreign);
    chownSync(foreign, 4242, 4242);
    t.match(await messageOf(prepareSocketPath(path.join(foreign, 'lsoe.sock'))), /is owned by uid 4242, not by us \(uid 0\) or root; refusing it$/);
  }
  // seen by a non-root daemon (uid 4243), a directory of uid 4242 is someone else's
  const other = path.join(base, 'other');
  mkdirSync(other);
  if (uid === 0) chownSync(other, 4242, 4242);
  const expected = uid === 0 ? 4242 : uid;
  t.match(await messageOf(checkSocketDirectory(other, 4243)), new RegExp(`owned by uid ${expected}, not by us \\(uid 4243\\)`));
  t.end();
});

t.test('mode and group are set on the socket, never through a symbolic link', async (t) => {
  const dir = tempDir(t);
  const target = path.join(dir, 'victim');
  writeFileSync(target, 'x');
  chmodSync(target, 0o600);
  const link = path.join(dir, 'lsoe.sock');
  symlinkSync(target, link);
  t.match(await messageOf(setSocketModeAndGroup(link, 0o666, 0)), /is not the socket we bound \(a symbolic link\); not changing it$/);
  t.equal(statSync(target).mode & 0o777, 0o600, "the link's target kept its mode");

  const plain = path.join(dir, 'plain');
  writeFileSync(plain, 'x');
  t.match(await messageOf(setSocketModeAndGroup(plain, 0o666, undefined)), /\(not a socket\)/);

  // the genuine path: bound, then 0660 and the group
  const sock = path.join(dir, 'real.sock');
  const server = net.createServer();
  t.teardown(() => server.close());
  await listenOnSocketFile(server, sock, 0, 0o660);
  const st = lstatSync(sock);
  t.ok(st.isSocket());
  t.equal(st.mode & 0o777, 0o660);
  t.equal(st.gid, 0);
  t.end();
});
