import { hex16 } from '../hex.js';

// IPv4 / IPv6 text <-> octets, without the OS. IPv6 is printed in RFC 5952 form:
// lowercase, no leading zeros, the longest run (first on a tie) of two or more
// zero groups shortened to "::", and ::ffff:a.b.c.d for IPv4-mapped addresses.

/** Dotted quad of 4 octets at `offset`. */
export function formatIPv4(buf: Uint8Array, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** Writes a dotted quad into `out` at `offset`; false if the text is not one. */
export function parseIPv4(text: string, out: Uint8Array, offset: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return false;
    const v = Number(p);
    if (v > 255) return false;
    out[offset + i] = v;
  }
  return true;
}

/**
 * RFC 5952's choice of the zero run that becomes "::", by the mask of zero
 * groups (bit i: group i is 0): the longest run (the first on a tie) of two or
 * more, as start << 4 | length; 0 if none. Every IPv6 formatter reads this one
 * table (formatIPv6 here, the JSON byte writer in render/).
 */
export const ZERO_RUN = new Uint8Array(256);
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

/**
 * The mask of zero groups of 16 octets at `offset`, for ZERO_RUN. Unrolled and
 * without branches (a group's bit is 1 when its two octets OR to 0, so their
 * OR minus 1 is negative): the JSON writer calls this for every IPv6 address.
 */
export function zeroGroups(buf: Uint8Array, offset: number): number {
  const b = buf;
  const o = offset;
  return (
    (((b[o]! | b[o + 1]!) - 1) >>> 31) |
    ((((b[o + 2]! | b[o + 3]!) - 1) >>> 31) << 1) |
    ((((b[o + 4]! | b[o + 5]!) - 1) >>> 31) << 2) |
    ((((b[o + 6]! | b[o + 7]!) - 1) >>> 31) << 3) |
    ((((b[o + 8]! | b[o + 9]!) - 1) >>> 31) << 4) |
    ((((b[o + 10]! | b[o + 11]!) - 1) >>> 31) << 5) |
    ((((b[o + 12]! | b[o + 13]!) - 1) >>> 31) << 6) |
    ((((b[o + 14]! | b[o + 15]!) - 1) >>> 31) << 7)
  );
}

/** IPv4-mapped (::ffff:0:0/96) keeps the dotted quad (RFC 5952 section 5). */
export function isIPv4Mapped(buf: Uint8Array, offset: number, zeros: number): boolean {
  return (zeros & 0x1f) === 0x1f && buf[offset + 10] === 0xff && buf[offset + 11] === 0xff;
}

/** RFC 5952 text of 16 octets at `offset`. */
export function formatIPv6(buf: Uint8Array, offset: number): string {
  const zeros = zeroGroups(buf, offset);
  if (isIPv4Mapped(buf, offset, zeros)) return `::ffff:${formatIPv4(buf, offset + 12)}`;
  const run = ZERO_RUN[zeros]!;
  if (run === 0) return joinGroups(buf, offset, 0, 8);
  const start = run >>> 4;
  return joinGroups(buf, offset, 0, start) + '::' + joinGroups(buf, offset, start + (run & 15), 8);
}

function joinGroups(buf: Uint8Array, offset: number, from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) {
    const g = (buf[offset + 2 * i]! << 8) | buf[offset + 2 * i + 1]!;
    text += i === from ? hex16(g) : ':' + hex16(g);
  }
  return text;
}

/** Writes any valid IPv6 text (with "::" or a dotted-quad tail) into `out`; false if invalid. */
export function parseIPv6(text: string, out: Uint8Array, offset: number): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : [];
  const groups: number[] = [];
  const all = [...head, ...tail];
  const v4 = new Uint8Array(4);
  let v4Tail = false;
  for (let i = 0; i < all.length; i++) {
    const g = all[i]!;
    if (i === all.length - 1 && g.includes('.')) {
      if (!parseIPv4(g, v4, 0)) return false;
      v4Tail = true;
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
    groups.push(parseInt(g, 16));
  }
  if (v4Tail) groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
  // a dotted quad may only end the address: "a::1.2.3.4", never "1.2.3.4::"
  if (v4Tail && halves.length === 2 && tail.length === 0) return false;
  const headCount = head.length;
  if (halves.length === 1) {
    if (groups.length !== 8) return false;
  } else if (groups.length > 7) {
    return false;
  }
  const missing = 8 - groups.length;
  const full =
    halves.length === 1
      ? groups
      : [...groups.slice(0, headCount), ...new Array<number>(missing).fill(0), ...groups.slice(headCount)];
  for (let i = 0; i < 8; i++) {
    out[offset + 2 * i] = full[i]! >>> 8;
    out[offset + 2 * i + 1] = full[i]! & 0xff;
  }
  return true;
}

