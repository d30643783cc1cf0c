// ACK (type 3): Acked PDU Type (1) · Error (2: type in the top 4 bits, code in the
// low 12) · Error Hint (2). Which types may be acked is checked in validate.ts.
import { Reader } from '../cursor.js';
import { PduType, type AckPdu } from '../types.js';
import { ackViolation } from '../validate.js';
import { OBJECT_SINK } from './object-sink.js';
import { checkUint, readHeader, startPdu, type PduCodec } from './codec.js';

const T = PduType.ACK;
const LENGTH = 8;

export const ack: PduCodec<AckPdu> = {
  encode(value, buf, offset = 0) {
    const ackType = checkUint(value.ackType, 'ACK acked type', T, 0xff);
    const errorType = checkUint(value.errorType, 'ACK error type', T, 0xf);
    const errorCode = checkUint(value.errorCode, 'ACK error code', T, 0xfff);
    const errorHint = checkUint(value.errorHint, 'ACK error hint', T, 0xffff);
    const w = startPdu(T, 'ACK', LENGTH, buf, offset);
    w.u8(ackType, 'ACK acked type');
    w.u16((errorType << 12) | errorCode, 'ACK error');
    w.u16(errorHint, 'ACK error hint');
    return w.buf;
  },
  decode(buf, offset = 0, end = buf.length) {
    return ack.walk(buf, offset, end, OBJECT_SINK) as AckPdu;
  },
  walk(buf, offset, end, sink) {
    const r = new Reader(buf, offset, end, T);
    readHeader(r, T, 'ACK');
    const ackType = r.u8('ACK acked type');
    const error = r.u16('ACK error');
    const errorHint = r.u16('ACK error hint');
    r.expectEnd('ACK');
    const bad = ackViolation(ackType, error >>> 12, error & 0xfff, errorHint);
    if (bad) throw bad;
    return sink.ack(ackType, error >>> 12, error & 0xfff, errorHint);
  },
  encodingLength() {
    return LENGTH;
  },
};
