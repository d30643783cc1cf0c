// The four encapsulation PDUs (types 4-7): Count (2) · Count × entry, where an entry
// is Flags (1) · [MPLS: Label Count (1) · Labels (3 each)] · address (4 or 16) ·
// Prefix Length (1). Labels are kept as their 3 octets in hex (RFC 3032 label,
// TC, S), as the reference treats them as opaque. Flag bits other than Primary
// and Loopback are ignored on decode (the model cannot carry them) and never sent.
import { Reader } from '../cursor.js';
import { DecodeError } from '../errors.js';
import { EncapsFlag, PduType, type Encapsulation, type EncapsulationPdu, type EncapsulationTypeName } from '../types.js';
import { HEX_BYTE } from '../hex.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './address.js';
import { checkHex, checkUint, PDU_HEADER_LENGTH, readHeader, startPdu, type PduCodec } from './codec.js';

export const LABEL_LENGTH = 3;

function encapsulationCodec(name: EncapsulationTypeName, ipv6: boolean, mpls: boolean): PduCodec<EncapsulationPdu> {
  const T = PduType[name];
  const addrLen = ipv6 ? 16 : 4;
  const fixed = 1 + (mpls ? 1 : 0) + addrLen + 1;
  const entryLength = (e: Encapsulation): number =>
    fixed + (mpls ? LABEL_LENGTH * (Array.isArray(e.labels) ? e.labels.length : 0) : 0);

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
      const r = new Reader(buf, offset, end, T);
      readHeader(r, T, name);
      const count = r.u16(`${name} count`);
      const encaps: Encapsulation[] = new Array(count);
      // Hot path (a capture can hold thousands of entries): index the buffer
      // directly and build field names only when something is missing.
      let pos = r.pos;
      const short = (i: number, what: string, n: number): never => {
        r.pos = pos;
        r.need(n, `${name} entry ${i} ${what}`);
        throw new Error('unreachable');
      };
      for (let i = 0; i < count; i++) {
        if (pos >= end) short(i, 'flags', 1);
        const flags = buf[pos++]!;
        let labels: string[] | undefined;
        if (mpls) {
          if (pos >= end) short(i, 'label count', 1);
          const n = buf[pos++]!;
          if (pos + n * LABEL_LENGTH > end) {
            const whole = Math.floor((end - pos) / LABEL_LENGTH);
            pos += whole * LABEL_LENGTH;
            short(i, `label ${whole}`, LABEL_LENGTH);
          }
          labels = new Array(n);
          for (let j = 0; j < n; j++, pos += LABEL_LENGTH) labels[j] = HEX_BYTE[buf[pos]!]! + HEX_BYTE[buf[pos + 1]!]! + HEX_BYTE[buf[pos + 2]!]!;
        }
        if (pos + addrLen > end) short(i, 'address', addrLen);
        const address = ipv6 ? formatIPv6(buf, pos) : formatIPv4(buf, pos);
        pos += addrLen;
        if (pos >= end) short(i, 'prefix length', 1);
        const e: Encapsulation = {
          address,
          prefixLength: buf[pos++]!,
          primary: (flags & EncapsFlag.PRIMARY) !== 0,
          loopback: (flags & EncapsFlag.LOOPBACK) !== 0,
        };
        if (labels !== undefined) e.labels = labels;
        encaps[i] = e;
      }
      r.pos = pos;
      r.expectEnd(name);
      return { type: name, encaps };
    },
    encodingLength(value) {
      let n = PDU_HEADER_LENGTH + 2;
      for (const e of value.encaps) n += entryLength(e);
      return n;
    },
  };
  return codec;
}

const ZERO = new Uint8Array(16);

export const ipv4Encapsulation = encapsulationCodec('IPV4_ENCAPSULATION', false, false);
export const ipv6Encapsulation = encapsulationCodec('IPV6_ENCAPSULATION', true, false);
export const mplsIpv4Encapsulation = encapsulationCodec('MPLS_IPV4_ENCAPSULATION', false, true);
export const mplsIpv6Encapsulation = encapsulationCodec('MPLS_IPV6_ENCAPSULATION', true, true);

/** Octets of one entry of `type` (for offsets in validation). */
export function encapsulationEntryLength(type: EncapsulationTypeName, e: Encapsulation): number {
  const ipv6 = type === 'IPV6_ENCAPSULATION' || type === 'MPLS_IPV6_ENCAPSULATION';
  const mpls = type.startsWith('MPLS');
  return 1 + (mpls ? 1 + LABEL_LENGTH * (e.labels?.length ?? 0) : 0) + (ipv6 ? 16 : 4) + 1;
}
