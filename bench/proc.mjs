// What the benchmark sections read about a running process from /proc, and small
// waiting helpers. Reports only.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of `pid`, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
export function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : null;
}

export const TICKS_PER_S = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Share of one core that `pids` used together over `seconds` of wall time. */
export async function cpuShare(pids, seconds) {
  const t0 = pids.reduce((a, p) => a + cpuTicks(p), 0);
  const w0 = performance.now();
  await sleep(seconds * 1000);
  const t1 = pids.reduce((a, p) => a + cpuTicks(p), 0);
  return (t1 - t0) / TICKS_PER_S / ((performance.now() - w0) / 1000);
}

/** `ip args`, throwing with its stderr on failure; returns stdout. */
export function ip(args, input) {
  const r = spawnSync('ip', args, { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}
