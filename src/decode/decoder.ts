// What `lsoe decode` does with each packet of its inputs (the capture reader's
// CaptureSink): Ethernet header, EtherType selection, the LSOE stream, and -c;
// its records go to the shared record printer.
import { hex4, LSOE_ETHERTYPES } from '../ethertype.js';
import { LINKTYPE, type CaptureSink, type PacketView } from '../io/capture-reader.js';
import { macToString, parseEthernet } from '../proto/ethernet.js';
import { LsoeStream, type CookedLink, type RawRecord, type StreamInput } from '../proto/stream.js';
import type { Output } from '../render/output.js';
import { plural } from '../render/plural.js';
import { RecordPrinter } from '../render/record-printer.js';
import type { DecodeOptions } from './options.js';

export class Decoder implements CaptureSink {
  readonly printer: RecordPrinter;
  private readonly stream: LsoeStream;
  /** capture time of the newest frame: what "end of input" is stamped with */
  private lastTime: number | null = null;
  /** frames of the other LSOE EtherType (0x8885 when 0x88b5 is selected, or back), for the hint */
  private readonly otherLsoe = new Map<number, number>();
  /** the EtherTypes selected besides the first (--ethertype 0x88b5,0x8885) */
  private readonly moreEthertypes: ReadonlySet<number>;
  /** records carry their EtherType (-e, or several EtherTypes selected) */
  private readonly keepEthertype: boolean;
  /** what frame() hands the stream, reused (a frame's object made per frame was garbage at once) */
  private readonly input: StreamInput = {
    time: 0,
    ifname: undefined,
    dst: null,
    src: '',
    cooked: undefined,
    ethertype: undefined,
    vlan: undefined,
    payload: Buffer.alloc(0),
    payloadAt: 0,
    payloadEnd: 0,
  };
  /** PDUs printed, for -c */
  private shown = 0;
  /** -c PDUs printed: read no further */
  done = false;

  /**
   * The hint for a capture of the other LSOE EtherType (the README's first example
   * without its flag printed nothing): null when some frame had the selected one.
   */
  otherEthertypeHint(): string | null {
    const tally = this.printer.tally;
    if (tally.frames > tally.nonLsoe || this.otherLsoe.size === 0) return null;
    const [type, n] = [...this.otherLsoe].sort((a, b) => b[1] - a[1])[0]!;
    const whose = type === 0x8885 ? " (the published lsoed's)" : '';
    return `no frame of EtherType ${hex4(this.opts.ethertype)}, but ${plural(n, 'frame')} of EtherType ${hex4(type)}${whose}: add --ethertype ${hex4(type)}`;
  }

  constructor(
    private readonly opts: DecodeOptions,
    out: Output,
  ) {
    this.printer = new RecordPrinter(opts, out);
    this.stream = new LsoeStream({ timeout: opts.reassemblyTimeout });
    this.moreEthertypes = new Set(opts.ethertypes.slice(1));
    this.keepEthertype = opts.link || opts.ethertypes.length > 1;
  }

  /**
   * One Ethernet frame from any input: buf[start, end) (capture packets are
   * views of the read buffer, and no view is made of them here). `time` null:
   * hex input has no timestamps.
   */
  frame(time: number | null, buf: Buffer, start: number, end: number, ifname: string | undefined, cooked?: CookedLink): void {
    if (this.done) return;
    const tally = this.printer.tally;
    tally.frames++;
    // The Ethernet header by hand (parseEthernet only when VLAN tags need skipping): this runs per frame.
    if (end - start < 14) {
      // Too short for an Ethernet header: not ours to judge as LSOE.
      tally.nonLsoe++;
      return;
    }
    let ethertype = (buf[start + 12]! << 8) | buf[start + 13]!;
    let payloadAt = start + 14;
    let vlan: number[] | undefined;
    if (ethertype === 0x8100 || ethertype === 0x88a8 || ethertype === 0x9100) {
      let eth;
      try {
        eth = parseEthernet(buf.subarray(start, end));
      } catch {
        tally.nonLsoe++;
        return;
      }
      ethertype = eth.ethertype;
      payloadAt = end - eth.payload.length;
      vlan = eth.vlanTags;
    }
    if (ethertype !== this.opts.ethertype && !this.moreEthertypes.has(ethertype)) {
      tally.nonLsoe++;
      if ((LSOE_ETHERTYPES as readonly number[]).includes(ethertype)) this.otherLsoe.set(ethertype, (this.otherLsoe.get(ethertype) ?? 0) + 1);
      return;
    }
    const now = time ?? 0;
    if (time !== null) this.lastTime = time;
    const src = macToString(buf, start + 6);
    // A cooked capture did not record the destination: the synthesized one means nothing.
    const dst = cooked === undefined ? macToString(buf, start) : null;
    // pushRaw() reports timed-out pieces first, then what this frame completes.
    // One input object for every frame (the stream keeps none of it): every field written each time.
    const input = this.input;
    input.time = now;
    input.ifname = ifname;
    input.dst = dst;
    input.src = src;
    input.cooked = cooked;
    // the EtherType only when a line may show it (-e, several selected): the common record stays lean
    input.ethertype = this.keepEthertype ? ethertype : undefined;
    input.vlan = vlan;
    input.payload = buf;
    input.payloadAt = payloadAt;
    input.payloadEnd = end;
    const records = this.stream.pushRaw(input);
    if (records.length > 0) this.print(records, time === null);
  }

  /**
   * One packet of a capture (the reader's CaptureSink). The reader calls it for
   * every packet of a batch (a file's: at most 256; a stream's: a chunk's worth)
   * between two steps of decodeInput, so decodeInput (its awaits, the output's
   * rare paths) stays interpreted at one step per batch while this compiles
   * early and on its own. (As decodeInput's
   * loop, round 8, bench 100k typical: the whole decoder was inlined into it,
   * compiled only after ~21,000 records, thrown away at once when the pipe
   * first filled, and compiled again after ~56,000.)
   */
  packet(p: PacketView): void {
    const cooked: CookedLink | undefined =
      p.linkType === LINKTYPE.ETHERNET ? undefined : { direction: p.packetType === 4 ? 'out' : 'in', ifindex: p.ifindex ?? null };
    this.frame(p.time, p.buf, p.start, p.end, p.ifname, cooked);
  }

  /** End of all input: pieces still waiting can never complete. */
  finish(): void {
    if (this.done) return;
    const left = this.stream.expire(Number.POSITIVE_INFINITY);
    for (const rec of left) rec.time = this.lastTime ?? 0;
    this.print(left, this.lastTime === null);
  }

  /** Prints up to -c PDUs in all; once there, `done` says to read no further. */
  private print(records: RawRecord[], timeless: boolean): void {
    if (this.opts.count === null) {
      this.printer.print(records, timeless);
      return;
    }
    this.shown += this.printer.print(records, timeless, this.opts.count - this.shown);
    if (this.shown >= this.opts.count) this.done = true;
  }
}
