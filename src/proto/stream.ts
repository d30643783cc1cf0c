// LsoeStream: received Ethernet payloads in, decoded PDUs (or one error each) out,
// reassembling per sender. Used by decode, sniff, hello and the daemon alike, so
// every consumer sees the same records and the same reasons.
import { DecodeError } from './errors.js';
import { DEFAULT_ETHERTYPE, parseEthernet } from './ethernet.js';
import { Reassembler, type ReassemblyOptions, type ReassemblyStats } from './fragment.js';
import { decodeFrame, type LsoeFrame } from './frame.js';
import { decodePdu } from './pdu/index.js';
import type { Pdu } from './types.js';

export interface StreamInput {
  /** seconds (capture or clock time; also drives the reassembly timeout) */
  time: number;
  ifname?: string;
  dst: string;
  src: string;
  /** when given and the stream has an ethertype, other EtherTypes are skipped */
  ethertype?: number;
  /** octets after the EtherType */
  payload: Buffer;
}

interface RecordBase {
  time: number;
  ifname?: string;
  src: string;
  dst: string;
}
export interface PduRecord extends RecordBase {
  kind: 'pdu';
  /** the frames it came in, in number order */
  frames: LsoeFrame[];
  /** the PDU octets (a view into the input for a single-frame PDU) */
  bytes: Buffer;
  pdu: Pdu;
}
export interface ErrorRecord extends RecordBase {
  kind: 'error';
  error: DecodeError;
}
export type StreamRecord = PduRecord | ErrorRecord;

export interface LsoeStreamOptions extends ReassemblyOptions {
  /** EtherType to keep; unset keeps everything (the caller filters) */
  ethertype?: number;
  /**
   * Offered each reassembled PDU's octets before they are decoded; returning true
   * means the caller has dealt with the PDU itself (decode's JSON fast path) and
   * no record is made for it. Offered only when the same push has no earlier
   * record to return, so the caller still sees everything in order.
   */
  takePdu?: PduTaker;
}

export type PduTaker = (bytes: Buffer, frames: number, time: number, ifname: string | undefined, src: string, dst: string) => boolean;

export class LsoeStream {
  private readonly reassembler: Reassembler;
  private readonly ethertype: number | undefined;
  private readonly takePdu: PduTaker | undefined;
  /** where each sender's last frame came from, for expiry records */
  private readonly senders = new Map<string, RecordBase>();

  constructor(options: LsoeStreamOptions = {}) {
    this.reassembler = new Reassembler(options);
    this.ethertype = options.ethertype;
    this.takePdu = options.takePdu;
  }

  push(input: StreamInput): StreamRecord[] {
    const { time, ifname, src, dst } = input;
    const out = this.expire(time);
    if (this.ethertype !== undefined && input.ethertype !== undefined && input.ethertype !== this.ethertype) {
      return out;
    }
    const base: RecordBase = ifname === undefined ? { time, src, dst } : { time, ifname, src, dst };
    const sender = (ifname ?? '') + src;
    try {
      const frame = decodeFrame(input.payload);
      const stored = !(frame.last && frame.number === 0);
      if (stored) this.senders.set(sender, base);
      const done = this.reassembler.push(sender, frame, time);
      if (done === null) return out;
      if (stored) this.senders.delete(sender);
      if (this.takePdu !== undefined && out.length === 0 && this.takePdu(done.pdu, done.frames.length, time, ifname, src, dst)) {
        return out;
      }
      const pdu = decodePdu(done.pdu);
      out.push(
        ifname === undefined
          ? { kind: 'pdu', time, src, dst, frames: done.frames, bytes: done.pdu, pdu }
          : { kind: 'pdu', time, ifname, src, dst, frames: done.frames, bytes: done.pdu, pdu },
      );
    } catch (e) {
      const error = asDecodeError(e);
      // the reassembler dropped this sender's partial PDU
      if (error.reason === 'reassembly') this.senders.delete(sender);
      out.push({ kind: 'error', ...base, error });
    }
    return out;
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

  /** Reports (as 'reassembly' errors) partial PDUs that waited longer than the timeout. */
  expire(now: number): StreamRecord[] {
    const expired = this.reassembler.expire(now);
    if (expired.length === 0) return [];
    return expired.map(({ sender, error }) => {
      const base = this.senders.get(sender) ?? { time: now, src: '', dst: '' };
      this.senders.delete(sender);
      return { kind: 'error', ...base, time: now, error } as ErrorRecord;
    });
  }

  stats(): ReassemblyStats {
    return this.reassembler.stats();
  }
}

/** Anything but a DecodeError here is a bug; still, a stream must keep going. */
function asDecodeError(e: unknown): DecodeError {
  if (e instanceof DecodeError) return e;
  return new DecodeError('pdu', `internal decoder error: ${e instanceof Error ? e.message : String(e)}`, 0);
}
