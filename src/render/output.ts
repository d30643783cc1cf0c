// The one renderer every command prints through: human lines and tables, or
// JSON lines for scripts. Commands hand it data; they never format JSON or
// pick colours themselves.
import { Chalk, type ChalkInstance } from 'chalk';
import { outputWidth, renderTable, type TableOptions } from './table.js';
import { isTerminal } from './terminal.js';
import { fstatSync } from 'node:fs';
import { ByteWriter } from './byte-writer.js';
import { FdTransport } from './fd-transport.js';
import { widenPipe, writeNowait } from './pipe-size.js';
import { StreamTransport, type Transport } from './stream-transport.js';

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
  /**
   * Output is being written in the background (decode into a pipe): a producer
   * that runs without awaiting should let the event loop in soon (after its
   * current batch), so that a finished write is followed by the next.
   */
  readonly busy: boolean;
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
  /**
   * Stdout (not a terminal) is written by fd-transport.ts in batches of
   * FD_BATCH: blocking writes into a file; into a pipe, what it takes at once
   * without waiting, the rest in the background; for decode, whose input is at hand.
   */
  blocking?: boolean;
}

/** The batch of blocking writes to fd 1: fewer, larger writes into the pipe. */
export const FD_BATCH = 256 * 1024;

/** What fd is: a pipe or a socket has a reader at the other end; a file or a device does not wait. */
function fdKind(fd: number): 'pipe' | 'socket' | 'other' {
  try {
    const st = fstatSync(fd);
    return st.isFIFO() ? 'pipe' : st.isSocket() ? 'socket' : 'other';
  } catch {
    return 'other';
  }
}

export function colorWanted(stream: { isTTY?: boolean }): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export function createOutput(opts: OutputOptions): Output {
  // fd 1 written directly, with blocking writes (fd-transport.ts); a terminal keeps the stream.
  const direct = opts.stream === undefined && opts.blocking === true && !isTerminal(1);
  const out: { isTTY?: boolean; columns?: number } = direct ? { isTTY: false } : (opts.stream ?? process.stdout);
  // process.stderr is made when a note is written: making it costs as process.stdout does (stdout-watch.ts)
  const err = (): NodeJS.WritableStream => opts.errStream ?? process.stderr;
  const color = opts.color ?? (!opts.json && colorWanted(out));
  const style = new Chalk({ level: color ? 1 : 0 });
  const lineBuffered = opts.lineBuffered === true || out.isTTY === true;
  let transport: Transport;
  let fd: FdTransport | null = null;
  let bytes: ByteWriter;
  if (direct) {
    // Into a pipe or socket the batches are written in the background, each buffer handed over (not synchronous).
    const kind = fdKind(1);
    const background = kind !== 'other';
    const release = (chunk: Buffer): void => bytes.release(chunk);
    // A pipe is made larger before the first full batch, and what it takes of a batch at once is written at once (pipe-size.ts).
    const onFirstWrite = kind === 'pipe' ? () => void widenPipe(1) : undefined;
    const nowait = kind === 'pipe' ? (chunk: Buffer) => writeNowait(1, chunk) : undefined;
    fd = new FdTransport(1, background ? { background: { batch: FD_BATCH, release, onFirstWrite, nowait } } : {});
    transport = fd;
    bytes = new ByteWriter((chunk) => transport.write(chunk), { batch: FD_BATCH, synchronous: !background });
  } else {
    // process.stdout (a pipe, file or terminal) has written a chunk when it calls
    // back, so its buffer may be reused; a stream in general has not.
    const reuse = opts.stream === undefined;
    transport = new StreamTransport(opts.stream ?? process.stdout, reuse ? (chunk) => bytes.release(chunk) : undefined);
    bytes = new ByteWriter((chunk) => transport.write(chunk));
  }
  let idleFlush: NodeJS.Immediate | null = null;
  const flush = (): void => {
    if (idleFlush !== null) {
      clearImmediate(idleFlush);
      idleFlush = null;
    }
    bytes.flush();
  };
  const done = (): void => {
    if (lineBuffered || bytes.pending >= bytes.batch) flush();
    else if (idleFlush === null && bytes.pending > 0) idleFlush = setImmediate(flush);
  };
  return {
    json: opts.json,
    style,
    bytes,
    done,
    flush,
    get blocked() {
      return transport.blocked;
    },
    get busy() {
      return fd?.busy ?? false;
    },
    drained() {
      return transport.drained();
    },
    async end() {
      flush();
      await transport.settled();
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
      const width = outputWidth(out);
      bytes.text(renderTable(head, rows, { ...tableOpts, ...(width !== undefined ? { width } : {}), head: (h) => style.bold(h) }) + '\n');
      done();
    },
    note(text) {
      flush();
      err().write(text + '\n');
    },
  };
}
