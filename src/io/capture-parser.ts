// The capture parser: pcap (µs and ns magic, either byte order) and pcapng
// (any number of sections and interfaces, EPB / SPB / OPB packets, other
// blocks skipped). Every packet comes out as an Ethernet frame, whatever the
// link type was (Linux cooked SLL / SLL2 get a synthesized Ethernet header).
//
// Incremental: bytes are pushed in, whole packets come out (to a CaptureSink),
// and an incomplete tail waits for more bytes, so one parser serves a Buffer,
// a stream and a file read a chunk at a time (capture-reader.ts). Packets
// parsed before an error are handed over before it is thrown.
import { CaptureError, LINKTYPE, NS_PER_S, PacketView, RecordCollector, type CaptureRecord, type CaptureSink } from './capture-packet.js';

const SUPPORTED_LINKTYPES: ReadonlySet<number> = new Set(Object.values(LINKTYPE));

/**
 * Destination MAC synthesized for cooked captures, which do not record it.
 * Broadcast is known exactly; for multicast only the group bit is known, so
 * 01:00:00:00:00:00 (multicast, group unknown); otherwise all zeros (unicast, unknown).
 */
export const SLL_DST_UNKNOWN = Buffer.from([0, 0, 0, 0, 0, 0]);
export const SLL_DST_MULTICAST = Buffer.from([1, 0, 0, 0, 0, 0]);
export const SLL_DST_BROADCAST = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAP_MAGIC_MODIFIED = 0xa1b2cd34; // Kuznetzov's patched pcap (different record header)
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_OPB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const OPT_ENDOFOPT = 0;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
/** Refuse absurd lengths up front rather than wait (streaming) for gigabytes that never come. */
const MAX_RECORD = 64 * 1024 * 1024;

interface Interface {
  linkType: number;
  snaplen: number;
  ifname?: string;
  /** timestamp units per second are 10^exp10 or 2^exp2 */
  tsresol: { base: 10 | 2; exp: number };
  tsoffsetNs: bigint;
}

type State =
  | { kind: 'start' }
  | { kind: 'pcap'; le: boolean; nanos: boolean; iface: Interface }
  | { kind: 'pcapng'; le: boolean; ifaces: Interface[] };

const DROP: CaptureSink = { packet() {} };

/**
 * Incremental parser. `pushInto(chunk, sink)` hands `sink` every packet
 * completed by the bytes so far; `end()` throws if the input stopped in the
 * middle of one. Hot path: a step returns how many octets it used (or,
 * negative, how many it needs) and hands its packet over itself, in the one
 * PacketView, so no object is made per step.
 */
export class CaptureParser {
  private state: State = { kind: 'start' };
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** bytes the next unit needs before it can be parsed */
  private need = 4;
  /** absolute offset of pending[0][0] */
  private base = 0;
  private records = 0;
  /** where the current step hands its packet */
  private sink: CaptureSink = DROP;
  /** packets handed over by the current parseInto */
  private handed = 0;
  private readonly view = new PacketView();

  /** Number of packets handed over so far. */
  get count(): number {
    return this.records;
  }

  /** Records completed by `chunk`, one at a time. */
  *push(chunk: Buffer): Generator<CaptureRecord> {
    const out = new RecordCollector();
    try {
      this.pushInto(chunk, out);
    } finally {
      // Records parsed before an error still come out, then the error.
      yield* out.records;
    }
  }

