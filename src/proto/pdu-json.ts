// A reassembled PDU's octets straight to the JSON text of its decoded form,
// written as ASCII into a caller's byte buffer: `decode --json` spends most of
// its time building Pdu objects and strings that are printed once and dropped.
// The text is exactly JSON.stringify(decodePdu(pdu)), and a PDU is only written
// when decodePdu would accept it: the same length, count, trailing-octet,
// prefix-length and ACK checks (pdu/*.ts, validate.ts). Anything else returns -1
// and the caller takes the slow path, so error records keep one definition.
import { PduType } from './types.js';

/** Octets pduJsonInto may write for a PDU of `length` octets (IPv4 entries expand most, < 14×). */
export function pduJsonBound(length: number): number {
  return 16 * length + 256;
}

/**
 * Writes the JSON of the PDU in `pdu` into `out` from `at`; returns the position
 * after it, or -1 when decodePdu would reject the PDU (what was written is then
 * garbage past `at`). `out` must have pduJsonBound(pdu.length) octets free at `at`.
 */
export function pduJsonInto(pdu: Uint8Array, out: Uint8Array, at: number): number {
  if (out !== viewOf) {
    viewOf = out;
    view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }
  const len = pdu.length;
  if (len < 3) return -1;
  if (((pdu[1]! << 8) | pdu[2]!) !== len) return -1;
  const code = pdu[0]!;
  switch (code) {
    // Header only. A longer one (Length covering extra octets) is left to the
    // slow path, which decides whether that is an error (PROTOCOL.md says so).
    case PduType.HELLO:
      return len === 3 ? put(out, at, HELLO) : -1;
    case PduType.KEEPALIVE:
      return len === 3 ? put(out, at, KEEPALIVE) : -1;
    case PduType.OPEN:
      return openJson(pdu, out, at);
    case PduType.ACK:
      return ackJson(pdu, out, at);
    case PduType.IPV4_ENCAPSULATION:
      return encapsJson(pdu, out, at, IPV4_HEAD, false, false);
    case PduType.IPV6_ENCAPSULATION:
      return encapsJson(pdu, out, at, IPV6_HEAD, true, false);
    case PduType.MPLS_IPV4_ENCAPSULATION:
      return encapsJson(pdu, out, at, MPLS_IPV4_HEAD, false, true);
    case PduType.MPLS_IPV6_ENCAPSULATION:
      return encapsJson(pdu, out, at, MPLS_IPV6_HEAD, true, true);
    case PduType.VENDOR:
      return vendorJson(pdu, out, at);
    default: {
      // UNKNOWN: only the Length was checked (pdu/unknown.ts); raw is the whole PDU.
      let p = put(out, at, UNKNOWN_HEAD);
      p = putByte(p, code);
      p = put(out, p, RAW_KEY);
      p = putLongHex(out, p, pdu, 0, len);
      out[p] = QUOTE;
      out[p + 1] = CLOSE_BRACE;
      return p + 2;
    }
  }
}

// OPEN: Nonce (4) · Local ID (10) · Attribute Length (1) · Attributes · Auth Length (2) · Auth.
function openJson(pdu: Uint8Array, out: Uint8Array, at: number): number {
  const len = pdu.length;
  if (len < 18) return -1;
  const attrLen = pdu[17]!;
  const authAt = 18 + attrLen;
  if (authAt + 2 > len) return -1;
  const authLen = (pdu[authAt]! << 8) | pdu[authAt + 1]!;
  if (authAt + 2 + authLen !== len) return -1;
  let p = put(out, at, OPEN_HEAD);
  p = putHex(out, p, pdu, 3, 7);
  p = put(out, p, LOCAL_ID_KEY);
  p = putHex(out, p, pdu, 7, 17);
  p = put(out, p, ATTRIBUTES_KEY);
  p = putHex(out, p, pdu, 18, authAt);
  if (authLen > 0) {
    p = put(out, p, AUTH_KEY);
    p = putHex(out, p, pdu, authAt + 2, len);
  }
  out[p] = QUOTE;
  out[p + 1] = CLOSE_BRACE;
  return p + 2;
}

