// The four encapsulation PDUs (types 4-7): Count (2) · Count × entry, where an entry
// is Flags (1) · [MPLS: Label Count (1) · Labels (3 each)] · address (4 or 16) ·
// Prefix Length (1). Labels are kept as their 3 octets in hex (RFC 3032 label,
// TC, S), as the reference treats them as opaque. Flag bits other than Primary
// and Loopback are ignored on decode (the model cannot carry them) and never sent.
import { Reader } from '../cursor.js';
import { DecodeError } from '../errors.js';
import { EncapsFlag, type EncapsulationPdu, type EncapsulationTypeName } from '../types.js';
import { prefixViolation } from '../validate.js';
import { parseIPv4, parseIPv6 } from './address.js';
import { ENCAPSULATION_LAYOUTS, encapsulationEntryLength, LABEL_LENGTH, type EncapsulationLayout } from './encapsulation-layout.js';
import { OBJECT_SINK } from './object-sink.js';
import type { PduSink } from '../pdu-sink.js';
import { checkHex, checkUint, PDU_HEADER_LENGTH, readHeader, startPdu, type PduCodec } from './codec.js';

function encapsulationCodec(name: EncapsulationTypeName): PduCodec<EncapsulationPdu> {
  const layout = ENCAPSULATION_LAYOUTS[name];
  const { type: T, ipv6, mpls, addrLen } = layout;

  const codec: PduCodec<EncapsulationPdu> = {
    encode(value, buf, offset = 0) {
      if (!Array.isArray(value.encaps)) {
        throw new DecodeError('pdu', `${name} encaps: not a list`, 0, T);
      }
      checkUint(value.encaps.length, `${name} count`, T, 0xffff);
      const w = startPdu(T, name, codec.encodingLength(value), buf, offset);
      w.u16(value.encaps.length, `${name} count`);
      for (let i = 0; i < value.encaps.length; i++) {
        const e = value.encaps[i]!;
        const field = `${name} entry ${i}`;
        w.u8((e.primary ? EncapsFlag.PRIMARY : 0) | (e.loopback ? EncapsFlag.LOOPBACK : 0), `${field} flags`);
        if (mpls) {
          const labels = e.labels ?? [];
          checkUint(labels.length, `${field} label count`, T, 0xff);
          w.u8(labels.length, `${field} label count`);
          for (let j = 0; j < labels.length; j++) {
            w.hex(checkHex(labels[j], `${field} label ${j}`, T, LABEL_LENGTH), `${field} label ${j}`);
          }
        }
        const at = w.pos;
        w.bytes(ZERO.subarray(0, addrLen), `${field} address`);
        const ok = typeof e.address === 'string' && (ipv6 ? parseIPv6(e.address, w.buf, at) : parseIPv4(e.address, w.buf, at));
        if (!ok) {
          throw new DecodeError('pdu', `${field} address: ${JSON.stringify(e.address)} is not an ${ipv6 ? 'IPv6' : 'IPv4'} address`, at - offset, T);
        }
        w.u8(checkUint(e.prefixLength, `${field} prefix length`, T, 0xff), `${field} prefix length`);
      }
      return w.buf;
    },
    decode(buf, offset = 0, end = buf.length) {
      return codec.walk(buf, offset, end, OBJECT_SINK) as EncapsulationPdu;
    },
    walk(buf, offset, end, sink) {
      return walkEncapsulation(layout, buf, offset, end, sink);
    },
    encodingLength(value) {
      let n = PDU_HEADER_LENGTH + 2;
      for (const e of value.encaps) n += encapsulationEntryLength(name, e);
      return n;
    },
  };
  return codec;
}

/**
 * The one walker of the four layouts: one function (not one closure per
 * layout), so V8 compiles and optimises it once, from the feedback of all
 * four, early in a run. Hot path (a capture can hold millions of entries):
 * it indexes the buffer directly, and names a field only when it is missing.
 */
function walkEncapsulation<R>(layout: EncapsulationLayout, buf: Buffer, offset: number, end: number, sink: PduSink<R>): R {
  const { name, type, mpls, addrLen, maxPrefix } = layout;
  const r = new Reader(buf, offset, end, type);
  readHeader(r, type, name);
  const count = r.u16(layout.countField);
  sink.encapsBegin(layout, count);
  let pos = r.pos;
  // The first entry whose prefix is too long: reported once the layout is
  // known to be whole, so a truncated PDU is reported as truncated.
  let badIndex = -1;
  let badAt = 0;
  for (let i = 0; i < count; i++) {
    if (pos >= end) missing(r, pos, `${name} entry ${i} flags`, 1);
    const flags = buf[pos++]!;
    let labelsAt = -1;
    let labelCount = 0;
    if (mpls) {
      if (pos >= end) missing(r, pos, `${name} entry ${i} label count`, 1);
      labelCount = buf[pos++]!;
      labelsAt = pos;
      if (pos + labelCount * LABEL_LENGTH > end) {
        const whole = Math.floor((end - pos) / LABEL_LENGTH);
        missing(r, pos + whole * LABEL_LENGTH, `${name} entry ${i} label ${whole}`, LABEL_LENGTH);
      }
      pos += labelCount * LABEL_LENGTH;
    }
    if (pos + addrLen > end) missing(r, pos, `${name} entry ${i} address`, addrLen);
    const addressAt = pos;
    pos += addrLen;
    if (pos >= end) missing(r, pos, `${name} entry ${i} prefix length`, 1);
    const prefixLength = buf[pos]!;
    if (prefixLength > maxPrefix && badIndex < 0) {
      badIndex = i;
      badAt = pos;
    }
    pos++;
    sink.encapsEntry(buf, flags, labelsAt, labelCount, addressAt, prefixLength);
  }
  r.pos = pos;
  r.expectEnd(name);
  if (badIndex >= 0) throw prefixViolation(name, badIndex, buf[badAt]!, badAt - offset);
  return sink.encapsEnd();
}

/**
 * Throws the Reader's error for `n` octets of `field` missing at `pos`. A
 * function of its own, not a closure over the walker's position: a captured
 * `pos` would live in a heap context, and every entry's reads would go there.
 */
function missing(r: Reader, pos: number, field: string, n: number): never {
  r.pos = pos;
  r.need(n, field);
  throw new Error('unreachable');
}

const ZERO = new Uint8Array(16);

export const ipv4Encapsulation = encapsulationCodec('IPV4_ENCAPSULATION');
export const ipv6Encapsulation = encapsulationCodec('IPV6_ENCAPSULATION');
export const mplsIpv4Encapsulation = encapsulationCodec('MPLS_IPV4_ENCAPSULATION');
export const mplsIpv6Encapsulation = encapsulationCodec('MPLS_IPV6_ENCAPSULATION');