  /**
   * Hands `sink` every packet completed by `chunk` (frames are views into the
   * chunk). On an error, the packets parsed before it have been handed over.
   */
  pushInto(chunk: Buffer, sink: CaptureSink): void {
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingLen += chunk.length;
    // Collect small chunks until the next unit fits, so a large block does not
    // cost a concat per chunk.
    if (this.pendingLen < this.need) return;
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingLen);
    this.pending = [];
    this.pendingLen = 0;
    try {
      this.parseInto(buf, sink);
    } finally {
      // Keep the unparsed tail (also when we throw).
      if (this.used < buf.length) {
        this.pending = [buf.subarray(this.used)];
        this.pendingLen = buf.length - this.used;
      }
    }
  }

  /** Octets the unit after those parsed needs, whole, before it can be parsed. */
  get needs(): number {
    return this.need;
  }

  /** Octets of the last parseInto's input it used (also when it threw). */
  private used = 0;

  /**
   * For a reader that keeps the unparsed tail itself (one buffer reused for
   * every read, no copy of each chunk): hands the packets of `buf` to `sink`
   * and returns how many octets it used. The rest must come first in the next
   * call, followed by more input (`needs` says how much is wanted). Stops
   * after `max` packets.
   */
  parseInto(buf: Buffer, sink: CaptureSink, max = Infinity): number {
    this.sink = sink;
    this.handed = 0;
    let pos = 0;
    try {
      while (this.handed < max) {
        const used = this.step(buf, pos);
        if (used < 0) {
          this.need = -used;
          break;
        }
        pos += used;
      }
    } finally {
      this.used = pos;
      this.base += pos;
      this.sink = DROP;
    }
    return pos;
  }

  /** The view, filled in by the step, to the sink. */
  private emit(): void {
    this.records++;
    this.handed++;
    this.sink.packet(this.view);
  }

  /**
   * Call at end of input: throws if it ended inside a header or record.
   * `left`: octets a parseInto caller still holds unparsed.
   */
  end(left = this.pendingLen): void {
    this.pendingLen = left;
    if (this.state.kind === 'start') {
      // With 4 bytes or more the magic was recognised (push throws otherwise).
      throw new CaptureError(
        this.pendingLen === 0
          ? 'not a pcap or pcapng file (empty input)'
          : this.pendingLen < 4
            ? `not a pcap or pcapng file (only ${this.pendingLen} bytes)`
            : `truncated pcap file header at offset 0 (${this.pendingLen} of 24 bytes)`,
        0,
      );
    }
    if (this.pendingLen > 0) {
      throw new CaptureError(
        `truncated record at offset ${this.base} (record ${this.records + 1}: ` +
          `${this.pendingLen} of ${this.need} bytes present)`,
        this.base,
        this.records + 1,
      );
    }
  }

  private step(buf: Buffer, pos: number): number {
    const avail = buf.length - pos;
    const at = this.base + pos;
    const s = this.state;
    if (s.kind === 'start') return this.stepStart(buf, pos, avail, at);
    if (s.kind === 'pcap') return this.stepPcap(s, buf, pos, avail, at);
    return this.stepPcapng(s, buf, pos, avail, at);
  }

  private stepStart(buf: Buffer, pos: number, avail: number, at: number): number {
    if (avail < 4) return -4;
    const magicBE = buf.readUInt32BE(pos);
    const magicLE = buf.readUInt32LE(pos);
    if (magicBE === PCAPNG_SHB) {
      // The SHB is parsed (and the byte order learned) by the pcapng step.
      this.state = { kind: 'pcapng', le: true, ifaces: [] };
      return 0;
    }
    const magic = [PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAP_MAGIC_MODIFIED].includes(magicBE) ? magicBE : magicLE;
    const le = magic === magicLE && magic !== magicBE;
    if (magic === PCAP_MAGIC_MODIFIED) {
      throw new CaptureError(`unsupported pcap variant (modified pcap, magic 0x${hex32(magicBE)}) at offset ${at}`, at);
    }
    if (magic !== PCAP_MAGIC_US && magic !== PCAP_MAGIC_NS) {
      throw new CaptureError(`not a pcap or pcapng file (magic 0x${hex32(magicBE)})`, at);
    }
    if (avail < 24) return -24;
    const u32 = (o: number) => u32At(buf, pos + o, le);
    // The link type field's top bits carry FCS information (LT_FCS_*): ignored,
    // as LSOE trusts its own length and ignores trailing octets.
    const linkType = u32(20) & 0x03ffffff;
    if (!SUPPORTED_LINKTYPES.has(linkType)) {
      throw new CaptureError(`unsupported link type ${linkType} (pcap header at offset ${at + 20})`, at + 20);
    }
    this.state = {
      kind: 'pcap',
      le,
      nanos: magic === PCAP_MAGIC_NS,
      iface: { linkType, snaplen: u32(16), tsresol: { base: 10, exp: 6 }, tsoffsetNs: 0n },
    };
    return 24;
  }

  private stepPcap(s: Extract<State, { kind: 'pcap' }>, buf: Buffer, pos: number, avail: number, at: number): number {
    if (avail < 16) return -16;
    // Per packet: no closure and no object (the one view is written anew).
    const le = s.le;
    const caplen = u32At(buf, pos + 8, le);
    const recno = this.records + 1;
    if (caplen > MAX_RECORD) {
      throw new CaptureError(`record ${recno} at offset ${at}: captured length ${caplen} is not plausible`, at, recno);
    }
    if (avail < 16 + caplen) return -(16 + caplen);
    const sec = u32At(buf, pos, le);
    const frac = u32At(buf, pos + 4, le);
    const origLen = u32At(buf, pos + 12, le);
    const nsFrac = s.nanos ? frac : frac * 1000;
    const v = this.view;
    v.time = sec + nsFrac / 1e9;
    v.ns = null;
    v.sec = sec;
    v.nsFrac = nsFrac;
    toEthernet(s.iface, buf, pos + 16, pos + 16 + caplen, origLen, v, at, recno);
    this.emit();
    return 16 + caplen;
  }

  private stepPcapng(s: Extract<State, { kind: 'pcapng' }>, buf: Buffer, pos: number, avail: number, at: number): number {
    if (avail < 12) return -12;
    if (buf.readUInt32BE(pos) === PCAPNG_SHB) {
      // A new section: byte order may change, interface ids restart.
      const bom = buf.readUInt32LE(pos + 8);
      if (bom === PCAPNG_BOM) s.le = true;
      else if (buf.readUInt32BE(pos + 8) === PCAPNG_BOM) s.le = false;
      else throw new CaptureError(`bad pcapng byte-order magic 0x${hex32(buf.readUInt32BE(pos + 8))} at offset ${at + 8}`, at + 8);
      s.ifaces = [];
    }
    const le = s.le;
    const u32 = (o: number) => u32At(buf, pos + o, le);
    const u16 = (o: number) => (le ? buf.readUInt16LE(pos + o) : buf.readUInt16BE(pos + o));
    const type = u32(0);
    const len = u32(4);
    if (len < 12 || len % 4 !== 0 || len > MAX_RECORD) {
      throw new CaptureError(`bad pcapng block length ${len} (block type 0x${type.toString(16).padStart(8, '0')}) at offset ${at}`, at);
    }
    if (avail < len) return -len;
    if (u32(len - 4) !== len) {
      throw new CaptureError(`pcapng block at offset ${at}: trailing length ${u32(len - 4)} differs from ${len}`, at);
    }
    const bodyEnd = pos + len - 4;
    const recno = this.records + 1;
    const tooShort = (min: number, what: string) => {
      if (len < min) throw new CaptureError(`${what} at offset ${at} too short (${len} bytes)`, at, recno);
    };
    switch (type) {
      case BLOCK_IDB: {
        tooShort(20, 'interface description block');
        const iface: Interface = {
          linkType: u16(8),
          snaplen: u32(12),
          tsresol: { base: 10, exp: 6 },
          tsoffsetNs: 0n,
        };
        readIdbOptions(buf, pos + 16, bodyEnd, le, iface);
        s.ifaces.push(iface);
        return len;
      }
      case BLOCK_EPB:
      case BLOCK_OPB: {
        tooShort(32, type === BLOCK_EPB ? 'enhanced packet block' : 'packet block');
        // OPB: 16-bit interface id + 16-bit drop count where EPB has a 32-bit id.
        const ifid = type === BLOCK_EPB ? u32(8) : u16(8);
        const iface = interfaceFor(s, ifid, at, recno);
        const caplen = u32(20);
        if (28 + caplen > len - 4) {
          throw new CaptureError(`record ${recno} at offset ${at}: captured length ${caplen} exceeds its block`, at, recno);
        }
        const units = (BigInt(u32(12)) << 32n) | BigInt(u32(16));
        const timeNs = unitsToNs(units, iface);
        const v = this.view;
        v.time = nsToSeconds(timeNs);
        v.ns = timeNs;
        toEthernet(iface, buf, pos + 28, pos + 28 + caplen, u32(24), v, at, recno);
        this.emit();
        return len;
      }
      case BLOCK_SPB: {
        tooShort(16, 'simple packet block');
        const iface = interfaceFor(s, 0, at, recno);
        const origLen = u32(8);
        // SPB has no captured length: it is the smaller of the packet length,
        // the interface's snaplen (0 = none) and the room in the block.
        let caplen = Math.min(origLen, len - 16);
        if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
        // No timestamp in an SPB: time 0 says "unknown".
        const v = this.view;
        v.time = 0;
        v.ns = 0n;
        toEthernet(iface, buf, pos + 12, pos + 12 + caplen, origLen, v, at, recno);
        this.emit();
        return len;
      }
      default:
        // SHB (already handled above), statistics, name resolution, custom, …
        return len;
    }
  }
}