// ACK: Acked Type (1) · Error (type 4 bits, code 12) · Hint (2), with validate.ts's rules.
function ackJson(pdu: Uint8Array, out: Uint8Array, at: number): number {
  if (pdu.length !== 8) return -1;
  const ackType = pdu[3]!;
  if (ackType === PduType.HELLO || ackType === PduType.KEEPALIVE || ackType === PduType.ACK) return -1;
  const errorType = pdu[4]! >>> 4;
  const errorCode = ((pdu[4]! & 0x0f) << 8) | pdu[5]!;
  const errorHint = (pdu[6]! << 8) | pdu[7]!;
  if (errorType === 0 && (errorCode !== 0 || errorHint !== 0)) return -1;
  let p = put(out, at, ACK_HEAD);
  p = putByte(p, ackType);
  p = put(out, p, ERROR_TYPE_KEY);
  p = putByte(p, errorType);
  p = put(out, p, ERROR_CODE_KEY);
  p = putUint(out, p, errorCode);
  p = put(out, p, ERROR_HINT_KEY);
  p = putUint(out, p, errorHint);
  out[p] = CLOSE_BRACE;
  return p + 1;
}

// VENDOR: Enterprise Number (4) · Enterprise Type (1) · Data (the rest).
function vendorJson(pdu: Uint8Array, out: Uint8Array, at: number): number {
  const len = pdu.length;
  if (len < 8) return -1;
  let p = put(out, at, VENDOR_HEAD);
  p = putUint(out, p, ((pdu[3]! << 24) | (pdu[4]! << 16) | (pdu[5]! << 8) | pdu[6]!) >>> 0);
  p = put(out, p, ENTERPRISE_TYPE_KEY);
  p = putByte(p, pdu[7]!);
  p = put(out, p, DATA_KEY);
  p = putLongHex(out, p, pdu, 8, len);
  out[p] = QUOTE;
  out[p + 1] = CLOSE_BRACE;
  return p + 2;
}

// Count (2) · entries of Flags (1) · [Label Count (1) · Labels (3 each)] · address · Prefix Length (1).
function encapsJson(pdu: Uint8Array, out: Uint8Array, at: number, head: Ascii, ipv6: boolean, mpls: boolean): number {
  const len = pdu.length;
  if (len < 5) return -1;
  const count = (pdu[3]! << 8) | pdu[4]!;
  const addrLen = ipv6 ? 16 : 4;
  const maxPrefix = ipv6 ? 128 : 32;
  let p = put(out, at, head);
  let pos = 5;
  for (let i = 0; i < count; i++) {
    if (pos >= len) return -1;
    const flags = pdu[pos++]!;
    let labelsAt = 0;
    let labelCount = 0;
    if (mpls) {
      if (pos >= len) return -1;
      labelCount = pdu[pos++]!;
      labelsAt = pos;
      pos += 3 * labelCount;
      if (pos > len) return -1;
    }
    const addrAt = pos;
    pos += addrLen;
    if (pos >= len) return -1; // address and prefix length
    const prefix = pdu[pos++]!;
    if (prefix > maxPrefix) return -1;
    const tail = (prefix << 2) | ((flags >>> 6) & 3);
    if (i === 0) p = put(out, p, ADDRESS_FIRST);
    p = ipv6 ? putIPv6(out, p, pdu, addrAt) : putIPv4(out, p, pdu, addrAt);
    if (!mpls) {
      // The entry's end and the next entry's start in one copy.
      p = put(out, p, i + 1 < count ? ENTRY_TAIL_NEXT[tail]! : ENTRY_TAIL_LAST[tail]!);
      continue;
    }
    p = put(out, p, ENTRY_TAIL_LABELS[tail]!);
    for (let j = 0, q = labelsAt; j < labelCount; j++, q += 3) {
      if (j > 0) out[p++] = COMMA;
      out[p++] = QUOTE;
      p = putHex(out, p, pdu, q, q + 3);
      out[p++] = QUOTE;
    }
    out[p++] = CLOSE_BRACKET;
    out[p++] = CLOSE_BRACE;
    if (i + 1 < count) p = put(out, p, ADDRESS_NEXT);
  }
  if (pos !== len) return -1;
  out[p] = CLOSE_BRACKET;
  out[p + 1] = CLOSE_BRACE;
  return p + 2;
}

/** Dotted quad of pdu[at..at+4). */
function putIPv4(_out: Uint8Array, p: number, pdu: Uint8Array, at: number): number {
  let b = pdu[at]!;
  view.setUint32(p, DEC_DOT_WORD[b]!, true);
  p += DEC_LEN[b]! + 1;
  b = pdu[at + 1]!;
  view.setUint32(p, DEC_DOT_WORD[b]!, true);
  p += DEC_LEN[b]! + 1;
  b = pdu[at + 2]!;
  view.setUint32(p, DEC_DOT_WORD[b]!, true);
  p += DEC_LEN[b]! + 1;
  return putByte(p, pdu[at + 3]!);
}

