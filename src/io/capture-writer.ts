// Writes captures: pcapng (the default of `sniff -w`: one interface block per
// interface, so a multi-interface capture keeps where each frame came from)
// or classic pcap (microsecond timestamps, Ethernet link type). Both are read
// by tcpdump, tshark and our own reader. Used by `sniff -w`, tests and the
// benchmark. Records are gathered in a large buffer and written in big
// chunks; `packetBuffered` writes each frame at once instead (like tcpdump -U)
// for a pipe someone reads live.

import { systemErrorText } from '../cli-context.js';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { CaptureError } from './capture-reader.js';

export const PCAP_SNAPLEN = 262144;
const LINKTYPE_ETHERNET = 1;
const CHUNK = 1024 * 1024;

/** What sniff writes frames to (either format). */
export interface CaptureSink {
  writeFrame(time: number, frame: Buffer, ifname?: string): void;
  close(): Promise<void>;
  /** a stream's reader is behind (more than STREAM_HIGH_WATER waits): stop capturing until drained() */
  readonly blocked?: boolean;
  /** resolves once the stream has written what waited (at once when not blocked) */
  drained?(): Promise<void>;
}

/** Octets handed to a stream and not yet written above which the writer says it is blocked. */
export const STREAM_HIGH_WATER = 1024 * 1024;

export type CaptureFormat = 'pcap' | 'pcapng';

export interface CaptureWriterOptions {
  /** default 'pcap' */
  format?: CaptureFormat;
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

/** pcapng Section Header Block (little-endian, no options, section length unknown). */
function pcapngSectionHeader(): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt32LE(0x0a0d0d0a, 0);
  b.writeUInt32LE(28, 4);
  b.writeUInt32LE(0x1a2b3c4d, 8);
  b.writeUInt16LE(1, 12);
  b.writeUInt16LE(0, 14);
  b.writeBigInt64LE(-1n, 16);
  b.writeUInt32LE(28, 24);
  return b;
}

/** pcapng Interface Description Block: Ethernet, our snaplen, if_name when known (µs timestamps). */
function pcapngInterface(ifname: string | undefined): Buffer {
  const name = ifname === undefined ? Buffer.alloc(0) : Buffer.from(ifname, 'utf8').subarray(0, 0xffff);
  const nameOpt = name.length === 0 ? 0 : 4 + ((name.length + 3) & ~3);
  const len = 16 + nameOpt + 4 + 4;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(1, 0);
  b.writeUInt32LE(len, 4);
  b.writeUInt16LE(LINKTYPE_ETHERNET, 8);
  b.writeUInt32LE(PCAP_SNAPLEN, 12);
  let o = 16;
  if (nameOpt > 0) {
    b.writeUInt16LE(2, o); // if_name
    b.writeUInt16LE(name.length, o + 2);
    name.copy(b, o + 4);
    o += nameOpt;
  }
  o += 4; // opt_endofopt (zeros)
  b.writeUInt32LE(len, o);
  return b;
}

export class CaptureWriter implements CaptureSink {
  private buf = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private fd: number | null = null;
  private stream: Writable | null = null;
  private streamError: Error | null = null;
  private closed = false;
  private frames = 0;
  /** octets handed to the file or stream */
  private flushed = 0;
  private readonly label: string;
  private readonly pcapng: boolean;
  /** pcapng: interface id by name (ids are assigned in the order interfaces are first seen) */
  private readonly interfaces = new Map<string | undefined, number>();

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
    this.pcapng = options.format === 'pcapng';
    this.append(this.pcapng ? pcapngSectionHeader() : pcapFileHeader());
    if (this.options.packetBuffered) this.flush();
  }

  /** True while a stream (sniff -w -) holds more than STREAM_HIGH_WATER its reader has not taken. */
  get blocked(): boolean {
    return this.stream !== null && this.stream.writableLength > STREAM_HIGH_WATER;
  }

  /** Resolves once the stream has written everything it held (at once when not blocked, or failed). */
  drained(): Promise<void> {
    const stream = this.stream;
    if (stream === null || !this.blocked || this.streamError !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        stream.off('drain', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
    });
  }

  /** Number of frames written so far. */
  get count(): number {
    return this.frames;
  }

  /** Octets written so far, headers included (buffered ones too): what `sniff -C` measures. */
  get size(): number {
    return this.flushed + this.used;
  }

  /**
   * Append one Ethernet frame. `time` is epoch seconds (float). Frames longer
   * than the snaplen are cut to it; `origLen` defaults to the frame's length
   * (pass the wire length when `frame` is itself a truncated capture).
   */
  writeFrame(time: number, frame: Buffer, ifname?: string, origLen = frame.length): void {
    if (this.closed) throw new CaptureError(`${this.label}: write after close`);
    if (this.pcapng) {
      this.writeBlock(time, frame, ifname, origLen);
      return;
    }
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

  /** pcapng: an Enhanced Packet Block, after the interface's description block the first time. */
  private writeBlock(time: number, frame: Buffer, ifname: string | undefined, origLen: number): void {
    this.throwIfFailed();
    if (!Number.isFinite(time) || time < 0) throw new CaptureError(`${this.label}: bad timestamp ${time}`);
    let id = this.interfaces.get(ifname);
    if (id === undefined) {
      id = this.interfaces.size;
      this.interfaces.set(ifname, id);
      const idb = pcapngInterface(ifname);
      if (this.used + idb.length > this.buf.length) this.flush();
      this.append(idb);
    }
    const caplen = Math.min(frame.length, PCAP_SNAPLEN);
    const len = 32 + ((caplen + 3) & ~3);
    if (this.used + len > this.buf.length) this.flush();
    if (len > this.buf.length) this.buf = Buffer.allocUnsafe(len);
    const micros = BigInt(Math.round(time * 1e6));
    const b = this.buf;
    const o = this.used;
    b.writeUInt32LE(6, o);
    b.writeUInt32LE(len, o + 4);
    b.writeUInt32LE(id, o + 8);
    b.writeUInt32LE(Number(micros >> 32n), o + 12);
    b.writeUInt32LE(Number(micros & 0xffffffffn), o + 16);
    b.writeUInt32LE(caplen, o + 20);
    b.writeUInt32LE(Math.max(origLen, caplen), o + 24);
    frame.copy(b, o + 28, 0, caplen);
    b.fill(0, o + 28 + caplen, o + len - 4);
    b.writeUInt32LE(len, o + len - 4);
    this.used = o + len;
    this.frames++;
    if (this.options.packetBuffered) this.flush();
  }

  /** Hand what is buffered to the file or stream. */
  flush(): void {
    if (this.used === 0) return;
    const out = this.buf.subarray(0, this.used);
    this.flushed += out.length;
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
