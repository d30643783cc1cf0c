// Shared by the install tests: a copy of the repository to pack from (this worktree's
// dist/ is never touched), commands run to completion, and what a prefix still holds.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { repoRoot } from '../helpers/vectors.js';

export const repo = repoRoot();
export const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string; man: string[] };

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    // TMPDIR: package-deb's staging tree and npm's and the compiler's scratch files too
    env: { ...process.env, NO_COLOR: '1', TMPDIR: scratchParent(), ...opts.env },
    timeout: 240_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '' };
}

export function ok(t: Test, r: RunResult, what: string): boolean {
  return t.equal(r.code, 0, what, { stderr: r.stderr.slice(-2000) });
}

/** Every file and symlink under dir (directories left empty do not count). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isDirectory()) out.push(path.join(e.parentPath, e.name));
  }
  return out;
}

const TMPFS_MAGIC = 0x01021994;

/**
 * Where the install tests unpack: /dev/shm when it is a writable tmpfs, else the temp
 * directory. dpkg and npm write, fsync and unlink some 3,000–5,000 files per install;
 * on a disk shared with busy neighbours an unlink took ~2 ms (dpkg -r alone 17 s of wall
 * time for 0.5 s of CPU), in memory the same steps take a fraction of a second. What
 * is installed and checked is the same.
 */
export function scratchParent(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    if (statfsSync('/dev/shm').type === TMPFS_MAGIC) return '/dev/shm';
  } catch {
    // no /dev/shm: the temp directory
  }
  return tmpdir();
}

/**
 * A scratch directory (in scratchParent()) holding `src/`, a copy of what git knows of the repository
 * (tracked or new, not ignored; node_modules linked), plus the ignored build
 * directories named in `builtDirs` copied from this worktree.
 */
export function copyRepository(t: Test, builtDirs: string[] = []): { work: string; src: string } {
  const work = mkdtempSync(path.join(scratchParent(), 'lsoe-install-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const src = path.join(work, 'src');
  const listed = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo });
  for (const f of [...listed.stdout.split('\0'), ...builtDirs]) {
    if (f === '' || !existsSync(path.join(repo, f))) continue;
    mkdirSync(path.dirname(path.join(src, f)), { recursive: true });
    cpSync(path.join(repo, f), path.join(src, f), { recursive: true, verbatimSymlinks: true });
  }
  symlinkSync(path.join(repo, 'node_modules'), path.join(src, 'node_modules'));
  return { work, src };
}
