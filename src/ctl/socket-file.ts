// Creating the socket file safely: refuse to take over a live daemon's socket, clear a
// stale one, and never let the file exist with wider permissions than asked (0660, or
// 0600 for the admin socket). The directory must be one only we (or root) can change:
// then nobody else can swap the socket file between our bind and our chmod/chown.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Group name or number → gid, through NSS (`getent`) so LDAP/sssd groups work too. */
export async function resolveGroup(group: string): Promise<number> {
  if (/^\d+$/.test(group)) return Number(group);
  const line = await new Promise<string>((resolve) => {
    execFile('getent', ['group', group], (err, stdout) => resolve(err ? '' : String(stdout)));
  });
  const gid = Number(line.split(':')[2]);
  if (line === '' || !Number.isInteger(gid)) throw new Error(`unknown group '${group}' for the control socket`);
  return gid;
}

/** True when something accepts connections on the socket at `file`. */
export function socketIsLive(file: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createConnection(file);
    const done = (live: boolean): void => {
      clearTimeout(timer);
      probe.destroy();
      resolve(live);
    };
    // A daemon that accepts but is too busy to answer is still alive.
    const timer = setTimeout(() => done(true), timeoutMs);
    probe.once('connect', () => done(true));
    probe.once('error', () => done(false));
  });
}

/** Our effective uid (0 where the platform has none). */
function ourUid(): number {
  return process.geteuid?.() ?? 0;
}

/**
 * Refuses (one-line Error) a socket directory that someone else could change: writable
 * by others without the sticky bit (in a sticky one, like /tmp, others cannot rename or
 * delete our file), or owned by a user other than us or root.
 */
export async function checkSocketDirectory(dir: string, uid = ourUid()): Promise<void> {
  const st = await fs.stat(dir);
  if (!st.isDirectory()) throw new Error(`control socket directory ${dir} is not a directory`);
  if (st.uid !== uid && st.uid !== 0) {
    throw new Error(`control socket directory ${dir} is owned by uid ${st.uid}, not by us (uid ${uid}) or root; refusing it`);
  }
  if ((st.mode & 0o002) !== 0 && (st.mode & 0o1000) === 0) {
    throw new Error(`control socket directory ${dir} is writable by others and not sticky; refusing it (chmod o-w or +t)`);
  }
}

/** Makes the directory, checks who can change it, and clears a stale socket; throws if the path is in use. */
export async function prepareSocketPath(file: string): Promise<void> {
  // 0755: the directory must be traversable by the operator group; the socket itself guards access.
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  await checkSocketDirectory(path.dirname(file));
  let st;
  try {
    st = await fs.lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!st.isSocket()) throw new Error(`${file} exists and is not a socket; not replacing it`);
  if (await socketIsLive(file)) throw new Error(`another daemon is already listening on ${file}`);
  await fs.unlink(file);
}

/**
 * Binds `server` to `file` with the umask tightened for the duration of the bind (the
 * bind itself is synchronous in Node), so the file is never world-accessible, then sets
 * `mode` (0660, or 0600 for the admin socket) and the group.
 */
export async function listenOnSocketFile(server: net.Server, file: string, gid: number | undefined, mode = 0o660): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    const old = process.umask(0o177);
    try {
      server.listen(file, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      process.umask(old);
    }
  });
  await setSocketModeAndGroup(file, mode, gid);
}

/**
 * Sets mode and group of the socket we just bound without following a symbolic link:
 * the group with lchown; the mode (Linux has no lchmod) only after lstat shows our own
 * socket there, and checked again after (same inode). In a directory that passed
 * checkSocketDirectory nobody else can swap the file in between.
 */
export async function setSocketModeAndGroup(file: string, mode: number, gid: number | undefined, uid = ourUid()): Promise<void> {
  const before = await fs.lstat(file);
  if (!before.isSocket() || before.uid !== uid) {
    throw new Error(`${file} is not the socket we bound (${before.isSymbolicLink() ? 'a symbolic link' : before.isSocket() ? `owned by uid ${before.uid}` : 'not a socket'}); not changing it`);
  }
  if (gid !== undefined) await fs.lchown(file, uid, gid);
  await fs.chmod(file, mode);
  const after = await fs.lstat(file);
  if (after.ino !== before.ino || after.dev !== before.dev || !after.isSocket()) {
    throw new Error(`${file} was replaced while its mode was being set`);
  }
}
