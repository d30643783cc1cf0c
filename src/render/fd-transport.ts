// Output written to fd 1 with blocking writes, as tcpdump writes: for a
// command whose input is at hand (decode), where nothing else needs the event
// loop while it writes. A write into a full pipe simply waits for the reader,
// which is the backpressure, with no queue, no callback, no event-loop turn
// per batch. Creating process.stdout (any `import 'node:process'` does: chalk's)
// makes a pipe non-blocking (libuv), so the constructor puts fd 1 back in the
// blocking mode it was inherited with.
//   EAGAIN (fd 1 was made non-blocking, by us or by whoever shares the pipe):
//     the rest goes through process.stdout, asynchronously, with its
//     backpressure (`blocked`, `drained()`), for good.
//   EPIPE (the reader is gone: `| head -1`): a normal end, status 0, quietly.
//   Any other error: "stdout: <what>", status 1 (CliError, one line).
import { writeSync } from 'node:fs';
import { CliError } from '../cli-error.js';
import { systemErrorText } from '../cli-context.js';
import { StreamTransport, type Transport } from './stream-transport.js';

export class FdTransport implements Transport {
  private fallback: Transport | null = null;

  constructor(
    private readonly fd: number,
    /** the asynchronous path, made on the first EAGAIN */
    private readonly makeFallback: () => Transport = () => new StreamTransport(process.stdout),
    /** the reader closed the pipe */
    private readonly onClosed: () => void = () => process.exit(0),
  ) {
    if (fd === 1) blockingStdout();
  }

  /** The chunk may be written on by the caller once this returns. */
  write(chunk: Buffer): void {
    if (this.fallback !== null) {
      this.fallback.write(Buffer.from(chunk));
      return;
    }
    let at = 0;
    while (at < chunk.length) {
      try {
        at += writeSync(this.fd, chunk, at, chunk.length - at);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EINTR') continue;
        if (code === 'EPIPE') {
          this.onClosed();
          return;
        }
        // Anything else (ENOSPC into a full disk, EBADF, EIO) ends the command with one line.
        if (code !== 'EAGAIN') throw new CliError(`stdout: ${systemErrorText(err)}`, 1);
        this.fallback = this.makeFallback();
        // A copy: the caller writes on in its buffer, the stream queues this.
        this.fallback.write(Buffer.from(chunk.subarray(at)));
        return;
      }
    }
  }

  get blocked(): boolean {
    return this.fallback?.blocked ?? false;
  }

  drained(): Promise<void> {
    return this.fallback?.drained() ?? Promise.resolve();
  }

  settled(): Promise<void> {
    return this.fallback?.settled() ?? Promise.resolve();
  }
}

/**
 * fd 1 back in blocking mode if process.stdout made it non-blocking (a pipe;
 * a file or terminal has nothing to undo). Without the handle's setBlocking
 * (an internal of libuv's streams) the writes fall back on EAGAIN.
 */
function blockingStdout(): void {
  const handle = (process.stdout as unknown as { _handle?: { setBlocking?: (on: boolean) => number } })._handle;
  handle?.setBlocking?.(true);
}
