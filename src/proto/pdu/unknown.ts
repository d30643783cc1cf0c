// A PDU of a type we do not know: kept whole as raw hex so it can be shown and
// passed on untouched (PROTOCOL.md section 3).
import { Reader } from '../cursor.js';
import { DecodeError } from '../errors.js';
import type { UnknownPdu } from '../types.js';
import { OBJECT_SINK } from './object-sink.js';
import { checkHex, PDU_HEADER_LENGTH, type PduCodec } from './codec.js';

export const unknown: PduCodec<UnknownPdu> = {
  encode(value, buf, offset = 0) {
    const raw = checkHex(value.raw, 'UNKNOWN raw', value.typeCode);
    const n = raw.length / 2;
    const first = n > 0 ? parseInt(raw.slice(0, 2), 16) : -1;
    const length = n >= PDU_HEADER_LENGTH ? parseInt(raw.slice(2, 6), 16) : -1;
    if (first !== value.typeCode || length !== n) {
      throw new DecodeError(
        'pdu',
        `UNKNOWN raw: must be a whole PDU of type ${value.typeCode} whose Length is its size`,
        0,
        value.typeCode,
      );
    }
    const out = buf ?? Buffer.allocUnsafe(offset + n);
    if (out.write(raw, offset, n, 'hex') !== n) {
      throw new DecodeError('pdu', `UNKNOWN raw: no room for ${n} octets at offset ${offset}`, offset, value.typeCode);
    }
    return out;
  },
  decode(buf, offset = 0, end = buf.length) {
    return unknown.walk(buf, offset, end, OBJECT_SINK) as UnknownPdu;
  },
  walk(buf, offset, end, sink) {
    const r = new Reader(buf, offset, end);
    const typeCode = r.u8('PDU type');
    const length = r.u16('PDU length');
    if (length !== end - offset) {
      throw new DecodeError('pdu', `PDU length: ${length} at offset ${offset + 1} but the PDU is ${end - offset} octets`, offset + 1, typeCode);
    }
    return sink.unknown(typeCode, buf, offset, end);
  },
  encodingLength(value) {
    return value.raw.length / 2;
  },
};