/** 0..255 in decimal: its digits are stored as one word (the spare octets are overwritten next). */
function putByte(p: number, b: number): number {
  view.setUint32(p, DEC_WORD[b]!, true);
  return p + DEC_LEN[b]!;
}

const groups = new Uint16Array(8);

/** RFC 5952 text of pdu[at..at+16), as address.ts's formatIPv6 writes it. */
function putIPv6(out: Uint8Array, p: number, pdu: Uint8Array, at: number): number {
  let zeros = 0;
  for (let i = 0; i < 8; i++) {
    const g = (pdu[at + 2 * i]! << 8) | pdu[at + 2 * i + 1]!;
    groups[i] = g;
    if (g === 0) zeros |= 1 << i;
  }
  // IPv4-mapped (::ffff:0:0/96) keeps the dotted quad.
  if ((zeros & 0x1f) === 0x1f && groups[5] === 0xffff) {
    p = put(out, p, MAPPED_PREFIX);
    return putIPv4(out, p, pdu, at + 12);
  }
  const run = ZERO_RUN[zeros]!;
  if (run === 0) return putGroups(out, p, 0, 8);
  const start = run >>> 4;
  p = putGroups(out, p, 0, start);
  out[p++] = COLON;
  out[p++] = COLON;
  return putGroups(out, p, start + (run & 15), 8);
}

/**
 * By the mask of zero groups (bit i: group i is 0), the run that becomes "::":
 * the longest (the first on a tie) of two or more, as start << 4 | length; 0 if none.
 */
const ZERO_RUN = new Uint8Array(256);
for (let mask = 0; mask < 256; mask++) {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if ((mask & (1 << i)) === 0) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < 8 && (mask & (1 << j)) !== 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  ZERO_RUN[mask] = bestStart === -1 ? 0 : (bestStart << 4) | bestLen;
}

function putGroups(out: Uint8Array, p: number, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    if (i > from) out[p++] = COLON;
    const g = groups[i]!;
    // lowercase hex without leading zeros
    view.setUint32(p, GROUP_WORD[g]!, true);
    p += g >= 0x1000 ? 4 : g >= 0x100 ? 3 : g >= 0x10 ? 2 : 1;
  }
  return p;
}

/** pdu[from..to) as lowercase hex. */
function putHex(_out: Uint8Array, p: number, pdu: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++, p += 2) view.setUint16(p, HEX_PAIR[pdu[i]!]!, true);
  return p;
}

/** The same for long runs (VENDOR data, UNKNOWN raw): Node's own hex encoder is faster there. */
function putLongHex(out: Uint8Array, p: number, pdu: Uint8Array, from: number, to: number): number {
  if (to - from < 64) return putHex(out, p, pdu, from, to);
  const text = Buffer.from(pdu.buffer, pdu.byteOffset, pdu.byteLength).toString('hex', from, to);
  return p + Buffer.from(out.buffer, out.byteOffset, out.byteLength).write(text, p, 'latin1');
}

/** A non-negative integer (< 2^32) in decimal, as String(n). */
export function putUint(out: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    out[p] = 48 + n;
    return p + 1;
  }
  let digits = 1;
  for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
  let q = p + digits;
  for (let v = n; q > p; v = Math.floor(v / 10)) out[--q] = 48 + (v % 10);
  return p + digits;
}

/**
 * Copies constant text a word at a time (DataView stores are inlined and need
 * no alignment); up to 3 octets past the text are scribbled on and overwritten
 * by what follows, which pduJsonBound leaves room for.
 */
function put(_out: Uint8Array, p: number, text: Ascii): number {
  const words = text.words;
  for (let i = 0; i < words.length; i++) view.setUint32(p + 4 * i, words[i]!, true);
  return p + text.length;
}

/** Constant ASCII text into any `out` (for the line around the PDU), as `put` does. */
export function putAscii(out: Uint8Array, p: number, text: Ascii): number {
  if (out !== viewOf) {
    viewOf = out;
    view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }
  return put(out, p, text);
}

export interface Ascii {
  words: Uint32Array;
  length: number;
}

