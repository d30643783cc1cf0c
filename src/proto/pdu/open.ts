// OPEN (type 1): Nonce (4) · Local ID (10) · Attribute Length (1) · Attributes ·
// Auth Length (2) · Auth. The reference only accepts an empty Auth; we decode a
// non-empty one into `auth` and leave the policy to the session.
import { Reader } from '../cursor.js';
import { PduType, type OpenPdu } from '../types.js';
import { OBJECT_SINK } from './object-sink.js';
import { checkHex, PDU_HEADER_LENGTH, readHeader, startPdu, type PduCodec } from './codec.js';

const T = PduType.OPEN;

export const open: PduCodec<OpenPdu> = {
  encode(value, buf, offset = 0) {
    const nonce = checkHex(value.nonce, 'OPEN nonce', T, 4);
    const localId = checkHex(value.localId, 'OPEN local ID', T, 10);
    const attributes = checkHex(value.attributes, 'OPEN attributes', T, undefined, 255);
    const auth = checkHex(value.auth ?? '', 'OPEN auth', T, undefined, 0xffff);
    const w = startPdu(T, 'OPEN', open.encodingLength(value), buf, offset);
    w.hex(nonce, 'OPEN nonce');
    w.hex(localId, 'OPEN local ID');
    w.u8(attributes.length / 2, 'OPEN attribute length');
    w.hex(attributes, 'OPEN attributes');
    w.u16(auth.length / 2, 'OPEN auth length');
    w.hex(auth, 'OPEN auth');
    return w.buf;
  },
  decode(buf, offset = 0, end = buf.length) {
    return open.walk(buf, offset, end, OBJECT_SINK) as OpenPdu;
  },
  walk(buf, offset, end, sink) {
    const r = new Reader(buf, offset, end, T);
    readHeader(r, T, 'OPEN');
    const at = r.pos;
    r.bytes(4, 'OPEN nonce');
    r.bytes(10, 'OPEN local ID');
    r.bytes(r.u8('OPEN attribute length'), 'OPEN attributes');
    const attributesEnd = r.pos;
    r.bytes(r.u16('OPEN auth length'), 'OPEN auth');
    r.expectEnd('OPEN');
    return sink.open(buf, at, attributesEnd, attributesEnd + 2, end);
  },
  encodingLength(value) {
    return PDU_HEADER_LENGTH + 4 + 10 + 1 + value.attributes.length / 2 + 2 + (value.auth ?? '').length / 2;
  },
};
