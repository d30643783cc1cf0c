// The sink that turns a walked PDU into the `Pdu` model (what decodePdu returns).
// Key order matters: it is the order JSON.stringify prints, which the JSON
// byte sink (render/pdu-json-sink.ts) must match octet for octet.
import { hexOf } from '../hex.js';
import type { PduSink } from '../pdu-sink.js';
import { EncapsFlag, type Encapsulation, type Pdu } from '../types.js';
import { ENCAPSULATION_LAYOUTS, type EncapsulationLayout } from './encapsulation-layout.js';
import { formatIPv4, formatIPv6 } from './address.js';

class ObjectSink implements PduSink<Pdu> {
  /** the encapsulation list being walked (encapsBegin) */
  private layout: EncapsulationLayout = ENCAPSULATION_LAYOUTS.IPV4_ENCAPSULATION;
  private list: Encapsulation[] = [];

  empty(type: 'HELLO' | 'KEEPALIVE'): Pdu {
    return { type };
  }

  open(buf: Uint8Array, at: number, attributesEnd: number, authAt: number, end: number): Pdu {
    const pdu: Pdu = {
      type: 'OPEN',
      nonce: hexOf(buf, at, at + 4),
      localId: hexOf(buf, at + 4, at + 14),
      attributes: longHex(buf, at + 15, attributesEnd),
    };
    if (end > authAt) pdu.auth = longHex(buf, authAt, end);
    return pdu;
  }

  ack(ackType: number, errorType: number, errorCode: number, errorHint: number): Pdu {
    return { type: 'ACK', ackType, errorType, errorCode, errorHint };
  }

  encapsBegin(layout: EncapsulationLayout, _count: number): void {
    this.layout = layout;
    // Not sized by the Count: a hostile Count of 65535 on a short PDU must cost nothing.
    this.list = [];
  }

  encapsEntry(buf: Uint8Array, flags: number, labelsAt: number, labelCount: number, addressAt: number, prefixLength: number): void {
    const e: Encapsulation = {
      address: this.layout.ipv6 ? formatIPv6(buf, addressAt) : formatIPv4(buf, addressAt),
      prefixLength,
      primary: (flags & EncapsFlag.PRIMARY) !== 0,
      loopback: (flags & EncapsFlag.LOOPBACK) !== 0,
    };
    if (labelsAt >= 0) {
      const labels: string[] = new Array(labelCount);
      for (let j = 0, q = labelsAt; j < labelCount; j++, q += 3) labels[j] = hexOf(buf, q, q + 3);
      e.labels = labels;
    }
    this.list.push(e);
  }

  encapsEnd(): Pdu {
    const pdu: Pdu = { type: this.layout.name, encaps: this.list };
    this.list = [];
    return pdu;
  }

  vendor(enterpriseNumber: number, enterpriseType: number, buf: Uint8Array, dataAt: number, end: number): Pdu {
    return { type: 'VENDOR', enterpriseNumber, enterpriseType, data: longHex(buf, dataAt, end) };
  }

  unknown(typeCode: number, buf: Uint8Array, start: number, end: number): Pdu {
    return { type: 'UNKNOWN', typeCode, raw: longHex(buf, start, end) };
  }
}

/** Short fields from the table; long data from Node's encoder. */
function longHex(buf: Uint8Array, from: number, to: number): string {
  if (to - from <= 16) return hexOf(buf, from, to);
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('hex', from, to);
}

/** The one object sink (it keeps no state between PDUs). */
export const OBJECT_SINK: PduSink<Pdu> = new ObjectSink();
