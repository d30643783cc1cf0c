// The one error type the protocol library throws. Anything else escaping
// src/proto is a bug (the fuzz test holds us to that).

export type DecodeReason =
  | 'truncated' // fewer than the 8 octets of an LSOE frame header
  | 'version' // Version is not 0
  | 'length' // Frame Length below 8 or beyond the octets received
  | 'checksum' // checksum mismatch
  | 'pdu' // malformed PDU: bad length, missing or trailing octets, bad field
  | 'reassembly'; // pieces timed out or overflowed a bound

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly reason: DecodeReason,
    message: string,
    /** octet offset into the buffer being decoded (frame or PDU) */
    readonly offset: number,
    /** wire type of the PDU being decoded, when known */
    readonly pduType?: number,
  ) {
    super(message);
  }
}
