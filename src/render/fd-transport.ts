// Output written to fd 1 itself, for a command whose input is at hand (decode),
// as tcpdump writes: in large batches, with no queue beyond a small bound.
// Two ways, by what fd 1 is:
//   a file or a device: blocking `writeSync`s, the one batch buffer written
//     on again at once. Such writes do not wait for anybody.
//   a pipe or a socket (`| jq`, `| cat`): a write into a full pipe waits for
//     the reader, and a process waiting in write(2) answers no signal (SIGTERM
//     would wait for a reader that may never read again). So a chunk is
//     written at once only by a write that cannot wait (`nowait`: pwritev2 with
//     RWF_NOWAIT, pipe-size.ts), when nothing is queued before it: the pipe
//     takes what fits, and the rest is queued. A reader that keeps up (`| cat`)
//     takes nearly every chunk whole that way, at no thread hand-over per batch
//     (round 7: a 100k decode into `| cat` made ~690-1,050 context switches
//     instead of ~1,250-1,600). Otherwise chunks are written in the background
//     (libuv's threadpool, `fs.writev` on the blocking fd, one write at a time,
//     so in order) while the decoder fills the next. At most BACKGROUND_HIGH
//     octets are handed over and not yet written: past that `blocked` is true
//     and the decoder waits on `drained()` (below BACKGROUND_LOW), which is the
//     backpressure; `busy` says to let the event loop in soon, so a finished
//     write is followed by the next at once. Written batch buffers go back to
//     the ByteWriter (`release`). Until the first chunk of a quarter batch or
//     more, a small chunk (a short output's end, an idle flush, -l) is written
//     at once, synchronously: a short run never starts the threadpool nor loads
//     the addon. A socket (no `nowait`), or a kernel that cannot write a pipe
//     without waiting, sends every chunk after that the background way.
// Creating process.stdout (any `import 'node:process'` of an ES module does:
// chalk's) makes a pipe non-blocking (libuv), so fd 1 is put back in the
// blocking mode it was inherited with: by the constructor, or, where
// process.stdout is not made yet (decode's CommonJS bundle: stdout-watch.ts),
// when something makes it.
//   EAGAIN (fd 1 was made non-blocking, by us or by whoever shares the pipe):
//     what is not written yet and the rest go through process.stdout,
//     asynchronously, with its backpressure, for good.
//   EPIPE (the reader is gone: `| head -1`): a normal end, status 0, quietly.
//   Any other error: "stdout: <what>", status 1 (CliError, one line), thrown
//     by the next write or by `drained()` / `settled()`.
import { writeSync, writev } from 'node:fs';
import { CliError } from '../cli-error.js';
import { systemErrorText } from '../cli-context.js';
import { StreamTransport, type Transport } from './stream-transport.js';
import { whenStdoutMade } from './stdout-watch.js';

/** Octets handed to the background writes and not yet written before the decoder waits, and where it resumes. */
export const BACKGROUND_HIGH = 2 * 1024 * 1024;
export const BACKGROUND_LOW = 1024 * 1024;
/** -EAGAIN, as the addon answers it: nothing could be written without waiting. */
const EAGAIN = -11;

export interface FdTransportOptions {
  /** write pipes and sockets in the background (chunks are then never written on by the caller) */
  background?: {
    batch: number;
    release: (chunk: Buffer) => void;
    high?: number;
    low?: number;
    /** called before the first chunk of a quarter batch or more (decode: a larger pipe, pipe-size.ts) */
    onFirstWrite?: () => void;
    /** writes what fd takes of the chunk now without waiting: octets written, or a negative errno (nothing written) */
    nowait?: (chunk: Buffer) => number;
  };
  /** the asynchronous path, made on the first EAGAIN */
  makeFallback?: () => Transport;
  /** the reader closed the pipe */
  onClosed?: () => void;
}

