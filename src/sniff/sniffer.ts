// The heart of `lsoe sniff`, apart from the OS: frames from any Link in,
// the same records and renderer as `decode` out, plus the capture file and
// the counts for the closing summary. Tests drive it with memory links.
import { plural } from '../render/plural.js';
import type { SniffOptions } from '../commands/sniff.js';
import type { CaptureWriter } from '../io/capture-writer.js';
import type { Link, ReceivedFrame } from '../io/link.js';
import { buildRecordFilter, type RecordFilter } from '../proto/record-filter.js';
import { LsoeStream, type StreamRecord } from '../proto/stream.js';
import type { Output } from '../render/output.js';
import { recordLines } from '../render/pdu-text.js';
import { recordJsonLine } from '../render/record-json.js';
import { Tally } from '../render/tally.js';

export type SniffOutputOptions = Pick<SniffOptions, 'json' | 'verbose' | 'hexdump' | 'count' | 'types' | 'macs' | 'srcs' | 'dsts' | 'reassemblyTimeout'> & {
  /** print records (false with -w unless --print) */
  print: boolean;
};

export class Sniffer {
  readonly tally = new Tally();
  private readonly stream: LsoeStream;
  private readonly filter: RecordFilter;
  private done = false;
  /** PDUs shown (the -c count) */
  private shown = 0;

  constructor(
    private readonly opts: SniffOutputOptions,
    private readonly out: Output,
    private readonly writer: CaptureWriter | null,
    /** called once, when -c PDUs have been seen */
    private readonly onCountReached: () => void,
  ) {
    this.stream = new LsoeStream({ timeout: opts.reassemblyTimeout });
    // Bad specs were rejected when the options were parsed.
    this.filter = buildRecordFilter(opts);
  }

  attach(link: Link): void {
    link.onFrame((f) => this.frame(f));
  }

  frame(f: ReceivedFrame): void {
    if (this.done) return;
    this.tally.frames++;
    this.writer?.writeFrame(f.time, f.raw ?? f.payload);
    this.emit(this.stream.push({ time: f.time, ifname: f.ifname, dst: f.dst, src: f.src, payload: f.payload }));
  }

  /** Reports partial PDUs that waited too long; call now and then with the clock (epoch s). */
  tick(now: number): void {
    if (!this.done) this.emit(this.stream.expire(now));
  }

  /** Stops taking frames (what arrives after -c or a signal is not counted). */
  stop(): void {
    this.done = true;
  }

  /** The closing summary line, with the kernel's drop count. */
  summary(dropped: number): string {
    const t = this.tally;
    const types = [...t.byType].map(([type, n]) => `${type} ${n}`).join(', ');
    return `${plural(t.frames, 'frame')}, ${plural(t.pdus, 'PDU')}${types ? ` (${types})` : ''}, ${plural(t.errors, 'error')}, ${dropped} dropped by the kernel`;
  }

  private emit(records: StreamRecord[]): void {
    for (const rec of records) {
      if (this.done || !this.filter(rec)) continue;
      this.tally.add(rec);
      if (this.opts.print) {
        if (this.out.json) this.out.recordLine(recordJsonLine(rec));
        else for (const line of recordLines(rec, this.out.style, { verbose: this.opts.verbose, hex: this.opts.hexdump })) this.out.line(line);
      }
      if (rec.kind === 'pdu' && this.opts.count !== null && ++this.shown >= this.opts.count) {
        this.done = true;
        this.onCountReached();
      }
    }
  }
}
