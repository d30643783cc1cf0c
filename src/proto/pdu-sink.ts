// What a PDU walker feeds: each PDU layout (pdu/*.ts) is walked and validated
// once, and its fields go to a sink, which makes of them what it needs. The
// object sink (pdu/object-sink.ts) builds the `Pdu` model for `decodePdu`;
// the JSON byte sink (render/pdu-json-sink.ts) writes the same PDU's JSON
// text straight from the octets. Fields are passed as offsets into `buf` so a
// sink that writes bytes never makes a string.
import type { EncapsulationLayout } from './pdu/encapsulation-layout.js';

export interface PduSink<R> {
  /** HELLO or KEEPALIVE (the header only) */
  empty(type: 'HELLO' | 'KEEPALIVE'): R;
  /** OPEN: Nonce buf[at, at+4), Local ID [at+4, at+14), Attributes [at+15, authAt-2), Auth [authAt, end) */
  open(buf: Uint8Array, at: number, attributesEnd: number, authAt: number, end: number): R;
  ack(ackType: number, errorType: number, errorCode: number, errorHint: number): R;
  /**
   * An encapsulation list of `count` entries: exactly `count` encapsEntry calls
   * follow, then encapsEnd (the JSON sink writes each entry's separator from
   * it, so a walker that stops early or goes on would make invalid JSON). A
   * list that fails validation throws part-way instead: the caller then drops
   * what the sink made of this PDU and reports the error.
   */
  encapsBegin(layout: EncapsulationLayout, count: number): void;
  /**
   * One entry: Flags, `labelCount` labels of 3 octets from `labelsAt`, the
   * address at `addressAt` (layout.addrLen octets) and its prefix length.
   */
  encapsEntry(buf: Uint8Array, flags: number, labelsAt: number, labelCount: number, addressAt: number, prefixLength: number): void;
  encapsEnd(): R;
  /** VENDOR: Data is buf[dataAt, end) */
  vendor(enterpriseNumber: number, enterpriseType: number, buf: Uint8Array, dataAt: number, end: number): R;
  /** A type we do not know: the whole PDU is buf[start, end) */
  unknown(typeCode: number, buf: Uint8Array, start: number, end: number): R;
}
