// The heart of `lsoe sniff`, apart from the OS: frames from any Link in,
// the same records and record printer as `decode` out, plus the capture file
// and the counts for the closing summary. Tests drive it with memory links.
//
// A slow reader stops the reading, as in decode, not the printing. With links
// that can pause (packet sockets: PausableLink), sniff stops reading them
// while the output is blocked: no wake-up, no CPU, no memory of ours; the
// kernel holds what arrives in each socket's receive buffer (-B) and drops
// and counts the rest ("N dropped by the kernel (M while the output was
// blocked)"), as tcpdump's ring would. Frames carry the kernel's receive time,
// so records read late keep their time; with several links, what the kernel
// held is read back earliest first across them (merged-read.ts). libpcap's poll cannot be paused from
// node-pcap (it would spin on a readable ring): with libpcap links (no addon)
// frames are instead not decoded but held, raw and in order, bounded the same
// way (past the -B size they are dropped and counted: "N dropped while the
// output was blocked"), and decoded and printed once the reader has caught
// up. Output is never queued beyond the writer's high-water mark. A capture
// written to a stream (-w -) whose reader is behind pauses the links too.
import { plural } from '../render/plural.js';
import type { CaptureSink } from '../io/capture-writer.js';
import { canPause, type Link, type PausableLink, type ReceivedFrame } from '../io/link.js';
import { LsoeStream } from '../proto/stream.js';
import type { Output } from '../render/output.js';
import { RecordPrinter } from '../render/record-printer.js';
import type { SniffOptions } from './options.js';
import { MergedRead } from './merged-read.js';

export type SniffOutputOptions = Pick<
  SniffOptions,
  'json' | 'verbose' | 'hexdump' | 'count' | 'types' | 'macs' | 'srcs' | 'dsts' | 'reassemblyTimeout'
> &
  Partial<Pick<SniffOptions, 'time' | 'link' | 'bufferSize'>> & {
  /** print records (false with -w unless --print) */
  print: boolean;
};

/**
 * Octets held while the output is blocked, by default (-B): by the kernel for
 * links that pause, by the hold otherwise; past it, frames are dropped and counted.
 */
