// LsoeStream: received Ethernet payloads in, records out (a reassembled PDU's
// octets, or one error each), reassembling per sender. Used by decode, sniff,
// hello and the daemon alike, so every consumer sees the same records and the
// same reasons. pushRaw() leaves the PDU undecoded: the consumer walks it into
// the sink it needs (decode --json writes JSON bytes straight from the octets);
// push() decodes it into the model.
import { DecodeError } from './errors.js';
import { DEFAULT_ETHERTYPE, parseEthernet } from './ethernet.js';
import { isWholePdu, Reassembler, type ReassemblyOptions, type ReassemblyStats } from './fragment.js';
import { decodeFrame, type LsoeFrame } from './frame.js';
import { decodePdu } from './pdu/index.js';
import type { Pdu } from './types.js';

/** What a Linux cooked capture (SLL/SLL2) records instead of a destination MAC. */
export interface CookedLink {
  direction: 'in' | 'out';
  /** SLL2 only: the interface index; null for SLL */
  ifindex: number | null;
}

export interface StreamInput {
  /** seconds (capture or clock time; also drives the reassembly timeout) */
  time: number;
  ifname?: string;
  /** null: not recorded (Linux cooked captures) */
  dst: string | null;
  cooked?: CookedLink;
  src: string;
  /** when given and the stream has an ethertype, other EtherTypes are skipped; kept in the record */
  ethertype?: number;
  /** 802.1Q/802.1ad VLAN IDs the frame carried, outermost first; kept in the record */
  vlan?: number[];
  /** octets after the EtherType (from `payloadAt`) */
  payload: Buffer;
  /** where in `payload` the LSOE frame starts (default 0): a decoder passes the whole Ethernet frame and saves a view */
  payloadAt?: number;
  /** where in `payload` the received octets end (default: its length): a decoder passes its read buffer and saves a view */
  payloadEnd?: number;
}

export interface RecordBase {
  time: number;
  ifname?: string;
  src: string;
  /** null: the capture did not record it (Linux cooked captures; see `cooked`) */
  dst: string | null;
  cooked?: CookedLink;
  /** the EtherType it came with (given by the caller: decode -e or several EtherTypes, sniff) */
  ethertype?: number;
  /** VLAN IDs, outermost first (given by the caller; none: untagged or unknown) */
  vlan?: number[];
}
/** A reassembled PDU, not decoded yet. */
export interface RawPduRecord extends RecordBase {
  kind: 'pdu';
  /** the frames it came in, in number order */
  frames: LsoeFrame[];
  /** the PDU octets (a view into the input for a single-frame PDU) */
  bytes: Buffer;
}
export interface PduRecord extends RawPduRecord {
  pdu: Pdu;
}
export interface ErrorRecord extends RecordBase {
  kind: 'error';
  error: DecodeError;
}
export type StreamRecord = PduRecord | ErrorRecord;
export type RawRecord = RawPduRecord | ErrorRecord;

export interface LsoeStreamOptions extends ReassemblyOptions {
  /** EtherType to keep; unset keeps everything (the caller filters) */
  ethertype?: number;
  /** whether a sender has an open session (its one PDU is reserved in reassembly); none: nobody */
  reserved?: (ifname: string | undefined, src: string) => boolean;
}

/** A raw record decoded: the PDU model, or the error record of a PDU that does not decode. */
export function decodeRecord(rec: RawRecord): StreamRecord {
  if (rec.kind === 'error') return rec;
  try {
    (rec as PduRecord).pdu = decodePdu(rec.bytes);
    return rec as PduRecord;
  } catch (e) {
    return pduErrorRecord(rec, asDecodeError(e));
  }
}

/** The error record of a reassembled PDU that does not decode. */
export function pduErrorRecord(rec: RawPduRecord, error: DecodeError): ErrorRecord {
  return { kind: 'error', ...recordBase(rec.time, rec.ifname, rec.src, rec.dst, rec.cooked, rec), error };
}

export class LsoeStream {
  private readonly reassembler: Reassembler;
  private readonly ethertype: number | undefined;
  private readonly reserved: ((ifname: string | undefined, src: string) => boolean) | undefined;
  /** where each sender's last frame came from, for expiry records */
  private readonly senders = new Map<string, RecordBase>();

  constructor(options: LsoeStreamOptions = {}) {
    // an evicted sender's record goes with its pieces (else the map would grow with the flood)
    this.reassembler = new Reassembler({
      ...options,
      onDrop: (reason, sender) => {
        this.senders.delete(sender);
        options.onDrop?.(reason, sender);
      },
    });
    this.ethertype = options.ethertype;
    this.reserved = options.reserved;
  }

  /** One frame in; decoded records out (expired partial PDUs first). */
  push(input: StreamInput): StreamRecord[] {
    const out = this.pushRaw(input);
    for (let i = 0; i < out.length; i++) out[i] = decodeRecord(out[i]!);
    return out as StreamRecord[];
  }

