// A captured packet, as the capture parser hands it over (PacketView: one
// reused object, the frame a view valid during the call) and as a record a
// consumer keeps (CaptureRecord). What every capture reader shares: the
// error type, the link types, the sink interface.

export const NS_PER_S = 1_000_000_000n;
const EMPTY = Buffer.alloc(0);

/** The only error the capture parser and readers throw: one line saying what and where. */
export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  constructor(
    message: string,
    /** byte offset in the capture where the problem is, when known */
    readonly offset?: number,
    /** 1-based number of the packet record concerned, when known */
    readonly record?: number,
  ) {
    super(message);
  }
}

export interface CaptureRecord {
  /** epoch seconds (float; exact to the microsecond) */
  time: number;
  /** epoch nanoseconds, exact (not JSON-serializable: pick `time` for JSON) */
  timeNs: bigint;
  /** the pcapng interface's if_name option, when the file has one */
  ifname?: string;
  /** link type of the capture (1, 113 or 276); `frame` is Ethernet in every case */
  linkType: number;
  /**
   * The captured Ethernet frame (may be shorter than origLen: truncated capture).
   * For SLL/SLL2 a synthesized 14-octet Ethernet header + the captured payload.
   */
  frame: Buffer;
  /** length of the packet on the wire (for SLL/SLL2: adjusted to the Ethernet form) */
  origLen: number;
  /** SLL/SLL2 only: Linux packet type (0 host, 1 broadcast, 2 multicast, 3 other host, 4 outgoing) */
  packetType?: number;
  /** SLL2 only: the interface index the kernel recorded */
  ifindex?: number;
}

export const LINKTYPE = { ETHERNET: 1, LINUX_SLL: 113, LINUX_SLL2: 276 } as const;

/**
 * One packet as the parser hands it to a CaptureSink: the Ethernet frame is
 * `buf[start, end)`, a view of the parser's input that is valid only during the
 * call (for a Linux cooked capture, a synthesized frame). The parser has one,
 * written anew for each packet, so reading a packet makes no object (a record
 * object and a view per packet were a third of what a 100k-frame decode
 * allocated): a consumer copies what it keeps (`toRecord` keeps the fields;
 * its frame is still a view of the reader's buffer, good until the next read).
 */
export class PacketView {
  /** epoch seconds (float; exact to the microsecond) */
  time = 0;
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
  /** length on the wire (SLL/SLL2: adjusted to the Ethernet form) */
  origLen = 0;
  linkType: number = LINKTYPE.ETHERNET;
  /** the pcapng interface's if_name option */
  ifname: string | undefined = undefined;
  /** SLL/SLL2 only: Linux packet type */
  packetType: number | undefined = undefined;
  /** SLL2 only: the interface index */
  ifindex: number | undefined = undefined;
  /** the exact time in ns when the format gives it so (pcapng); else null: from sec and nsFrac (pcap) */
  ns: bigint | null = null;
  sec = 0;
  nsFrac = 0;

  /** The packet as a record of its own (its frame a view of the same buffer: valid as long as that is). */
  toRecord(): CaptureRecord {
    const frame = this.start === 0 && this.end === this.buf.length ? this.buf : this.buf.subarray(this.start, this.end);
    const rec = new Packet(this.time, this.ns, this.sec, this.nsFrac, this.linkType, frame, this.origLen);
    if (this.ifname !== undefined) rec.ifname = this.ifname;
    if (this.packetType !== undefined) rec.packetType = this.packetType;
    if (this.ifindex !== undefined) rec.ifindex = this.ifindex;
    return rec;
  }
}

/**
 * What the parser feeds: one call per packet, in order. A consumer that has
 * had enough (decode -c) stops at the reader's next yield, at most a batch
 * later; the reader still throws what it found wrong in between, and decode
 * ignores it once done (decodeInput).
 */
export interface CaptureSink {
  packet(p: PacketView): void;
}

/** A sink that keeps each packet as a record (the frame a view of the parser's input). */
export class RecordCollector implements CaptureSink {
  records: CaptureRecord[] = [];

  packet(p: PacketView): void {
    this.records.push(p.toRecord());
  }

  /** The records so far, and a new list for the next. */
  take(): CaptureRecord[] {
    const r = this.records;
    this.records = [];
    return r;
  }
}

/**
 * A captured packet. Its exact time in nanoseconds is worked out when asked
 * for: three BigInts a record cost more than the rest of reading it, and
 * decode never asks.
 */
export class Packet implements CaptureRecord {
  ifname?: string;
  packetType?: number;
  ifindex?: number;

  constructor(
    public time: number,
    /** the exact time, when known as such (pcapng); else from `sec` and `nsFrac` (pcap) */
    private readonly ns: bigint | null,
    private readonly sec: number,
    private readonly nsFrac: number,
    public linkType: number,
    public frame: Buffer,
    public origLen: number,
  ) {}

  get timeNs(): bigint {
    return this.ns ?? BigInt(this.sec) * NS_PER_S + BigInt(this.nsFrac);
  }
}
