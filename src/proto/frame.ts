// The LSOE frame header (PROTOCOL.md section 2): Version, L + Frame Number,
// Frame Length, Checksum, then a piece of a PDU.
import { lsoeChecksum } from './checksum.js';
import { DecodeError } from './errors.js';

export const FRAME_HEADER_LENGTH = 8;
/** 1500-octet MTU minus the frame header. */
export const MAX_FRAME_PAYLOAD = 1492;
/** Frame Number has 7 bits. */
export const MAX_FRAMES = 128;

const LAST_FLAG = 0x80;

export interface LsoeFrame {
  version: number;
  /** L bit: the last frame of its PDU */
  last: boolean;
  number: number;
  /** header + payload octets, as sent */
  length: number;
  checksum: number;
  /** view into the decoded buffer: octets 8..length (Ethernet padding excluded) */
  payload: Buffer;
}

/**
 * Decodes one LSOE frame (the bytes after the EtherType: buf[at, end), so a
 * decoder need not make a view of each Ethernet frame's payload). Checks, in
 * order: 'truncated' (< 8 octets), 'version' (not 0), 'length' (Frame Length
 * < 8 or more than received), 'checksum'. Octets after Frame Length are
 * padding and ignored. Error offsets count from `at`.
 */
export function decodeFrame(buf: Buffer, at = 0, end = buf.length): LsoeFrame {
  const received = end - at;
  if (received < FRAME_HEADER_LENGTH) {
    throw new DecodeError(
      'truncated',
      `LSOE frame header: needs 8 octets, got ${received}`,
      received,
    );
  }
  const version = buf[at]!;
  if (version !== 0) {
    throw new DecodeError('version', `LSOE frame version: ${version} at offset 0, expected 0`, 0);
  }
  const b1 = buf[at + 1]!;
  const length = (buf[at + 2]! << 8) | buf[at + 3]!;
  if (length < FRAME_HEADER_LENGTH || length > received) {
    throw new DecodeError(
      'length',
      `LSOE frame length: ${length} at offset 2, ${length < FRAME_HEADER_LENGTH ? 'below the 8-octet header' : `beyond the ${received} octets received`}`,
      2,
    );
  }
  // By hand, not readUInt32BE: a call into Node's buffer code (and a TurboFan job of its own) per frame.
  const checksum = ((buf[at + 4]! << 24) | (buf[at + 5]! << 16) | (buf[at + 6]! << 8) | buf[at + 7]!) >>> 0;
  const payload = buf.subarray(at + FRAME_HEADER_LENGTH, at + length);
  const computed = lsoeChecksum(buf, payload, at);
  if (computed !== checksum) {
    throw new DecodeError(
      'checksum',
      `LSOE frame checksum: 0x${hex32(checksum)} at offset 4, computed 0x${hex32(computed)}`,
      4,
    );
  }
  return { version, last: (b1 & LAST_FLAG) !== 0, number: b1 & 0x7f, length, checksum, payload };
}

/** Builds one LSOE frame (header + payload copy) with its checksum. */
export function encodeFrame(frame: { last: boolean; number: number; payload: Uint8Array }): Buffer {
  const { last, number, payload } = frame;
  if (!Number.isInteger(number) || number < 0 || number >= MAX_FRAMES) {
    throw new DecodeError('pdu', `LSOE frame number: ${number} is not in 0..127`, 1);
  }
  const length = FRAME_HEADER_LENGTH + payload.length;
  if (length > 0xffff) {
    throw new DecodeError('pdu', `LSOE frame length: ${length} does not fit in 16 bits`, 2);
  }
  const out = Buffer.allocUnsafe(length);
  out[0] = 0;
  out[1] = (last ? LAST_FLAG : 0) | number;
  out[2] = length >>> 8;
  out[3] = length & 0xff;
  out.set(payload, FRAME_HEADER_LENGTH);
  out.writeUInt32BE(lsoeChecksum(out, payload), 4);
  return out;
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}
