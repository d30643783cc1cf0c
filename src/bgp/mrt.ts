// MRT (RFC 6396), the BGP4MP records a collector dumps: gobgpd's `[[mrt-dump]]` of
// updates keeps every UPDATE it received, raw, with the peer that sent it. Pure: bytes
// in, records out; `MrtSplitter` takes a file as it grows (a record cut by the end of
// what was written so far waits for the rest). Only the BGP4MP message subtypes are
// read; other records are returned as `other` so a reader can count them.
import { Reader } from '../proto/cursor.js';
import { DecodeError } from '../proto/errors.js';
import { ipOctets, ipText } from './wire/address.js';

export const MRT_TYPE = { bgp4mp: 16, bgp4mpEt: 17 } as const;
/** BGP4MP subtypes that carry a BGP message; the value says whether ASes are 4 octets. */
const MESSAGE_SUBTYPES: Readonly<Record<number, { as4: boolean; addPath: boolean }>> = {
  1: { as4: false, addPath: false }, // BGP4MP_MESSAGE
  4: { as4: true, addPath: false }, // BGP4MP_MESSAGE_AS4
  6: { as4: false, addPath: false }, // BGP4MP_MESSAGE_LOCAL
  7: { as4: true, addPath: false }, // BGP4MP_MESSAGE_AS4_LOCAL
  8: { as4: false, addPath: true }, // BGP4MP_MESSAGE_ADDPATH (RFC 8050)
  9: { as4: true, addPath: true }, // BGP4MP_MESSAGE_AS4_ADDPATH
};
const HEADER = 12;
/** A BGP message is at most 65535 octets (RFC 8654); with the BGP4MP header, far below this. */
export const MAX_MRT_RECORD = 1 << 20;

export class MrtError extends Error {
  override readonly name = 'MrtError';
  constructor(
    message: string,
    /** octets into the stream where the bad record starts */
    readonly offset: number,
  ) {
    super(message);
  }
}

export type MrtRecord =
  | {
      kind: 'message';
      /** seconds since the epoch (with microseconds for BGP4MP_ET) */
      time: number;
      peerAs: number;
      localAs: number;
      peerAddress: string;
      localAddress: string;
      addPath: boolean;
      /** the whole BGP message, marker included (decodeMessage reads it) */
      message: Buffer;
    }
  | { kind: 'other'; time: number; type: number; subtype: number };

/** One record's body (after the 12-octet header). */
export function decodeMrtBody(time: number, type: number, subtype: number, body: Buffer): MrtRecord {
  const shape = MESSAGE_SUBTYPES[subtype];
  if ((type !== MRT_TYPE.bgp4mp && type !== MRT_TYPE.bgp4mpEt) || shape === undefined) return { kind: 'other', time, type, subtype };
  try {
    const r = new Reader(body);
    const micro = type === MRT_TYPE.bgp4mpEt ? r.u32('microseconds') : 0;
    const peerAs = shape.as4 ? r.u32('peer AS') : r.u16('peer AS');
    const localAs = shape.as4 ? r.u32('local AS') : r.u16('local AS');
    r.u16('interface index');
    const afi = r.u16('address family');
    if (afi !== 1 && afi !== 2) throw new DecodeError('pdu', `address family ${afi} is neither IPv4 (1) nor IPv6 (2)`, r.pos - 2);
    const size = afi === 1 ? 4 : 16;
    const peerAddress = ipText(r.bytes(size, 'peer address'));
    const localAddress = ipText(r.bytes(size, 'local address'));
    return { kind: 'message', time: time + micro / 1e6, peerAs, localAs, peerAddress, localAddress, addPath: shape.addPath, message: r.bytes(r.remaining, 'BGP message') };
  } catch (err) {
    throw new MrtError(`BGP4MP record (subtype ${subtype}): ${(err as Error).message}`, 0);
  }
}

/** Cuts a growing MRT stream into records; keeps a partial record until the rest arrives. */
export class MrtSplitter {
  private pending: Buffer = Buffer.alloc(0);
  /** octets of the stream consumed so far (whole records) */
  private consumed = 0;

  get offset(): number {
    return this.consumed;
  }

  /** octets held waiting for the rest of a record */
  get buffered(): number {
    return this.pending.length;
  }

  /** Throws MrtError on a record that cannot be one (the stream is not MRT, or is damaged). */
  push(chunk: Buffer): MrtRecord[] {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: MrtRecord[] = [];
    let at = 0;
    while (buf.length - at >= HEADER) {
      const length = buf.readUInt32BE(at + 8);
      if (length > MAX_MRT_RECORD) throw new MrtError(`MRT record of ${length} octets (at most ${MAX_MRT_RECORD})`, this.consumed + at);
      if (buf.length - at < HEADER + length) break;
      const body = buf.subarray(at + HEADER, at + HEADER + length);
      try {
        out.push(decodeMrtBody(buf.readUInt32BE(at), buf.readUInt16BE(at + 4), buf.readUInt16BE(at + 6), body));
      } catch (err) {
        throw new MrtError((err as Error).message, this.consumed + at);
      }
      at += HEADER + length;
    }
    this.consumed += at;
    // a copy, so the caller's chunk is not kept alive by a few trailing octets
    this.pending = Buffer.from(buf.subarray(at));
    return out;
  }
}

/** A BGP4MP_MESSAGE_AS4 record (what gobgpd writes), for tests and tools that make dumps. */
export function encodeMrtMessage(r: { time: number; peerAs: number; localAs: number; peerAddress: string; localAddress: string; message: Buffer }): Buffer {
  const v6 = r.peerAddress.includes(':');
  const head = Buffer.alloc(12);
  head.writeUInt32BE(r.peerAs >>> 0, 0);
  head.writeUInt32BE(r.localAs >>> 0, 4);
  head.writeUInt16BE(0, 8);
  head.writeUInt16BE(v6 ? 2 : 1, 10);
  const body = Buffer.concat([head, ipOctets(r.peerAddress), ipOctets(r.localAddress), r.message]);
  const h = Buffer.alloc(HEADER);
  h.writeUInt32BE(Math.floor(r.time), 0);
  h.writeUInt16BE(MRT_TYPE.bgp4mp, 4);
  h.writeUInt16BE(4, 6);
  h.writeUInt32BE(body.length, 8);
  return Buffer.concat([h, body]);
}
