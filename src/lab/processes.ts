// Background processes of a lab: started detached with their output in a log
// file, remembered by PID file, and stopped only after checking that the PID
// still belongs to this lab (a PID file can outlive its process and the
// number can be reused by something else).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Starts `cmd args` in its own session, output appended to `log`; returns its PID. */
export function spawnDetached(cmd: string, args: string[], log: string, env?: NodeJS.ProcessEnv, cwd?: string): number {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env: env ?? process.env, ...(cwd === undefined ? {} : { cwd }) });
    child.on('error', () => undefined); // reported by the caller's readiness check
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${cmd}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export function writePid(file: string, pid: number): void {
  writeFileSync(file, `${pid}\n`);
}

export function readPid(file: string): number | null {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 1 ? n : null;
  } catch {
    return null;
  }
}

/** The process's command line, or null when there is no such process. */
export function cmdlineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0; it is not running anything.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

/**
 * True when `pid` runs and one of its arguments is the lab's state directory
 * or a path inside it (`/run/lsoe-lab/a` must not match lab `ab`).
 */
export function isLabProcess(pid: number, stateDir: string): boolean {
  const cmd = cmdlineOf(pid);
  if (cmd === null) return false;
  const inside = (arg: string): boolean => arg === stateDir || arg.replace(/^unix:/, '').startsWith(stateDir + '/');
  return cmd.split(' ').some(inside) && isAlive(pid);
}

/** SIGTERM, then SIGKILL for whatever is still there after `graceMs`. */
export async function stopPids(pids: number[], graceMs = 2000): Promise<void> {
  const signal = (pid: number, sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let left = pids.filter(isAlive);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    left = left.filter(isAlive);
  }
  for (const pid of left) signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (left.length > 0 && Date.now() < killDeadline) {
    await sleep(20);
    left = left.filter(isAlive);
  }
}
