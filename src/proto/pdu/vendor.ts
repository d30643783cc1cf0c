// VENDOR (type 255): Enterprise Number (4) · Enterprise Type (1) · Data (the rest).
import { Reader } from '../cursor.js';
import { PduType, type VendorPdu } from '../types.js';
import { OBJECT_SINK } from './object-sink.js';
import { checkHex, checkUint, PDU_HEADER_LENGTH, readHeader, startPdu, type PduCodec } from './codec.js';

const T = PduType.VENDOR;

export const vendor: PduCodec<VendorPdu> = {
  encode(value, buf, offset = 0) {
    const enterpriseNumber = checkUint(value.enterpriseNumber, 'VENDOR enterprise number', T, 0xffffffff);
    const enterpriseType = checkUint(value.enterpriseType, 'VENDOR enterprise type', T, 0xff);
    const data = checkHex(value.data, 'VENDOR data', T);
    const w = startPdu(T, 'VENDOR', vendor.encodingLength(value), buf, offset);
    w.u32(enterpriseNumber, 'VENDOR enterprise number');
    w.u8(enterpriseType, 'VENDOR enterprise type');
    w.hex(data, 'VENDOR data');
    return w.buf;
  },
  decode(buf, offset = 0, end = buf.length) {
    return vendor.walk(buf, offset, end, OBJECT_SINK) as VendorPdu;
  },
  walk(buf, offset, end, sink) {
    const r = new Reader(buf, offset, end, T);
    readHeader(r, T, 'VENDOR');
    const enterpriseNumber = r.u32('VENDOR enterprise number');
    const enterpriseType = r.u8('VENDOR enterprise type');
    return sink.vendor(enterpriseNumber, enterpriseType, buf, r.pos, end);
  },
  encodingLength(value) {
    return PDU_HEADER_LENGTH + 4 + 1 + value.data.length / 2;
  },
};
