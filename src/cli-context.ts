// What command is running, for the one error format of lsoe: `lsoe: <command>: <what>`.
// src/cli.ts sets it before an action runs; warnings written by commands use it too.

let current = '';

export function setCommandPath(path: string): void {
  current = path;
}

export function commandPath(): string {
  return current;
}

/** `lsoe: decode: <what>`, or `lsoe: <what>` outside a command; never doubles the command. */
export function errorLine(what: string, path = current): string {
  if (path === '' || what.startsWith(`${path}: `)) return `lsoe: ${what}`;
  return `lsoe: ${path}: ${what}`;
}

const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ENODEV: 'no such device',
  ECONNREFUSED: 'connection refused',
  EADDRINUSE: 'address already in use',
  ENAMETOOLONG: 'file name too long',
};

/**
 * A system error in words ("permission denied"), never its code. `writing`: a missing
 * file cannot be the problem when creating one, so ENOENT means the directory.
 */
export function systemErrorText(err: unknown, opts: { writing?: boolean } = {}): string {
  const e = err as NodeJS.ErrnoException;
  if (opts.writing === true && e?.code === 'ENOENT') return 'no such directory';
  const words = e?.code !== undefined ? SYSTEM_ERRORS[e.code] : undefined;
  if (words !== undefined) return words;
  const message = err instanceof Error ? err.message : String(err);
  // Node's "EXYZ: words, syscall 'path'" → "words"
  const m = /^E[A-Z]+: ([^,]+)/.exec(message);
  return m ? m[1]! : message.split('\n')[0]!;
}