interface Waiter {
  mark: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class FdTransport implements Transport {
  private fallback: Transport | null = null;
  private readonly makeFallback: () => Transport;
  private readonly onClosed: () => void;
  private readonly background: Required<Omit<NonNullable<FdTransportOptions['background']>, 'onFirstWrite' | 'nowait'>> | null;
  private readonly onFirstWrite: (() => void) | undefined;
  /** the write that does not wait; dropped for good at its first error other than EAGAIN */
  private nowait: ((chunk: Buffer) => number) | undefined;
  /** Chunks handed over and not yet written, in order (a write of all of them may be out). */
  private queue: Buffer[] = [];
  private queued = 0;
  /** a background write is out (one at a time, so in order) */
  private writing = false;
  /** a chunk of a quarter batch or more came: from then on every chunk goes to the pipe without waiting, or in the background */
  private started = false;
  private failure: CliError | null = null;
  private waiters: Waiter[] = [];

  constructor(
    private readonly fd: number,
    opts: FdTransportOptions = {},
  ) {
    this.makeFallback = opts.makeFallback ?? (() => new StreamTransport(process.stdout));
    this.onClosed = opts.onClosed ?? (() => process.exit(0));
    const bg = opts.background;
    this.background = bg === undefined ? null : { batch: bg.batch, release: bg.release, high: bg.high ?? BACKGROUND_HIGH, low: bg.low ?? BACKGROUND_LOW };
    this.onFirstWrite = bg?.onFirstWrite;
    this.nowait = bg?.nowait;
    if (fd === 1) whenStdoutMade(blockingStdout);
  }

  /**
   * Synchronous mode: the chunk may be written on by the caller once this
   * returns. Background mode: the chunk is the transport's until `release`.
   */
  write(chunk: Buffer): void {
    if (this.failure !== null) throw this.failure;
    if (this.fallback !== null) {
      this.fallback.write(this.background !== null ? chunk : Buffer.from(chunk));
      return;
    }
    const bg = this.background;
    if (bg === null || (!this.started && chunk.length < bg.batch / 4)) {
      this.writeNow(chunk);
      if (bg !== null && this.fallback === null) bg.release(chunk);
      return;
    }
    if (!this.started) {
      this.started = true;
      this.onFirstWrite?.();
    }
    let rest = chunk;
    if (this.queue.length === 0 && this.nowait !== undefined) {
      // Nothing is out before it: what the pipe takes now goes at once, without waiting.
      const n = this.nowait(chunk);
      if (n === chunk.length) {
        bg.release(chunk);
        return;
      }
      if (n > 0) rest = chunk.subarray(n);
      // EAGAIN: full for now. Anything else (a kernel without RWF_NOWAIT for pipes, EPIPE):
      // the background write meets it and says what it is; this way is not tried again.
      else if (n !== EAGAIN) this.nowait = undefined;
    }
    this.queue.push(rest);
    this.queued += rest.length;
    if (!this.writing) this.writeNext();
  }

  /** True while the background writes hold more than they should. */
  get blocked(): boolean {
    if (this.fallback !== null) return this.fallback.blocked;
    return this.background !== null && this.queued > this.background.high;
  }

  /** Something is being written in the background. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  drained(): Promise<void> {
    if (this.fallback !== null) return this.fallback.drained();
    if (this.background === null || this.queued <= this.background.high) return Promise.resolve();
    return this.below(this.background.low);
  }

  settled(): Promise<void> {
    return this.below(0).then(() => this.fallback?.settled());
  }

  /** A blocking write of the whole chunk (the synchronous mode, and small flushes). */
  private writeNow(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      try {
        at += writeSync(this.fd, chunk, at, chunk.length - at);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EINTR') continue;
        if (code === 'EAGAIN') {
          // A copy in the synchronous mode: the caller writes on in its buffer, the stream queues this.
          const rest = chunk.subarray(at);
          this.toFallback([this.background !== null ? rest : Buffer.from(rest)]);
          return;
        }
        this.fail(err);
        return;
      }
    }
  }

  /** One background write of everything queued (libuv writes all of it, or stops at an error). */
  private writeNext(): void {
    this.writing = true;
    writev(this.fd, this.queue.slice(), (err, written) => this.wrote(err, written));
  }

  private wrote(err: NodeJS.ErrnoException | null, written: number): void {
    this.writing = false;
    if (err !== null) {
      if (err.code === 'EAGAIN') {
        const rest = this.queue;
        this.queue = [];
        this.queued = 0;
        this.toFallback(rest);
      } else this.fail(err);
      this.wake();
      return;
    }
    // Whole chunks go back to the writer; a part (the write stopped short) stays queued.
    let left = written;
    let done = 0;
    while (done < this.queue.length && left >= this.queue[done]!.length) left -= this.queue[done++]!.length;
    const finished = this.queue.splice(0, done);
    if (left > 0) this.queue[0] = this.queue[0]!.subarray(left);
    this.queued -= written;
    for (const c of finished) this.background!.release(c);
    if (this.queue.length > 0) this.writeNext();
    this.wake();
  }

  private toFallback(rest: Buffer[]): void {
    this.fallback = this.makeFallback();
    for (const c of rest) this.fallback.write(c);
  }

  private fail(err: unknown): void {
    // EPIPE: the reader is gone, a normal end. Anything else (ENOSPC into a full
    // disk, EBADF, EIO) ends the command with one line.
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') {
      this.onClosed();
      return;
    }
    this.failure = new CliError(`stdout: ${systemErrorText(err)}`, 1);
    if (this.background === null) throw this.failure;
  }

  private below(mark: number): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.queued <= mark || this.fallback !== null) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ mark, resolve, reject }));
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (this.failure !== null) w.reject(this.failure);
      else if (this.queued <= w.mark || this.fallback !== null) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}

/**
 * fd 1 back in blocking mode if process.stdout made it non-blocking (a pipe;
 * a file or terminal has nothing to undo). Without the handle's setBlocking
 * (an internal of libuv's streams) the writes fall back on EAGAIN.
 */
function blockingStdout(stdout: NodeJS.WriteStream): void {
  const handle = (stdout as unknown as { _handle?: { setBlocking?: (on: boolean) => number } })._handle;
  handle?.setBlocking?.(true);
}
