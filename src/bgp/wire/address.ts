// IP addresses as octets for the BGP codecs, over the LSOE library's text ↔ octet
// functions (src/proto/pdu/address.ts), so both sides print addresses alike.
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../proto/pdu/address.js';
import { BgpMessageError } from './errors.js';

/** 4 octets of a dotted quad; throws a plain Error (a bug of ours, not the peer's) if it is not one. */
export function ipv4Octets(text: string): Buffer {
  const b = Buffer.alloc(4);
  if (!parseIPv4(text, b, 0)) throw new Error(`'${text}' is not an IPv4 address`);
  return b;
}

export function ipv6Octets(text: string): Buffer {
  const b = Buffer.alloc(16);
  if (!parseIPv6(text, b, 0)) throw new Error(`'${text}' is not an IPv6 address`);
  return b;
}

/** Octets of an IPv4 or IPv6 address text. */
export function ipOctets(text: string): Buffer {
  return text.includes(':') ? ipv6Octets(text) : ipv4Octets(text);
}

export function ipText(buf: Uint8Array): string {
  if (buf.length === 4) return formatIPv4(buf, 0);
  if (buf.length === 16) return formatIPv6(buf, 0);
  throw new BgpMessageError(3, 1, `an address of ${buf.length} octets`);
}

/** The address with the bits past `length` cleared (the network of a prefix). */
export function maskPrefix(octets: Buffer, length: number): Buffer {
  const out = Buffer.from(octets);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, length - i * 8));
    out[i] = out[i]! & ((0xff00 >> keep) & 0xff);
  }
  return out;
}

/** A 32-bit number from a dotted quad (router-id ordering). */
export function ipv4Number(text: string): number {
  return ipv4Octets(text).readUInt32BE(0);
}
