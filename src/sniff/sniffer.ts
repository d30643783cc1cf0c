// The heart of `lsoe sniff`, apart from the OS: frames from any Link in,
// the same records and record printer as `decode` out, plus the capture file
// and the counts for the closing summary. Tests drive it with memory links.
//
// A slow reader stops the reading, as in decode, not the printing: while the
// output is blocked, frames are not decoded but held, raw and in order, and
// decoded and printed once the reader has caught up. libpcap's poll cannot be
// paused from node-pcap (it would spin on a readable ring), so the hold stands
// in for the kernel ring a paused reader would leave filling, bounded the
// same way: past HOLD_BYTES, frames are dropped and counted ("N dropped while
// the output was blocked"), as the ring's overflow would be. Output is never
// queued beyond the writer's high-water mark; the capture file, if any, still
// gets every frame at once.
import { plural } from '../render/plural.js';
import type { CaptureSink } from '../io/capture-writer.js';
import type { Link, ReceivedFrame } from '../io/link.js';
import { LsoeStream } from '../proto/stream.js';
import type { Output } from '../render/output.js';
import { RecordPrinter } from '../render/record-printer.js';
import type { SniffOptions } from './options.js';

export type SniffOutputOptions = Pick<
  SniffOptions,
  'json' | 'verbose' | 'hexdump' | 'count' | 'types' | 'macs' | 'srcs' | 'dsts' | 'reassemblyTimeout'
> &
  Partial<Pick<SniffOptions, 'time' | 'link'>> & {
  /** print records (false with -w unless --print) */
  print: boolean;
};

/** Octets of frames held while the output is blocked (a kernel ring's worth): past it, frames are dropped and counted. */
export const HOLD_BYTES = 4 * 1024 * 1024;
/** What a held frame costs besides its octets. */
const HELD_OVERHEAD = 128;

export class Sniffer {
  private readonly printer: RecordPrinter;
  private readonly stream: LsoeStream;
  private done = false;
  /** PDUs shown (the -c count) */
  private shown = 0;
  /** frames waiting, in order, for the output to drain */
  private held: ReceivedFrame[] = [];
  private heldBytes = 0;
  /** frames dropped because the hold was full */
  private blockedFrames = 0;

  constructor(
    private readonly opts: SniffOutputOptions,
    private readonly out: Output,
    private readonly writer: CaptureSink | null,
    /** called once, when -c PDUs have been seen */
    private readonly onCountReached: () => void,
  ) {
    this.stream = new LsoeStream({ timeout: opts.reassemblyTimeout });
    // Bad specs were rejected when the options were parsed.
    this.printer = new RecordPrinter({ ...opts, summary: !opts.print }, out);
  }

  get tally() {
    return this.printer.tally;
  }

  attach(link: Link): void {
    link.onFrame((f) => this.frame(f));
  }

  frame(f: ReceivedFrame): void {
    if (this.done) return;
    this.tally.frames++;
    this.writer?.writeFrame(f.time, f.raw ?? f.payload, f.ifname);
    if (this.opts.print && (this.out.blocked || this.held.length > 0)) {
      this.hold(f);
      return;
    }
    this.decode(f);
  }

  /** Frames held now, waiting for the output to drain. */
  get holding(): number {
    return this.held.length;
  }

  /** What the held frames cost against HOLD_BYTES. */
  get heldOctets(): number {
    return this.heldBytes;
  }

  /** Reports partial PDUs that waited too long; call now and then with the clock (epoch s). */
  tick(now: number): void {
    // Not while frames older than `now` wait: they come first.
    if (!this.done && this.held.length === 0) this.print(this.stream.expire(now));
  }

  private decode(f: ReceivedFrame): void {
    this.print(this.stream.pushRaw({ time: f.time, ifname: f.ifname, dst: f.dst, src: f.src, ethertype: f.ethertype, vlan: f.vlan, payload: f.payload }));
  }

  private hold(f: ReceivedFrame): void {
    const cost = f.payload.length + HELD_OVERHEAD;
    if (this.heldBytes + cost > HOLD_BYTES) {
      this.blockedFrames++;
      return;
    }
    // The link may reuse its buffer for the next frame.
    this.held.push({ ...f, payload: Buffer.from(f.payload), raw: undefined });
    this.heldBytes += cost;
    if (this.held.length === 1) void this.out.drained().then(() => this.release());
  }

  /** The output has drained: decode held frames, in order, until it blocks again. */
  private release(): void {
    let i = 0;
    while (i < this.held.length && !this.out.blocked) this.decode(this.held[i++]!);
    this.held = this.held.slice(i);
    this.heldBytes = 0;
    for (const f of this.held) this.heldBytes += f.payload.length + HELD_OVERHEAD;
    if (this.held.length > 0) void this.out.drained().then(() => this.release());
  }

  /** After stop(): prints what is still held, waiting for the reader as it goes. */
  async finishHeld(): Promise<void> {
    while (this.held.length > 0) {
      await this.out.drained();
      this.release();
    }
  }

  /** Stops taking frames (what arrives after -c or a signal is not counted). */
  stop(): void {
    this.done = true;
  }

  /** The closing summary line, with the kernel's drop count. */
  summary(dropped: number): string {
    const t = this.tally;
    const types = [...t.byType].map(([type, n]) => `${type} ${n}`).join(', ');
    const blocked = this.blockedFrames > 0 ? `, ${this.blockedFrames} dropped while the output was blocked` : '';
    return `${plural(t.frames, 'frame')}, ${plural(t.pdus, 'PDU')}${types ? ` (${types})` : ''}, ${plural(t.errors, 'error')}, ${dropped} dropped by the kernel${blocked}`;
  }

  private print(records: Parameters<RecordPrinter['print']>[0]): void {
    if (records.length === 0) return;
    const limit = this.opts.count === null ? Infinity : this.opts.count - this.shown;
    this.shown += this.printer.print(records, false, limit);
    if (this.opts.count !== null && this.shown >= this.opts.count) {
      this.done = true;
      this.onCountReached();
    }
  }
}
