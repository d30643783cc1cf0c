// PDUs that are only the 3-octet header (HELLO, KEEPALIVE).
import { Reader } from '../cursor.js';
import { OBJECT_SINK } from './object-sink.js';
import { PDU_HEADER_LENGTH, readHeader, startPdu, type PduCodec } from './codec.js';

export function emptyPduCodec<T extends { type: 'HELLO' | 'KEEPALIVE' }>(type: number, make: () => T): PduCodec<T> {
  const name = make().type;
  const codec: PduCodec<T> = {
    encode(_value, buf, offset = 0) {
      const w = startPdu(type, name, PDU_HEADER_LENGTH, buf, offset);
      return w.buf;
    },
    decode(buf, offset = 0, end = buf.length) {
      return codec.walk(buf, offset, end, OBJECT_SINK) as T;
    },
    walk(buf, offset, end, sink) {
      const r = new Reader(buf, offset, end, type);
      readHeader(r, type, name);
      // The body is empty: octets after the header are trailing octets (PROTOCOL.md section 3).
      r.expectEnd(name);
      return sink.empty(name);
    },
    encodingLength() {
      return PDU_HEADER_LENGTH;
    },
  };
  return codec;
}
