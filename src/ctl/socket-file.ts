// Creating the socket file safely: refuse to take over a live daemon's socket, clear a
// stale one, and never let the file exist with wider permissions than asked (0660, or
// 0600 for the admin socket).
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

/** Makes the directory and clears a stale socket; throws if the path is in use. */
export async function prepareSocketPath(file: string): Promise<void> {
  // 0755: the directory must be traversable by the operator group; the socket itself guards access.
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
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
  await fs.chmod(file, mode);
  if (gid !== undefined) await fs.chown(file, process.getuid?.() ?? 0, gid);
}
