// Helpers shared by the benchmark sections: timing a command, peak RSS, tables.
// Nothing here asserts anything about speed: the benchmark only reports.

import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Table from 'cli-table3';

/** GNU time prints the child's peak RSS (%M, KiB); without it we report none. */
export const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Is `cmd` runnable (on PATH or a path)? */
export function which(cmd) {
  if (cmd.includes('/')) return existsSync(cmd) ? cmd : null;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(`${dir}/${cmd}`)) return `${dir}/${cmd}`;
  }
  return null;
}

/**
 * Run `cmd args` once; resolves { wallS, rssKiB|null, cpuS|null, exitCode,
 * stderrTail }. Where stdout goes (`stdoutTo`):
 * - a file name (default /dev/null);
 * - 'pipe': a pipe this process drains. Node's child pipes are socketpairs
 *   read by this process's event loop, which is not what `| cat` is;
 * - 'cat': the write end of a real pipe whose reader is `cat > /dev/null`, as
 *   users run `cmd | cat` (`cmd | jq`): `bash -c '"$@" | cat > /dev/null'`.
 *   GNU time wraps `cmd` alone (its CPU and peak RSS, not cat's), and the wall
 *   time runs until both have exited (bash waits for the whole pipeline; its
 *   start and cat's are counted too, as a user's shell pays them: ~40 ms at
 *   load 5 here). The status is cmd's (PIPESTATUS).
 * Wall time is measured here (monotonic clock) around the whole child.
 */
export function timeOnce(cmd, args, { stdoutTo = '/dev/null' } = {}) {
  const marker = '@@lsoe-bench-rss ';
  // Peak RSS, and CPU seconds (user + system): on a shared machine CPU time says more than wall time.
  let argv = GNU_TIME ? ['-f', `${marker}%M %U %S`, cmd, ...args] : args;
  let exe = GNU_TIME ?? cmd;
  if (stdoutTo === 'cat') {
    argv = ['-c', '"$@" | cat > /dev/null; exit "${PIPESTATUS[0]}"', 'lsoe-bench', exe, ...argv];
    exe = 'bash';
  }
  const out = stdoutTo === 'pipe' ? 'pipe' : stdoutTo === 'cat' ? 'ignore' : openSync(stdoutTo, 'w');
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const child = spawn(exe, argv, { stdio: ['ignore', out, 'pipe'] });
    if (out === 'pipe') child.stdout.resume();
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr = (stderr + c.toString()).slice(-4000);
    });
    const finish = (exitCode, error) => {
      const wallS = Number(process.hrtime.bigint() - start) / 1e9;
      if (typeof out === 'number') closeSync(out);
      const m = stderr.match(new RegExp(`${marker}(\\d+) ([\\d.]+) ([\\d.]+)`));
      const rest = stderr.replace(new RegExp(`${marker}[\\d. ]+\\s*`), '').trim();
      resolve({
        wallS,
        rssKiB: m ? Number(m[1]) : null,
        cpuS: m ? Number(m[2]) + Number(m[3]) : null,
        exitCode,
        stderrTail: error ? String(error.message) : rest.split('\n').slice(-2).join(' | '),
      });
    };
    child.on('error', (err) => finish(-1, err));
    child.on('close', (code) => finish(code ?? -1));
  });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Print a table (cli-table3) with a title line. */
export function printTable(title, head, rows) {
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) table.push(r);
  process.stdout.write(`\n${title}\n${table.toString()}\n`);
}

export const fmtInt = (n) => (n == null ? 'n/a' : Math.round(n).toLocaleString('en-US'));
export const fmtS = (s) => (s == null ? 'n/a' : s.toFixed(3));
export const fmtMiB = (kib) => (kib == null ? 'n/a' : (kib / 1024).toFixed(1));

/** The value after `name` in argv (`--seconds 300`), or undefined. */
export function option(argv, name) {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/**
 * For sections that build network namespaces: null when we are root, else the
 * section's "skipped" result (after saying so), to be returned as is.
 */
export function skipUnlessRoot(ctx, section) {
  if (process.getuid?.() === 0) return null;
  ctx.log(`${section}: skipped (needs root for network namespaces)`);
  return { skipped: 'needs root' };
}

/** What a section needs from the built dist/ to write a capture of its own. */
export async function captureTools(repoRoot) {
  const load = (p) => import(pathToFileURL(path.join(repoRoot, 'dist', p)).href);
  const [{ encodePdu }, { splitPdu }, { buildEthernet }, { CaptureWriter }] = await Promise.all([
    load('src/proto/pdu/index.js'),
    load('src/proto/fragment.js'),
    load('src/proto/ethernet.js'),
    load('src/io/capture-writer.js'),
  ]);
  return { encodePdu, splitPdu, buildEthernet, CaptureWriter };
}