/**
 * The 32-bit field at `at` (the caller has checked it is there), by hand: four
 * of Node's readUInt32LE/BE calls a record, each with its own checks, were
 * calls into Node's buffer code until optimised, and a TurboFan job of their own.
 */
function u32At(buf: Buffer, at: number, le: boolean): number {
  return le
    ? (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0
    : ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

function interfaceFor(s: Extract<State, { kind: 'pcapng' }>, ifid: number, at: number, recno: number): Interface {
  const iface = s.ifaces[ifid];
  if (!iface) {
    throw new CaptureError(`record ${recno} at offset ${at}: no interface ${ifid} described in this section`, at, recno);
  }
  if (!SUPPORTED_LINKTYPES.has(iface.linkType)) {
    throw new CaptureError(`unsupported link type ${iface.linkType} (record ${recno} at offset ${at})`, at, recno);
  }
  return iface;
}

function readIdbOptions(buf: Buffer, pos: number, end: number, le: boolean, iface: Interface): void {
  while (pos + 4 <= end) {
    const code = le ? buf.readUInt16LE(pos) : buf.readUInt16BE(pos);
    const olen = le ? buf.readUInt16LE(pos + 2) : buf.readUInt16BE(pos + 2);
    const value = buf.subarray(pos + 4, Math.min(end, pos + 4 + olen));
    if (code === OPT_ENDOFOPT) break;
    if (code === OPT_IF_NAME) iface.ifname = value.toString('utf8').replace(/\0+$/, '');
    if (code === OPT_IF_TSRESOL && value.length >= 1) {
      const v = value[0]!;
      iface.tsresol = v & 0x80 ? { base: 2, exp: v & 0x7f } : { base: 10, exp: v };
    }
    if (code === OPT_IF_TSOFFSET && value.length >= 8) {
      iface.tsoffsetNs = (le ? value.readBigInt64LE(0) : value.readBigInt64BE(0)) * NS_PER_S;
    }
    pos += 4 + ((olen + 3) & ~3);
  }
}

function unitsToNs(units: bigint, iface: Interface): bigint {
  const { base, exp } = iface.tsresol;
  let ns: bigint;
  if (base === 2) ns = (units * NS_PER_S) >> BigInt(exp);
  else if (exp <= 9) ns = units * 10n ** BigInt(9 - exp);
  else ns = units / 10n ** BigInt(exp - 9);
  return ns + iface.tsoffsetNs;
}

function nsToSeconds(ns: bigint): number {
  return Number(ns / NS_PER_S) + Number(ns % NS_PER_S) / 1e9;
}

/**
 * Fills in `v` with one captured packet (buf[start, end), as captured, of the
 * interface's link type) as an Ethernet frame.
 */
function toEthernet(iface: Interface, buf: Buffer, start: number, end: number, origLen: number, v: PacketView, at: number, recno: number): void {
  v.linkType = iface.linkType;
  v.ifname = iface.ifname;
  v.packetType = undefined;
  v.ifindex = undefined;
  v.origLen = origLen;
  if (iface.linkType === LINKTYPE.ETHERNET) {
    v.buf = buf;
    v.start = start;
    v.end = end;
    return;
  }
  const data = buf.subarray(start, end);
  // Linux cooked headers:
  //   SLL  (16): packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2)
  //   SLL2 (20): protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8)
  const sll2 = iface.linkType === LINKTYPE.LINUX_SLL2;
  const hdr = sll2 ? 20 : 16;
  if (data.length < hdr) {
    throw new CaptureError(
      `record ${recno} at offset ${at}: ${sll2 ? 'SLL2' : 'SLL'} header truncated (${data.length} of ${hdr} bytes)`,
      at,
      recno,
    );
  }
  const packetType = sll2 ? data[10]! : data.readUInt16BE(0);
  const addrLen = sll2 ? data[11]! : data.readUInt16BE(4);
  const addrAt = sll2 ? 12 : 6;
  const protocol = sll2 ? data.readUInt16BE(0) : data.readUInt16BE(14);
  const frame = Buffer.alloc(14 + data.length - hdr);
  (packetType === 1 ? SLL_DST_BROADCAST : packetType === 2 ? SLL_DST_MULTICAST : SLL_DST_UNKNOWN).copy(frame, 0);
  data.copy(frame, 6, addrAt, addrAt + Math.min(6, addrLen)); // shorter addresses stay zero-padded
  frame.writeUInt16BE(protocol, 12);
  data.copy(frame, 14, hdr);
  v.buf = frame;
  v.start = 0;
  v.end = frame.length;
  v.origLen = Math.max(0, origLen - hdr) + 14;
  v.packetType = packetType;
  if (sll2) v.ifindex = data.readUInt32BE(4);
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}
