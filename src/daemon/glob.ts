// Interface selection by name: shell-style globs (`*`, `?`, `[…]`), `!` to exclude.
// With no positive pattern, every candidate is selected unless excluded.

/** A pattern that cannot be used (e.g. `[z-a]`); the message says why, in one line. */
export class GlobError extends Error {
  override readonly name = 'GlobError';
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    throw new GlobError(`'${glob}' is not a valid pattern (a range like [z-a] runs backwards?)`);
  }
}

export class NameSelector {
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];

  constructor(patterns: readonly string[]) {
    this.include = patterns.filter((p) => !p.startsWith('!')).map(globToRegExp);
    this.exclude = patterns.filter((p) => p.startsWith('!')).map((p) => globToRegExp(p.slice(1)));
  }

  /** True when patterns name interfaces explicitly (then loopback/type defaults do not apply). */
  get explicit(): boolean {
    return this.include.length > 0;
  }

  matches(name: string): boolean {
    if (this.exclude.some((r) => r.test(name))) return false;
    return this.include.length === 0 || this.include.some((r) => r.test(name));
  }
}
