// Writes classic pcap (microsecond timestamps, Ethernet link type), the format
// every tool reads (tcpdump, tshark, our own reader). Used by `sniff -w`,
// tests and the benchmark. Records are gathered in a large buffer and written
// in big chunks; `packetBuffered` writes each frame at once instead (like
// tcpdump -U) for a pipe someone reads live.

import { systemErrorText } from '../cli-context.js';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { CaptureError } from './capture-reader.js';

export const PCAP_SNAPLEN = 262144;
const LINKTYPE_ETHERNET = 1;
const CHUNK = 1024 * 1024;

export interface CaptureWriterOptions {
  /** write every frame through at once instead of in 1 MiB chunks */
  packetBuffered?: boolean;
  /** end the Writable on close (default: yes, except for process.stdout) */
  end?: boolean;
}

/** The 24-octet pcap file header (little-endian, as libpcap writes on x86). */
export function pcapFileHeader(snaplen = PCAP_SNAPLEN, linkType = LINKTYPE_ETHERNET): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  // thiszone 0, sigfigs 0
  h.writeUInt32LE(snaplen, 16);
  h.writeUInt32LE(linkType, 20);
  return h;
}

export class CaptureWriter {
  private buf = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private fd: number | null = null;
  private stream: Writable | null = null;
  private streamError: Error | null = null;
  private closed = false;
  private frames = 0;
  private readonly label: string;

  /** `target`: a file path (created or truncated) or a Writable (a file stream, stdout, a socket). */
  constructor(
    target: string | Writable,
    private readonly options: CaptureWriterOptions = {},
  ) {
    if (typeof target === 'string') {
      this.label = target;
      try {
        this.fd = openSync(target, 'w');
      } catch (err) {
        throw new CaptureError(`cannot write ${target}: ${systemErrorText(err, { writing: true })}`);
      }
    } else {
      this.label = 'capture stream';
      this.stream = target;
      // Remember the failure (EPIPE, disk full) and report it on the next write or close.
      target.on('error', (err: Error) => {
        this.streamError ??= err;
      });
    }
    this.append(pcapFileHeader());
    if (this.options.packetBuffered) this.flush();
  }

  /** Number of frames written so far. */
  get count(): number {
    return this.frames;
  }

  /**
   * Append one Ethernet frame. `time` is epoch seconds (float). Frames longer
   * than the snaplen are cut to it; `origLen` defaults to the frame's length
   * (pass the wire length when `frame` is itself a truncated capture).
   */
  writeFrame(time: number, frame: Buffer, origLen = frame.length): void {
    if (this.closed) throw new CaptureError(`${this.label}: write after close`);
    this.throwIfFailed();
    if (!Number.isFinite(time) || time < 0) throw new CaptureError(`${this.label}: bad timestamp ${time}`);
    let sec = Math.floor(time);
    let usec = Math.round((time - sec) * 1e6);
    if (usec >= 1_000_000) {
      sec += 1;
      usec -= 1_000_000;
    }
    const caplen = Math.min(frame.length, PCAP_SNAPLEN);
    if (this.used + 16 + caplen > this.buf.length) this.flush();
    if (16 + caplen > this.buf.length) this.buf = Buffer.allocUnsafe(16 + caplen);
    const b = this.buf;
    let o = this.used;
    b.writeUInt32LE(sec >>> 0, o);
    b.writeUInt32LE(usec, o + 4);
    b.writeUInt32LE(caplen, o + 8);
    b.writeUInt32LE(Math.max(origLen, caplen), o + 12);
    o += 16;
    o += frame.copy(b, o, 0, caplen);
    this.used = o;
    this.frames++;
    if (this.options.packetBuffered) this.flush();
  }

  /** Hand what is buffered to the file or stream. */
  flush(): void {
    if (this.used === 0) return;
    const out = this.buf.subarray(0, this.used);
    if (this.fd !== null) {
      let off = 0;
      while (off < out.length) off += writeSync(this.fd, out, off, out.length - off);
      this.used = 0;
    } else {
      // The stream keeps a reference to the chunk: start a fresh buffer.
      this.stream!.write(out);
      this.buf = Buffer.allocUnsafe(Math.max(CHUNK, this.buf.length));
      this.used = 0;
    }
  }

  /** Flush, then close the file (or end the stream) and wait until it is all written. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
      return;
    }
    const stream = this.stream!;
    const end = this.options.end ?? stream !== (process.stdout as Writable);
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (end) stream.end(done);
      else if (stream.writableNeedDrain) stream.once('drain', () => done());
      else done();
    }).catch((err: unknown) => {
      this.streamError ??= err as Error;
    });
    this.throwIfFailed();
  }

  private append(bytes: Buffer): void {
    bytes.copy(this.buf, this.used);
    this.used += bytes.length;
  }

  private throwIfFailed(): void {
    if (this.streamError) {
      const e = this.streamError as NodeJS.ErrnoException;
      throw new CaptureError(`cannot write ${this.label}: ${systemErrorText(e, { writing: true })}`);
    }
  }
}

/** Write frames to a pcap file in one go (tests, benchmark). */
export async function writeCaptureFile(path: string, frames: Iterable<{ time: number; frame: Buffer }>): Promise<number> {
  const w = new CaptureWriter(path);
  for (const f of frames) w.writeFrame(f.time, f.frame);
  await w.close();
  return w.count;
}
