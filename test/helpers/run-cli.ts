// Runs the real `bin/lsoe` binary, the way a user or script would.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './vectors.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const LSOE_BIN = path.join(repoRoot(), 'bin', 'lsoe');

/** Runs `lsoe ARGS` to completion (stdin from `input`), colour off. */
export function runLsoe(args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliResult {
  const res = spawnSync(process.execPath, [LSOE_BIN, ...args], {
    input: opts.input ?? '',
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: res.status, stdout: res.stdout.toString(), stderr: res.stderr.toString() };
}

/** Async variant, for commands that must run beside something else. */
export function runLsoeAsync(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LSOE_BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Parses JSON lines; fails loudly on a line that is not JSON. */
export function jsonLines(text: string): Record<string, any>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}
