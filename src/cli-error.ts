// How a command says "stop here, with this one-line message and this exit code".
// src/cli.ts turns it into `lsoe: <message>` on stderr; no stack trace.

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

/**
 * Parses an EtherType. EtherTypes are written in hex, so `0x88b5` and a bare
 * four-digit `88b5` or `8885` are hex; longer plain digits (`34997`) are
 * decimal. Throws a usage CliError.
 */
export function parseEthertype(text: string): number {
  const t = text.trim().toLowerCase();
  const value = /^0x[0-9a-f]{1,4}$/.test(t)
    ? parseInt(t.slice(2), 16)
    : /^[0-9a-f]{4}$/.test(t)
      ? parseInt(t, 16)
      : /^[0-9]+$/.test(t)
        ? parseInt(t, 10)
        : NaN;
  // Below 0x0600 the field is an 802.3 length, not an EtherType.
  if (!Number.isInteger(value) || value < 0x0600 || value > 0xffff) {
    throw new CliError(`invalid EtherType '${text}' (want hex 0x0600..0xffff, e.g. 0x88b5)`, 2);
  }
  return value;
}

/** Parses a non-negative integer option; throws a usage CliError naming the option. */
export function parseCount(option: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new CliError(`${option}: '${text}' is not a whole number`, 2);
  return parseInt(text, 10);
}

/** Parses seconds (decimal allowed) for an option; throws a usage CliError naming the option. */
export function parseSeconds(option: string, text: string): number {
  const t = text.trim();
  const value = Number(t);
  if (t === '' || !Number.isFinite(value) || value < 0) {
    throw new CliError(`${option}: '${text}' is not a number of seconds`, 2);
  }
  return value;
}
