// The codec shape every PDU implements (after dns-packet): encode into a fresh or
// given buffer, decode a whole PDU between offset and end, and say how long the
// encoding will be. Also the 3-octet PDU header shared by all of them.
import { Reader, Writer } from '../cursor.js';
import { DecodeError } from '../errors.js';
import type { PduSink } from '../pdu-sink.js';

export interface PduCodec<T> {
  /** Encodes `value` (whole PDU, header included) into `buf` at `offset`, or a new buffer. */
  encode(value: T, buf?: Buffer, offset?: number): Buffer;
  /** Decodes the PDU occupying exactly buf[offset, end): walk() into the object sink. */
  decode(buf: Buffer, offset?: number, end?: number): T;
  /**
   * Walks the PDU occupying exactly buf[offset, end), checking its form and the
   * protocol's rules once, and feeds its fields to `sink`. Throws DecodeError
   * (the sink may then have been fed part of the PDU: it discards that).
   */
  walk<R>(buf: Buffer, offset: number, end: number, sink: PduSink<R>): R;
  encodingLength(value: T): number;
}

export const PDU_HEADER_LENGTH = 3;

/** Reads Type and Length; Length must cover exactly the octets given. */
export function readHeader(r: Reader, type: number, name: string): void {
  const start = r.pos;
  const code = r.u8('PDU type');
  if (code !== type) throw r.error(`${name}: type ${code} is not ${type}`, start);
  // The field's name is made only when it is missing (this runs for every PDU).
  if (r.pos + 2 > r.end) r.need(2, `${name} length`);
  const length = r.u16('');
  const size = r.end - start;
  if (length !== size) {
    throw r.error(`${name} length: ${length} but the PDU is ${size} octets`, start + 1);
  }
}

/** Starts writing a PDU of `length` octets: the target buffer and a writer past the header. */
export function startPdu(
  type: number,
  name: string,
  length: number,
  buf: Buffer | undefined,
  offset: number,
): Writer {
  if (length > 0xffff) {
    throw new DecodeError('pdu', `${name}: ${length} octets do not fit the 16-bit Length`, 1, type);
  }
  const w = new Writer(buf ?? Buffer.allocUnsafe(offset + length), offset, type);
  w.u8(type, 'PDU type');
  w.u16(length, `${name} length`);
  return w;
}

/** Throws unless `text` is hex of exactly `octets` octets (any length when undefined). */
export function checkHex(
  text: unknown,
  field: string,
  type: number,
  octets?: number,
  maxOctets?: number,
): string {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new DecodeError('pdu', `${field}: ${JSON.stringify(text)} is not hex`, 0, type);
  }
  const n = text.length / 2;
  if (octets !== undefined && n !== octets) {
    throw new DecodeError('pdu', `${field}: ${n} octets, must be ${octets}`, 0, type);
  }
  if (maxOctets !== undefined && n > maxOctets) {
    throw new DecodeError('pdu', `${field}: ${n} octets, at most ${maxOctets}`, 0, type);
  }
  return text;
}

/** Throws unless `v` is an integer in [0, max]. */
export function checkUint(v: unknown, field: string, type: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new DecodeError('pdu', `${field}: ${String(v)} is not an integer in 0..${max}`, 0, type);
  }
  return v;
}
