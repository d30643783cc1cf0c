// Reads capture files and streams through the capture parser
// (capture-parser.ts): a Buffer, a regular file with blocking reads of one
// reused buffer, or a stream (stdin, a FIFO). Each way comes in two forms:
// by packet into a CaptureSink (parse…: no object per packet; decode), or as
// records a caller may keep (read…). A file of hundreds of MB is never held
// in memory nor copied. Records already parsed are always delivered before
// an error is thrown, so a caller can print them, then fail.

import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { CaptureError, RecordCollector, type CaptureRecord, type CaptureSink } from './capture-packet.js';
import { CaptureParser } from './capture-parser.js';

export { CaptureError, LINKTYPE, PacketView, type CaptureRecord, type CaptureSink } from './capture-packet.js';
export { CaptureParser, SLL_DST_BROADCAST, SLL_DST_MULTICAST, SLL_DST_UNKNOWN } from './capture-parser.js';

/** Octets read at a time: the blocking reader's one reused buffer, and a stream's chunks. */
const READ_SIZE = 256 * 1024;
/**
 * Packets per batch at most: a batch of records is alive while it is decoded,
 * and thousands of small records at once outlived V8's young generation (were
 * promoted, then grew the old one with garbage); a consumer by packet may wait
 * (for its output) only between batches.
 */
const BATCH_PACKETS = 256;

/** Every record of a capture held in memory; frames are views into `buf`. */
export function* readCapture(buf: Buffer): Generator<CaptureRecord> {
  const parser = new CaptureParser();
  yield* parser.push(buf);
  parser.end();
}

/**
 * Records of a capture in batches (one per chunk read), for consumers that
 * work a chunk at a time: between two batches the consumer may wait (for its
 * output to drain), and reading waits with it. For what may wait for a
 * writer: '-' (stdin), a FIFO or `<(…)`, a device. A regular file is read
 * faster by readCaptureFileBatchesSync. File-system errors come out as
 * one-line CaptureErrors naming the input.
 */
export async function* readCaptureBatches(path: string): AsyncGenerator<CaptureRecord[]> {
  const records = new RecordCollector();
  try {
    for await (const _ of parseCaptureInput(path, records)) yield records.take();
  } catch (err) {
    // Records parsed before an error are still delivered, then the error.
    if (records.records.length > 0) yield records.take();
    throw err;
  }
}

/** readCaptureBatches' way, by packet: each chunk read is parsed into `sink`, then the generator yields (the consumer may wait there). */
export async function* parseCaptureInput(path: string, sink: CaptureSink): AsyncGenerator<void> {
  if (path === '-') {
    yield* parseCaptureStream(process.stdin, 'stdin', sink);
    return;
  }
  const stream = createReadStream(path, { highWaterMark: READ_SIZE });
  try {
    yield* parseCaptureStream(stream, path, sink);
  } finally {
    stream.destroy();
  }
}

/**
 * Batches of a regular file with blocking reads (never stdin or a FIFO, which
 * may wait for a writer): no promise or thread-pool round trip per read, for a
 * consumer that itself lets the event loop in now and then. A batch's frames
 * are views into a buffer the next read reuses: copy what outlives the batch
 * (the reassembler copies the pieces it holds).
 */
export function* readCaptureFileBatchesSync(path: string): Generator<CaptureRecord[]> {
  const records = new RecordCollector();
  try {
    for (const _ of parseCaptureFileSync(path, records)) yield records.take();
  } catch (err) {
    if (records.records.length > 0) yield records.take();
    throw err;
  }
}

/**
 * readCaptureFileBatchesSync's way, by packet: the file is parsed into `sink`,
 * and the generator yields after every BATCH_PACKETS packets or fewer (the
 * consumer may wait there; the views handed over are gone by then).
 */
export function* parseCaptureFileSync(path: string, sink: CaptureSink): Generator<void> {
  const reads = new BatchReads();
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    for (;;) {
      const buf = reads.room();
      const bytesRead = readSync(fd, buf, reads.have, buf.length - reads.have, null);
      if (bytesRead === 0) break;
      yield* reads.parse(bytesRead, sink);
    }
    reads.end();
  } catch (err) {
    throw asCaptureError(err, path);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/**
 * One buffer for every read of a file: the unparsed tail moves to its front
 * and the next read lands after it, so no chunk is allocated, copied or left
 * for the collector (dead chunks waiting for a GC were most of the RSS).
 */
class BatchReads {
  private readonly parser = new CaptureParser();
  private buf = Buffer.allocUnsafeSlow(READ_SIZE);
  /** octets in `buf` not parsed yet */
  have = 0;

  /** The buffer the next read goes into, at `have` (grown for a record larger than it). */
  room(): Buffer {
    if (this.parser.needs > this.buf.length) {
      const bigger = Buffer.allocUnsafeSlow(this.parser.needs);
      this.buf.copy(bigger, 0, 0, this.have);
      this.buf = bigger;
    }
    return this.buf;
  }

  /** After a read of `n` octets: the whole packets into `sink`, a batch at a time; the rest waits for the next read. */
  *parse(n: number, sink: CaptureSink): Generator<void> {
    const buf = this.buf;
    this.have += n;
    if (this.have < this.parser.needs) return;
    let used = 0;
    for (;;) {
      const before = this.parser.count;
      used += this.parser.parseInto(used === 0 ? buf.subarray(0, this.have) : buf.subarray(used, this.have), sink, BATCH_PACKETS);
      const parsed = this.parser.count - before;
      // The consumer is done with this batch's frames before it asks for the next.
      if (parsed > 0) yield;
      if (parsed < BATCH_PACKETS) break;
    }
    buf.copyWithin(0, used, this.have);
    this.have -= used;
  }

  /** End of the file: throws if it ended inside a header or record. */
  end(): void {
    this.parser.end(this.have);
  }
}

/**
 * Batches (one per chunk) from a stream: stdin, a FIFO, a device, a socket.
 * Errors of the stream come out as one-line CaptureErrors naming it (`name`).
 */
export async function* readCaptureStreamBatches(input: AsyncIterable<Buffer | Uint8Array | string>, name: string): AsyncGenerator<CaptureRecord[]> {
  const records = new RecordCollector();
  try {
    for await (const _ of parseCaptureStream(input, name, records)) yield records.take();
  } catch (err) {
    if (records.records.length > 0) yield records.take();
    throw err;
  }
}

/** readCaptureStreamBatches' way, by packet: each chunk is parsed into `sink`, then the generator yields. */
export async function* parseCaptureStream(input: AsyncIterable<Buffer | Uint8Array | string>, name: string, sink: CaptureSink): AsyncGenerator<void> {
  const parser = new CaptureParser();
  try {
    for await (const chunk of input) {
      if (typeof chunk === 'string') {
        throw new CaptureError('capture stream delivers text, not bytes (an encoding is set on it)', parser.count);
      }
      parser.pushInto(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), sink);
      yield;
    }
    parser.end();
  } catch (err) {
    throw asCaptureError(err, name);
  }
}

/** File-system errors become one-line CaptureErrors naming the file (decode's --hex inputs too). */
export function asCaptureError(err: unknown, path: string): unknown {
  if (err instanceof CaptureError) return err;
  const e = err as NodeJS.ErrnoException;
  // A system call's error only (open, read): a sink's own error passes through as it is.
  if (e && typeof e.code === 'string' && typeof e.syscall === 'string') {
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.code;
    return new CaptureError(`cannot read ${path}: ${why}`);
  }
  return err;
}
