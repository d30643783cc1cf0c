// The one renderer every command prints through: human lines and tables, or
// JSON lines for scripts. Commands hand it data; they never format JSON or
// pick colours themselves.
import { Chalk, type ChalkInstance } from 'chalk';
import { outputWidth, renderTable, type TableOptions } from './table.js';
import { BATCH, ByteWriter } from './byte-writer.js';

export interface Output {
  readonly json: boolean;
  /** chalk instance: plain when colour is off */
  readonly style: ChalkInstance;
  /** The batch every line goes through; record writers append JSON bytes to it, then call `done()`. */
  readonly bytes: ByteWriter;
  /** One JSON object per line (only meaningful with --json). */
  record(obj: unknown): void;
  /** A line for people (ignored with --json). */
  line(text: string): void;
  /** A table for people (ignored with --json); `optional` columns are dropped to fit the terminal. */
  table(head: string[], rows: string[][], opts?: Pick<TableOptions, 'optional'>): void;
  /** A one-line note on stderr (warnings, summaries); never on stdout. */
  note(text: string): void;
  /** A record or line was appended to `bytes` directly: flush now if line-buffered or the batch is full. */
  done(): void;
  /** Hands the batch to the stream now (end of input, a signal, before waiting for input). */
  flush(): void;
  /** True while the stream holds more than it should: stop reading input until `drained()`. */
  readonly blocked: boolean;
  /** Resolves once the stream has taken what it held (at once when not blocked). */
  drained(): Promise<void>;
  /** Flushes and waits until the stream has written everything. */
  end(): Promise<void>;
}

export interface OutputOptions {
  json: boolean;
  stream?: NodeJS.WritableStream & { isTTY?: boolean; writableNeedDrain?: boolean };
  errStream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** force colour on/off; default: on only for a TTY without NO_COLOR */
  color?: boolean;
  /**
   * Write each record through at once (tcpdump's -l; always on a terminal).
   * Otherwise records are batched (64 KiB) and the batch goes out when full,
   * when flush() is called, and whenever the process goes idle (the next
   * turn of the event loop after a burst of records).
   */
  lineBuffered?: boolean;
}

/** Output queued in the stream before reading stops, and where it resumes. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 512 * 1024;

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
  const lineBuffered = opts.lineBuffered === true || out.isTTY === true;
  // Output handed to the stream and not yet written by it. Reading input
  // stops above HIGH_WATER and resumes below LOW_WATER, so the reader always
  // has the next batches queued (no stall at every drain) and memory stays flat.
  let inFlight = 0;
  let waiters: Array<() => void> = [];
  const release = (): void => {
    const ready = waiters;
    waiters = [];
    for (const w of ready) w();
  };
  // process.stdout (a pipe, file or terminal) has written a chunk when it calls
  // back, so its buffer may be reused; a stream in general has not (a
  // PassThrough calls back with the chunk still queued for its reader).
  const reuse = opts.stream === undefined;
  const bytes = new ByteWriter((chunk) => {
    inFlight += chunk.length;
    out.write(chunk, () => {
      inFlight -= chunk.length;
      if (reuse) bytes.release(chunk);
      if (inFlight <= LOW_WATER && waiters.length > 0) release();
    });
  });
  // A closed pipe never drains (cli.ts ends the process on EPIPE); other failures end the wait.
  out.once('close', release);
  let idleFlush: NodeJS.Immediate | null = null;
  const flush = (): void => {
    if (idleFlush !== null) {
      clearImmediate(idleFlush);
      idleFlush = null;
    }
    bytes.flush();
  };
  const done = (): void => {
    if (lineBuffered || bytes.pending >= BATCH) flush();
    else if (idleFlush === null && bytes.pending > 0) idleFlush = setImmediate(flush);
  };
  const below = (mark: number): Promise<void> =>
    inFlight <= mark ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(() => (inFlight <= mark ? resolve() : void below(mark).then(resolve))));
  return {
    json: opts.json,
    style,
    bytes,
    done,
    flush,
    get blocked() {
      return inFlight > HIGH_WATER;
    },
    drained() {
      return inFlight > HIGH_WATER ? below(LOW_WATER) : Promise.resolve();
    },
    async end() {
      flush();
      await below(0);
    },
    record(obj) {
      if (!opts.json) return;
      bytes.text(JSON.stringify(obj) + '\n');
      done();
    },
    line(text) {
      if (opts.json) return;
      bytes.text(text + '\n');
      done();
    },
    table(head, rows, tableOpts = {}) {
      if (opts.json) return;
      const width = outputWidth(out as { isTTY?: boolean; columns?: number });
      bytes.text(renderTable(head, rows, { ...tableOpts, ...(width !== undefined ? { width } : {}), head: (h) => style.bold(h) }) + '\n');
      done();
    },
    note(text) {
      flush();
      err.write(text + '\n');
    },
  };
}
