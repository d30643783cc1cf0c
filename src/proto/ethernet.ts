// Ethernet II header: parse (skipping VLAN tags, PROTOCOL.md section 1), build, and
// MAC address text.
import { DecodeError } from './errors.js';

export const HELLO_MULTICAST = '01:80:c2:00:00:0e';
export const DEFAULT_ETHERTYPE = 0x88b5;
/** 802.1Q, 802.1ad, and the pre-standard QinQ tag. */
const VLAN_TPIDS: ReadonlySet<number> = new Set([0x8100, 0x88a8, 0x9100]);
const HEADER_LENGTH = 14;

export interface EthernetFrame {
  dst: string;
  src: string;
  ethertype: number;
  /** view of the octets after the (last) EtherType, padding included */
  payload: Buffer;
  /** VLAN IDs (low 12 bits of each TCI), outermost first */
  vlanTags: number[];
}

export function parseEthernet(bytes: Buffer): EthernetFrame {
  if (bytes.length < HEADER_LENGTH) {
    throw new DecodeError('truncated', `Ethernet header: needs 14 octets, got ${bytes.length}`, bytes.length);
  }
  let at = 12;
  let ethertype = (bytes[at]! << 8) | bytes[at + 1]!;
  const vlanTags: number[] = [];
  while (VLAN_TPIDS.has(ethertype)) {
    if (bytes.length < at + 6) {
      throw new DecodeError('truncated', `Ethernet VLAN tag at offset ${at}: needs ${at + 6} octets, got ${bytes.length}`, at);
    }
    vlanTags.push(((bytes[at + 2]! << 8) | bytes[at + 3]!) & 0xfff);
    at += 4;
    ethertype = (bytes[at]! << 8) | bytes[at + 1]!;
  }
  return {
    dst: macToString(bytes, 0),
    src: macToString(bytes, 6),
    ethertype,
    payload: bytes.subarray(at + 2),
    vlanTags,
  };
}

/**
 * Octets of MAC texts recently sent from or to: a daemon sends its keepalives between the
 * same two addresses every second, and parsing the text (a regular expression, a hex
 * decode) was most of building a header. Bounded: emptied when full.
 */
const macOctets = new Map<string, Buffer>();
const MAC_OCTETS_KEPT = 1024;

function macOctetsOf(text: string): Buffer | null {
  const known = macOctets.get(text);
  if (known !== undefined) return known;
  const parsed = parseMac(text);
  if (parsed === null) return null;
  if (macOctets.size >= MAC_OCTETS_KEPT) macOctets.clear();
  macOctets.set(text, parsed);
  return parsed;
}

/**
 * Builds an untagged Ethernet II frame, zero-padded to `minLength` octets if shorter
 * (0: no padding, the NIC adds it), in one buffer: a new one, or the start of `into`
 * (a sender's reused buffer; it must hold the padded frame).
 */
export function buildEthernet(dst: string, src: string, ethertype: number, payload: Uint8Array, minLength = 0, into?: Buffer): Buffer {
  const d = macOctetsOf(dst);
  const s = macOctetsOf(src);
  if (d === null) throw new DecodeError('pdu', `destination MAC: ${JSON.stringify(dst)} is not a MAC address`, 0);
  if (s === null) throw new DecodeError('pdu', `source MAC: ${JSON.stringify(src)} is not a MAC address`, 6);
  if (!Number.isInteger(ethertype) || ethertype < 0 || ethertype > 0xffff) {
    throw new DecodeError('pdu', `EtherType: ${ethertype} does not fit 16 bits`, 12);
  }
  const length = HEADER_LENGTH + payload.length;
  let out: Buffer;
  if (into === undefined) out = length < minLength ? Buffer.alloc(minLength) : Buffer.allocUnsafe(length);
  else if (into.length < Math.max(length, minLength)) throw new RangeError(`buildEthernet: ${into.length} octets cannot hold a ${Math.max(length, minLength)}-octet frame`);
  else {
    out = into;
    if (length < minLength) out.fill(0, length, minLength);
  }
  out.set(d, 0);
  out.set(s, 6);
  out[12] = ethertype >>> 8;
  out[13] = ethertype & 0xff;
  out.set(payload, HEADER_LENGTH);
  return out;
}

/**
 * Text of recently seen MACs by their 48-bit value: a link carries few distinct
 * addresses, and building the string is the dearest part of parsing a header.
 * Direct-mapped (a slot per hash, the newest address wins it), so in a flood of
 * spoofed addresses each string is soon let go and dies young instead of
 * filling V8's old generation.
 */
const MAC_SLOTS = 1024;
const macKeys = new Float64Array(MAC_SLOTS);
const macTexts: string[] = new Array<string>(MAC_SLOTS).fill('');

/** aa:bb:cc:dd:ee:ff of the 6 octets at `offset`. */
export function macToString(buf: Uint8Array, offset = 0): string {
  const hi = (buf[offset]! << 8) | buf[offset + 1]!;
  const lo = ((buf[offset + 2]! << 24) | (buf[offset + 3]! << 16) | (buf[offset + 4]! << 8) | buf[offset + 5]!) >>> 0;
  // + 1: an empty slot (0) is never a hit
  const key = hi * 0x1_0000_0000 + lo + 1;
  const slot = (Math.imul(lo ^ hi, 0x9e3779b1) >>> 22) & (MAC_SLOTS - 1);
  if (macKeys[slot] === key) return macTexts[slot]!;
  const text = macText(buf[offset]!, buf[offset + 1]!, buf[offset + 2]!, buf[offset + 3]!, buf[offset + 4]!, buf[offset + 5]!);
  macKeys[slot] = key;
  macTexts[slot] = text;
  return text;
}

/**
 * A flat string (one run of octets), made from its character codes: a template
 * literal makes a rope of eleven pieces, and every later read of its characters
 * walks the rope (a JSON copy by charCodeAt: ~1,130 instructions from the rope,
 * ~940 flat, callgrind).
 */
function macText(a: number, b: number, c: number, d: number, e: number, f: number): string {
  const h = HEX_DIGIT;
  // prettier-ignore
  return String.fromCharCode(
    h[a >> 4]!, h[a & 15]!, COLON, h[b >> 4]!, h[b & 15]!, COLON, h[c >> 4]!, h[c & 15]!, COLON,
    h[d >> 4]!, h[d & 15]!, COLON, h[e >> 4]!, h[e & 15]!, COLON, h[f >> 4]!, h[f & 15]!,
  );
}
const HEX_DIGIT = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const COLON = 0x3a;

const MAC_TEXT = /^[0-9a-f]{2}([:-])[0-9a-f]{2}\1[0-9a-f]{2}\1[0-9a-f]{2}\1[0-9a-f]{2}\1[0-9a-f]{2}$|^[0-9a-f]{12}$/i;

/**
 * The 6 octets of a MAC written aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff (lsoed's
 * config style) or aabbccddeeff, any case; null if the text is not one. Returning
 * null lets callers (config, CLI) report the key or flag that held it.
 */
export function parseMac(text: string): Buffer | null {
  if (typeof text !== 'string' || !MAC_TEXT.test(text)) return null;
  return Buffer.from(text.replace(/[:-]/g, ''), 'hex');
}

/** Canonical aa:bb:cc:dd:ee:ff form of MAC text, or null. */
export function normalizeMac(text: string): string | null {
  const b = parseMac(text);
  return b === null ? null : macToString(b, 0);
}
