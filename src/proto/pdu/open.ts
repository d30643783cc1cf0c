// OPEN (type 1): Nonce (4) · Local ID (10) · Attribute Length (1) · Attributes ·
// Auth Length (2) · Auth. The reference only accepts an empty Auth; we decode a
// non-empty one into `auth` and leave the policy to the session.
import { Reader } from '../cursor.js';
import { PduType, type OpenPdu } from '../types.js';
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
    const r = new Reader(buf, offset, end, T);
    readHeader(r, T, 'OPEN');
    const nonce = r.hex(4, 'OPEN nonce');
    const localId = r.hex(10, 'OPEN local ID');
    const attributes = r.hex(r.u8('OPEN attribute length'), 'OPEN attributes');
    const auth = r.hex(r.u16('OPEN auth length'), 'OPEN auth');
    r.expectEnd('OPEN');
    const pdu: OpenPdu = { type: 'OPEN', nonce, localId, attributes };
    if (auth !== '') pdu.auth = auth;
    return pdu;
  },
  encodingLength(value) {
    return PDU_HEADER_LENGTH + 4 + 10 + 1 + value.attributes.length / 2 + 2 + (value.auth ?? '').length / 2;
  },
};