export const HOLD_BYTES = 4 * 1024 * 1024;
/** What a held frame costs besides its octets. */
const HELD_OVERHEAD = 128;
/** Frames read from a kernel queue at a time outside its poll (at the stop, between waits for the reader; at a tick). */
const FINAL_READ = 64;

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
  /** the links, while every one can pause (null once one cannot: the hold then plays the kernel's part) */
  private pausable: PausableLink[] | null = [];
  /** the links are paused until the output drains */
  private paused = false;
  /** the kernel's drop count when they were paused, and what it dropped while they were */
  private dropsAtPause = 0;
  private blockedDrops = 0;
  /** set by stop(): frames the kernel received until then are still taken when sniff finishes */
  private stoppedAt: number | null = null;
  /** finish() is reading what the kernel queued before the stop */
  private takingQueued = false;
  /** finish() met a frame received after the stop */
  private pastStop = false;
  /** with several links: what the kernel held is read back in capture order across them */
  private merged: MergedRead | null = null;
  /** the links are paused and their queues read back (merged) until empty */
  private catchingUp = false;

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
    if (canPause(link)) {
      this.pausable?.push(link);
      link.onFrame((f) => {
        if (!this.merged?.intercept(link, f)) this.frame(f);
      });
    } else {
      this.pausable = null;
      link.onFrame((f) => this.frame(f));
    }
    this.merged = this.pausable !== null && this.pausable.length > 1 ? new MergedRead(this.pausable) : null;
  }

  frame(f: ReceivedFrame): void {
    if (this.done) {
      if (!this.takingQueued) return;
      if (f.time > this.stoppedAt!) {
        this.pastStop = true;
        return;
      }
    }
    this.tally.frames++;
    this.writer?.writeFrame(f.time, f.raw ?? f.payload, f.ifname);
    if (this.opts.print && this.pausable === null && (this.out.blocked || this.held.length > 0)) {
      this.hold(f);
      return;
    }
    this.decode(f);
    if (this.readerBehind && !this.done && !this.catchingUp) this.pauseLinks();
  }

  /** A reader is behind: the printed records' (with print), or the capture stream's (-w -). */
  private get readerBehind(): boolean {
    return (this.opts.print && this.out.blocked) || this.writer?.blocked === true;
  }

  /** Resolves once no reader is behind. */
  private async readersCaughtUp(): Promise<void> {
    while (this.readerBehind) await Promise.all([this.out.drained(), this.writer?.drained?.()]);
  }

  /** True while the links are paused for the reader. */
  get pausedForOutput(): boolean {
    return this.paused;
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
    if (this.done || this.held.length > 0 || this.paused) return;
    // A read that stopped at its share of a wake-up may have left frames, or
    // may have taken the last ones (the poll then never fires again): read on.
    for (const l of this.pausable ?? []) if (l.behind && !this.paused) l.readQueued(FINAL_READ);
    // Not while frames older than `now` wait (held, or in the kernel): they come first.
    if (this.paused || this.pausable?.some((l) => l.behind)) return;
    this.print(this.stream.expire(now));
  }

  /** The kernel's drop count over every link (links add up what they take from it). */
  private kernelDrops(): number {
    return (this.pausable ?? []).reduce((n, l) => n + l.stats().dropped, 0);
  }

  private pauseLinks(): void {
    if (this.paused || this.pausable === null) return;
    this.paused = true;
    this.dropsAtPause = this.kernelDrops();
    for (const l of this.pausable) l.pause(true);
    void this.readersCaughtUp().then(() => this.resumeLinks());
  }

  private resumeLinks(): void {
    if (!this.paused || this.catchingUp) return;
    if (this.merged !== null && !this.done) void this.catchUp(this.merged);
    else this.pollAgain();
  }

  private pollAgain(): void {
    this.paused = false;
    this.blockedDrops += this.kernelDrops() - this.dropsAtPause;
    // Once stopped, finish() reads what is left itself.
    if (!this.done) for (const l of this.pausable!) l.pause(false);
  }

  /** Several links: read back what the kernel held, in capture order, at the reader's pace; then poll again. */
  private async catchUp(merged: MergedRead): Promise<void> {
    this.catchingUp = true;
    let more = true;
    while (more && !this.done) {
      await this.readersCaughtUp();
      if (this.done) break;
      more = merged.read(FINAL_READ, (f) => (this.frame(f), true), () => this.readerBehind);
      // the output goes out between batches
      if (more) await new Promise((resolve) => setImmediate(resolve));
    }
    this.catchingUp = false;
    this.pollAgain();
  }

  private decode(f: ReceivedFrame): void {
    this.print(this.stream.pushRaw({ time: f.time, ifname: f.ifname, dst: f.dst, src: f.src, ethertype: f.ethertype, vlan: f.vlan, payload: f.payload }));
  }

  private hold(f: ReceivedFrame): void {
    const cost = f.payload.length + HELD_OVERHEAD;
    if (this.heldBytes + cost > (this.opts.bufferSize ?? HOLD_BYTES)) {
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

  /**
   * After stop(): prints what was captured before it and not printed yet,
   * waiting for the reader as it goes: frames held, or frames the kernel
   * queued while the links were paused (received before the stop).
   */
  async finish(): Promise<void> {
    while (this.held.length > 0) {
      await this.out.drained();
      this.release();
    }
    const links = this.pausable ?? [];
    const countReached = this.opts.count !== null && this.shown >= this.opts.count;
    if (this.stoppedAt === null || countReached) return;
    this.takingQueued = true;
    if (this.merged !== null) {
      const merged = this.merged;
      // frames received after the stop end the reading of their link
      const take = (f: ReceivedFrame): boolean => {
        this.pastStop = false;
        this.frame(f);
        return !this.pastStop;
      };
      for (let more = true; more; ) {
        await this.readersCaughtUp();
        more = merged.read(FINAL_READ, take, () => this.readerBehind);
      }
    } else {
      for (const l of links) {
        this.pastStop = false;
        let more = true;
        while (more && !this.pastStop) {
          await this.readersCaughtUp();
          more = l.readQueued(FINAL_READ);
        }
      }
    }
    this.takingQueued = false;
    // (pollAgain polls nothing once stopped: it only closes the pause's drop count)
    if (this.paused) this.pollAgain();
  }

  /**
   * Stops taking frames: what arrives after -c or a signal is not counted; on
   * a signal (`now`: the clock, epoch s), what the kernel received until then
   * still is, by finish().
   */
  stop(now: number | null = null): void {
    if (this.done && this.stoppedAt !== null) return;
    this.stoppedAt = this.done ? null : now;
    this.done = true;
    // From now on only finish() reads, at the reader's pace.
    for (const l of this.pausable ?? []) l.pause(true);
  }

  /** The closing summary line, with the kernel's drop count. */
  summary(dropped: number): string {
    const t = this.tally;
    const types = [...t.byType].map(([type, n]) => `${type} ${n}`).join(', ');
    const whileBlocked = this.blockedDrops > 0 ? ` (${this.blockedDrops} while the output was blocked)` : '';
    const held = this.blockedFrames > 0 ? `, ${this.blockedFrames} dropped while the output was blocked` : '';
    return `${plural(t.frames, 'frame')}, ${plural(t.pdus, 'PDU')}${types ? ` (${types})` : ''}, ${plural(t.errors, 'error')}, ${dropped} dropped by the kernel${whileBlocked}${held}`;
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
