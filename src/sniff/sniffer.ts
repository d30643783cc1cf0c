// The heart of `lsoe sniff`, apart from the OS: frames from any Link in,
// the same records and record printer as `decode` out, plus the capture file
// and the counts for the closing summary. Tests drive it with memory links.
//
// A live capture cannot wait for a slow reader the way decode waits on a
// file: while the output is blocked, frames are not decoded or printed but
// counted ("not printed: output blocked"), so memory stays flat; the capture
// file, if any, still gets every frame.
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

export class Sniffer {
  private readonly printer: RecordPrinter;
  private readonly stream: LsoeStream;
  private done = false;
  /** PDUs shown (the -c count) */
  private shown = 0;
  /** frames skipped while the output was blocked */
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
    if (this.opts.print && this.out.blocked) {
      this.blockedFrames++;
      return;
    }
    this.print(this.stream.pushRaw({ time: f.time, ifname: f.ifname, dst: f.dst, src: f.src, ethertype: f.ethertype, vlan: f.vlan, payload: f.payload }));
  }

  /** Reports partial PDUs that waited too long; call now and then with the clock (epoch s). */
  tick(now: number): void {
    if (!this.done) this.print(this.stream.expire(now));
  }

  /** Stops taking frames (what arrives after -c or a signal is not counted). */
  stop(): void {
    this.done = true;
  }

  /** The closing summary line, with the kernel's drop count. */
  summary(dropped: number): string {
    const t = this.tally;
    const types = [...t.byType].map(([type, n]) => `${type} ${n}`).join(', ');
    const blocked = this.blockedFrames > 0 ? `, ${this.blockedFrames} not printed (output blocked)` : '';
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