  /** One frame in; raw records out (expired partial PDUs first): PDUs are left undecoded. */
  pushRaw(input: StreamInput): RawRecord[] {
    const { time, ifname, src, dst, cooked } = input;
    // NO_RECORDS (shared, frozen) unless something expired: no array is made for a frame that completes nothing
    const expired: RawRecord[] = this.expire(time);
    if (this.ethertype !== undefined && input.ethertype !== undefined && input.ethertype !== this.ethertype) {
      return expired;
    }
    const sender = ifname === undefined ? src : ifname + src;
    try {
      const frame = decodeFrame(input.payload, input.payloadAt, input.payloadEnd);
      // A single-frame PDU is complete as it is (the Reassembler's first rule, applied here
      // so that the common frame makes no Reassembled object): its octets are the frame's
      // payload, a view of the caller's buffer.
      if (isWholePdu(frame)) return withRecord(expired, pduRecord(input, [frame], frame.payload));
      this.senders.set(sender, recordBase(time, ifname, src, dst, cooked, input));
      const done = this.reassembler.push(sender, frame, time, { group: ifname ?? '', reserved: this.reserved?.(ifname, src) ?? false });
      if (done === null) return expired;
      this.senders.delete(sender);
      return withRecord(expired, pduRecord(input, done.frames, done.pdu));
    } catch (e) {
      const error = asDecodeError(e);
      // the reassembler dropped this sender's partial PDU
      if (error.reason === 'reassembly') this.senders.delete(sender);
      return withRecord(expired, { kind: 'error', ...recordBase(time, ifname, src, dst, cooked, input), error });
    }
  }

  /**
   * Convenience for whole captured Ethernet frames: parses the header (VLAN tags
   * skipped), keeps the stream's EtherType (0x88b5 when unset), and pushes.
   */
  pushEthernet(time: number, bytes: Buffer, ifname?: string): StreamRecord[] {
    let eth;
    try {
      eth = parseEthernet(bytes);
    } catch (e) {
      const base: RecordBase = ifname === undefined ? { time, src: '', dst: '' } : { time, ifname, src: '', dst: '' };
      return [...this.expire(time), { kind: 'error', ...base, error: asDecodeError(e) }];
    }
    if (eth.ethertype !== (this.ethertype ?? DEFAULT_ETHERTYPE)) return this.expire(time);
    return this.push({ time, ifname, src: eth.src, dst: eth.dst, payload: eth.payload });
  }

  /**
   * Reports (as 'reassembly' errors) partial PDUs that waited longer than the
   * timeout. None: the shared, frozen NO_RECORDS (read it, never add to it).
   */
  expire(now: number): ErrorRecord[] {
    const expired = this.reassembler.expire(now);
    if (expired.length === 0) return NO_RECORDS;
    return expired.map(({ sender, error }) => {
      const base = this.senders.get(sender) ?? { time: now, src: '', dst: '' };
      this.senders.delete(sender);
      return { kind: 'error', ...base, time: now, error } as ErrorRecord;
    });
  }

  /** No sender's pieces held: a frame pushed now reports no expiry (see Reassembler.idle). */
  get idle(): boolean {
    return this.reassembler.idle;
  }

  stats(): ReassemblyStats {
    return this.reassembler.stats();
  }
}

/** Where a record came from: `ifname`, `cooked`, `ethertype` and `vlan` only when known. */
function recordBase(
  time: number,
  ifname: string | undefined,
  src: string,
  dst: string | null,
  cooked: CookedLink | undefined,
  link: { ethertype?: number; vlan?: number[] },
): RecordBase {
  const base: RecordBase = ifname === undefined ? { time, src, dst } : { time, ifname, src, dst };
  if (cooked !== undefined) base.cooked = cooked;
  if (link.ethertype !== undefined) base.ethertype = link.ethertype;
  if (link.vlan !== undefined) base.vlan = link.vlan;
  return base;
}

/**
 * What a frame that completes nothing and expires nothing returns: one frozen
 * empty array for all (an array a frame was a young object and a growth of its
 * backing store in V8 for the one record pushed).
 */
const NO_RECORDS: ErrorRecord[] = Object.freeze([]) as unknown as ErrorRecord[];

/** `expired` and then `rec`: a one-element array when nothing expired, as most frames. */
function withRecord(expired: RawRecord[], rec: RawRecord): RawRecord[] {
  if (expired.length === 0) return [rec];
  expired.push(rec);
  return expired;
}

/**
 * A PDU record, written out rather than spread from a base object (this runs
 * per frame); `ethertype` and `vlan` only when the caller gives them (tagged
 * frames, -e, several EtherTypes): the common record stays as it was.
 */
function pduRecord(input: StreamInput, frames: LsoeFrame[], bytes: Buffer): RawPduRecord {
  const { time, ifname, src, dst, cooked } = input;
  const rec: RawPduRecord =
    ifname === undefined
      ? cooked === undefined
        ? { kind: 'pdu', time, src, dst, frames, bytes }
        : { kind: 'pdu', time, src, dst, cooked, frames, bytes }
      : cooked === undefined
        ? { kind: 'pdu', time, ifname, src, dst, frames, bytes }
        : { kind: 'pdu', time, ifname, src, dst, cooked, frames, bytes };
  if (input.ethertype !== undefined) rec.ethertype = input.ethertype;
  if (input.vlan !== undefined) rec.vlan = input.vlan;
  return rec;
}

/** Anything but a DecodeError here is a bug; still, a stream must keep going. */
function asDecodeError(e: unknown): DecodeError {
  if (e instanceof DecodeError) return e;
  return new DecodeError('pdu', `internal decoder error: ${e instanceof Error ? e.message : String(e)}`, 0);
}