export function ascii(text: string): Ascii {
  const words = new Uint32Array(Math.ceil(text.length / 4));
  for (let i = 0; i < text.length; i++) words[i >>> 2]! |= text.charCodeAt(i) << (8 * (i & 3));
  return { words, length: text.length };
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const DOT = 0x2e;
const COLON = 0x3a;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const HEX_DIGIT = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** The view that `put` and friends write through: of the `out` of the current call. */
let viewOf: Uint8Array | null = null;
let view: DataView = new DataView(new ArrayBuffer(0));

/** 0..255 in decimal as one little-endian word, and the number of digits. */
const DEC_WORD = new Uint32Array(256);
/** the digits and a '.' (at most 4 octets: one word) */
const DEC_DOT_WORD = new Uint32Array(256);
const DEC_LEN = new Uint8Array(256);
const HEX_PAIR = new Uint16Array(256);
for (let b = 0; b < 256; b++) {
  const text = String(b);
  DEC_LEN[b] = text.length;
  for (let i = 0; i < text.length; i++) DEC_WORD[b]! |= text.charCodeAt(i) << (8 * i);
  DEC_DOT_WORD[b] = (DEC_WORD[b]! | (DOT << (8 * text.length))) >>> 0;
  const hex = b.toString(16).padStart(2, '0');
  HEX_PAIR[b] = hex.charCodeAt(0) | (hex.charCodeAt(1) << 8);
}
/** Each 16-bit value's hex digits without leading zeros, as one little-endian word. */
const GROUP_WORD = new Uint32Array(65536);
for (let hi = 0; hi < 256; hi++) {
  for (let lo = 0; lo < 256; lo++) {
    const word =
      hi >= 0x10 ? HEX_PAIR[hi]! | (HEX_PAIR[lo]! << 16)
      : hi > 0 ? HEX_DIGIT[hi]! | (HEX_PAIR[lo]! << 8)
      : lo >= 0x10 ? HEX_PAIR[lo]!
      : HEX_DIGIT[lo]!;
    GROUP_WORD[(hi << 8) | lo] = word >>> 0;
  }
}

const HELLO = ascii('{"type":"HELLO"}');
const KEEPALIVE = ascii('{"type":"KEEPALIVE"}');
const OPEN_HEAD = ascii('{"type":"OPEN","nonce":"');
const LOCAL_ID_KEY = ascii('","localId":"');
const ATTRIBUTES_KEY = ascii('","attributes":"');
const AUTH_KEY = ascii('","auth":"');
const ACK_HEAD = ascii('{"type":"ACK","ackType":');
const ERROR_TYPE_KEY = ascii(',"errorType":');
const ERROR_CODE_KEY = ascii(',"errorCode":');
const ERROR_HINT_KEY = ascii(',"errorHint":');
const VENDOR_HEAD = ascii('{"type":"VENDOR","enterpriseNumber":');
const ENTERPRISE_TYPE_KEY = ascii(',"enterpriseType":');
const DATA_KEY = ascii(',"data":"');
const UNKNOWN_HEAD = ascii('{"type":"UNKNOWN","typeCode":');
const RAW_KEY = ascii(',"raw":"');
const IPV4_HEAD = ascii('{"type":"IPV4_ENCAPSULATION","encaps":[');
const IPV6_HEAD = ascii('{"type":"IPV6_ENCAPSULATION","encaps":[');
const MPLS_IPV4_HEAD = ascii('{"type":"MPLS_IPV4_ENCAPSULATION","encaps":[');
const MPLS_IPV6_HEAD = ascii('{"type":"MPLS_IPV6_ENCAPSULATION","encaps":[');
const ADDRESS_FIRST = ascii('{"address":"');
const ADDRESS_NEXT = ascii(',{"address":"');
/**
 * Everything of an entry between its address and its labels, by prefix length
 * (0..128) << 2 | flags >>> 6 (Primary is 0x80, Loopback 0x40): one copy per entry.
 */
const ENTRY_TAIL_TEXT = Array.from(
  { length: 129 * 4 },
  (_, i) => `","prefixLength":${i >>> 2},"primary":${(i & 2) !== 0},"loopback":${(i & 1) !== 0}`,
);
/** the same, then the MPLS labels' key */
const ENTRY_TAIL_LABELS = ENTRY_TAIL_TEXT.map((t) => ascii(t + ',"labels":['));
/** the same, closing the entry (no labels): the last one, or followed by the next one's start */
const ENTRY_TAIL_LAST = ENTRY_TAIL_TEXT.map((t) => ascii(t + '}'));
const ENTRY_TAIL_NEXT = ENTRY_TAIL_TEXT.map((t) => ascii(t + '},{"address":"'));
const MAPPED_PREFIX = ascii('::ffff:');
