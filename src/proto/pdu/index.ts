// The PDU registry: one codec per wire type, looked up by code when decoding and
// by name when encoding (lldpd's protocols[] table, dns-packet's codecs).
import { DecodeError } from '../errors.js';
import { PduType, type Pdu, type PduTypeName } from '../types.js';
import type { PduSink } from '../pdu-sink.js';
import { validatePdu } from '../validate.js';
import { OBJECT_SINK } from './object-sink.js';
import { ack } from './ack.js';
import { PDU_HEADER_LENGTH, type PduCodec } from './codec.js';
import { ipv4Encapsulation, ipv6Encapsulation, mplsIpv4Encapsulation, mplsIpv6Encapsulation } from './encapsulation.js';
import { hello } from './hello.js';
import { keepalive } from './keepalive.js';
import { open } from './open.js';
import { unknown } from './unknown.js';
import { vendor } from './vendor.js';

export type { PduCodec } from './codec.js';
export { ack, hello, keepalive, open, vendor, unknown, ipv4Encapsulation, ipv6Encapsulation, mplsIpv4Encapsulation, mplsIpv6Encapsulation };

type AnyCodec = PduCodec<any>;

/** Codec by PDU name. */
export const CODECS: Readonly<Record<PduTypeName, AnyCodec>> = {
  HELLO: hello,
  OPEN: open,
  KEEPALIVE: keepalive,
  ACK: ack,
  IPV4_ENCAPSULATION: ipv4Encapsulation,
  IPV6_ENCAPSULATION: ipv6Encapsulation,
  MPLS_IPV4_ENCAPSULATION: mplsIpv4Encapsulation,
  MPLS_IPV6_ENCAPSULATION: mplsIpv6Encapsulation,
  VENDOR: vendor,
};

/** Codec by wire code (index 0..255); undefined means UNKNOWN. */
const BY_CODE: (AnyCodec | undefined)[] = new Array(256);
for (const [name, code] of Object.entries(PduType)) BY_CODE[code] = CODECS[name as PduTypeName];

function codecFor(p: Pdu): AnyCodec {
  if (p.type === 'UNKNOWN') return unknown;
  const c = (CODECS as Record<string, AnyCodec | undefined>)[p.type];
  if (c === undefined) throw new DecodeError('pdu', `PDU type: ${JSON.stringify(p.type)} is not known`, 0);
  return c;
}

/**
 * Walks a whole reassembled PDU into `sink` (Length must equal buf.length; the
 * protocol's rules checked once, on the way). Throws DecodeError.
 */
export function walkPdu<R>(buf: Buffer, sink: PduSink<R>): R {
  if (buf.length < PDU_HEADER_LENGTH) {
    throw new DecodeError('pdu', `PDU header: needs 3 octets, got ${buf.length}`, buf.length, buf.length > 0 ? buf[0] : undefined);
  }
  return (BY_CODE[buf[0]!] ?? unknown).walk(buf, 0, buf.length, sink);
}

/** Decodes a whole reassembled PDU into the model: walkPdu into the object sink. */
export function decodePdu(buf: Buffer): Pdu {
  return walkPdu(buf, OBJECT_SINK);
}

/** Encodes a PDU (header included). Throws DecodeError('pdu') for a value that cannot be sent. */
export function encodePdu(p: Pdu): Buffer {
  const codec = codecFor(p);
  validatePdu(p);
  return codec.encode(p);
}

export function pduEncodingLength(p: Pdu): number {
  return codecFor(p).encodingLength(p);
}
