// Runs the real `bin/lsoe` binary, the way a user or script would.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { assertSchema } from './schema.js';
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

/**
 * Parses what a command printed with --json; fails loudly on a line that is not
 * JSON or not a record of docs/schema (`kind`: a schema name, by default any
 * record a command prints), so every end-to-end test checks the schemas too.
 */
export function jsonLines(text: string, kind = 'record'): Record<string, any>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const value = JSON.parse(l) as Record<string, any>;
      assertSchema(kind, value);
      return value;
    });
}
