// The 19-octet message header (RFC 4271 section 4.1) and the splitter that cuts a TCP
// byte stream into whole messages, checking each header as it comes.
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, MESSAGE_TYPES } from './constants.js';
import { BgpMessageError, ERR, HEADER_SUB } from './errors.js';

const MARKER = Buffer.alloc(16, 0xff);

/** Smallest and largest length of each message type (section 6.1). */
const LENGTH_RULE: Readonly<Record<number, readonly [number, number]>> = {
  [MESSAGE_TYPES.OPEN]: [29, MAX_MESSAGE_LENGTH],
  [MESSAGE_TYPES.UPDATE]: [23, MAX_MESSAGE_LENGTH],
  [MESSAGE_TYPES.NOTIFICATION]: [21, MAX_MESSAGE_LENGTH],
  [MESSAGE_TYPES.KEEPALIVE]: [19, 19],
  [MESSAGE_TYPES.ROUTE_REFRESH]: [23, 23],
};

/** Header then body, as one buffer. */
export function frameMessage(type: number, body: Buffer): Buffer {
  const length = HEADER_LENGTH + body.length;
  if (length > MAX_MESSAGE_LENGTH) throw new Error(`a BGP message of ${length} octets (at most ${MAX_MESSAGE_LENGTH})`);
  const out = Buffer.alloc(length);
  MARKER.copy(out, 0);
  out.writeUInt16BE(length, 16);
  out[18] = type;
  body.copy(out, HEADER_LENGTH);
  return out;
}

export interface Header {
  length: number;
  type: number;
}

/** Checks the header at `offset` (19 octets must be there): marker, length, type. */
export function decodeHeader(buf: Buffer, offset = 0): Header {
  if (!buf.subarray(offset, offset + 16).equals(MARKER)) {
    throw new BgpMessageError(ERR.header, HEADER_SUB.notSynchronized, 'header: marker is not all ones');
  }
  const length = buf.readUInt16BE(offset + 16);
  const type = buf[offset + 18]!;
  const lengthData = buf.subarray(offset + 16, offset + 18);
  if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) {
    throw new BgpMessageError(ERR.header, HEADER_SUB.badLength, `header: length ${length} outside ${HEADER_LENGTH}..${MAX_MESSAGE_LENGTH}`, Buffer.from(lengthData));
  }
  const rule = LENGTH_RULE[type];
  if (rule === undefined) throw new BgpMessageError(ERR.header, HEADER_SUB.badType, `header: unknown message type ${type}`, Buffer.from([type]));
  if (length < rule[0] || length > rule[1]) {
    throw new BgpMessageError(ERR.header, HEADER_SUB.badLength, `header: length ${length} is wrong for message type ${type}`, Buffer.from(lengthData));
  }
  return { length, type };
}

/**
 * Cuts a byte stream into messages. `push` returns the whole messages now available
 * (header included) and keeps the rest; a bad header throws, and the stream is then
 * beyond repair (the caller sends the NOTIFICATION and closes).
 */
export class MessageSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    let at = 0;
    while (this.pending.length - at >= HEADER_LENGTH) {
      const { length } = decodeHeader(this.pending, at);
      if (this.pending.length - at < length) break;
      out.push(this.pending.subarray(at, at + length));
      at += length;
    }
    this.pending = this.pending.subarray(at);
    return out;
  }

  /** Octets of an unfinished message held (a peer that closes mid-message leaves some). */
  get buffered(): number {
    return this.pending.length;
  }
}
