// How a command talks to the daemon: connect, ask, close; a socket problem becomes the
// one-line CliError the user sees (exit 1), e.g. "no daemon listening on PATH (…)".
import { CliError } from '../cli-error.js';
import { connectControl, ControlError, type ControlClient } from '../ctl/client.js';

export function toCliError(err: unknown): unknown {
  return err instanceof ControlError ? new CliError(err.message, 1) : err;
}

export async function openDaemon(socketPath: string, timeoutMs?: number): Promise<ControlClient> {
  try {
    return await connectControl(socketPath, timeoutMs === undefined ? {} : { timeoutMs });
  } catch (err) {
    throw toCliError(err);
  }
}

/** `--timeout S` as milliseconds; a usage error (exit 2) unless a positive number. */
export function parseTimeoutOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const s = Number(value);
  if (!Number.isFinite(s) || s <= 0 || value.trim() === '') {
    throw new CliError(`--timeout: '${value}' is not a positive number of seconds`, 2);
  }
  return Math.round(s * 1000);
}

/** Runs `fn` with a connected client and always closes it. */
export async function withDaemon<T>(
  socketPath: string,
  fn: (c: ControlClient) => Promise<T>,
  timeoutMs?: number,
): Promise<T> {
  const client = await openDaemon(socketPath, timeoutMs);
  try {
    return await fn(client);
  } catch (err) {
    throw toCliError(err);
  } finally {
    client.close();
  }
}
