// How a command says "stop here, with this one-line message and this exit code".
// src/cli.ts turns it into `lsoe: <command>: <message>` on stderr; no stack trace.
import { EthertypeError, readEthertype, readEthertypeList } from './ethertype.js';

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    /** 1 = runtime failure (unreadable input, no privilege, no daemon); 2 = usage */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Parses an EtherType option (rule in ../ethertype.ts); throws a usage CliError naming the option. */
export function parseEthertype(text: string, option = '--ethertype'): number {
  try {
    return readEthertype(text);
  } catch (err) {
    if (err instanceof EthertypeError) throw new CliError(`${option}: ${err.message}`, 2);
    throw err;
  }
}

/** Parses a comma-separated EtherType list (`0x88b5,0x8885`); a usage CliError naming the option. */
export function parseEthertypeList(text: string, option = '--ethertype'): number[] {
  try {
    return readEthertypeList(text);
  } catch (err) {
    if (err instanceof EthertypeError) throw new CliError(`${option}: ${err.message}`, 2);
    throw err;
  }
}

/** Parses a non-negative integer option; throws a usage CliError naming the option. */
export function parseCount(option: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new CliError(`${option}: '${text}' is not a whole number`, 2);
  return parseInt(text, 10);
}

/** Parses seconds (or another unit; decimal allowed) for an option; throws a usage CliError naming the option. */
export function parseSeconds(option: string, text: string, unit = 'seconds'): number {
  const t = text.trim();
  const value = Number(t);
  if (t === '' || !Number.isFinite(value) || value < 0) {
    throw new CliError(`${option}: '${text}' is not a number of ${unit}`, 2);
  }
  return value;
}
