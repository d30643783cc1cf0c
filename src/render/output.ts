// The one renderer every command prints through: human lines and tables, or
// JSON lines for scripts. Commands hand it data; they never format JSON or
// pick colours themselves.
import { Chalk, type ChalkInstance } from 'chalk';
import { outputWidth, renderTable, type TableOptions } from './table.js';

export interface Output {
  readonly json: boolean;
  /** chalk instance: plain when colour is off */
  readonly style: ChalkInstance;
  /** One JSON object per line (only meaningful with --json). */
  record(obj: unknown): void;
  /** The same, already serialised (a fast path for bulk decoders). */
  recordLine(json: string): void;
  /** JSON lines already serialised as UTF-8 octets (decode's fast path); kept in order with the rest. */
  recordBytes(chunk: Buffer): void;
  /** A line for people (ignored with --json). */
  line(text: string): void;
  /** A table for people (ignored with --json); `optional` columns are dropped to fit the terminal. */
  table(head: string[], rows: string[][], opts?: Pick<TableOptions, 'optional'>): void;
  /** A one-line note on stderr (warnings, summaries); never on stdout. */
  note(text: string): void;
  /** Writes out what `buffered` mode holds; call before waiting for more input. */
  flush(): void;
}

export interface OutputOptions {
  json: boolean;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  errStream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** force colour on/off; default: on only for a TTY without NO_COLOR */
  color?: boolean;
  /**
   * Hold lines until flush() (or 64 KiB) instead of one write per line. For
   * batch work such as decoding a file: the caller flushes whenever it is
   * about to wait, so a reader never waits on a line we already have.
   */
  buffered?: boolean;
}

export function colorWanted(stream: { isTTY?: boolean }): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export function createOutput(opts: OutputOptions): Output {
  const out = opts.stream ?? process.stdout;
  const err = opts.errStream ?? process.stderr;
  const color = opts.color ?? (!opts.json && colorWanted(out));
  const style = new Chalk({ level: color ? 1 : 0 });
  let pending = '';
  const flush = (): void => {
    if (pending.length > 0) {
      out.write(pending);
      pending = '';
    }
  };
  const emit = opts.buffered
    ? (text: string): void => {
        pending += text;
        if (pending.length >= 65536) flush();
      }
    : (text: string): void => {
        out.write(text);
      };
  return {
    json: opts.json,
    style,
    flush,
    record(obj) {
      if (opts.json) emit(JSON.stringify(obj) + '\n');
    },
    recordLine(json) {
      if (opts.json) emit(json + '\n');
    },
    recordBytes(chunk) {
      if (!opts.json) return;
      flush();
      out.write(chunk);
    },
    line(text) {
      if (!opts.json) emit(text + '\n');
    },
    table(head, rows, tableOpts = {}) {
      if (opts.json) return;
      const width = outputWidth(out as { isTTY?: boolean; columns?: number });
      emit(renderTable(head, rows, { ...tableOpts, ...(width !== undefined ? { width } : {}), head: (h) => style.bold(h) }) + '\n');
    },
    note(text) {
      flush();
      err.write(text + '\n');
    },
  };
}
