// Byte-to-hex strings from tables: decoders turn labels, nonces and address
// groups into text for every entry of every PDU, and a table lookup is several
// times cheaper than Buffer#toString('hex') or Number#toString(16) per value.

/** '00'..'ff' */
export const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

const GROUP_CACHE: (string | undefined)[] = new Array(65536);

/** A 16-bit value in lowercase hex without leading zeros (an IPv6 group). */
export function hex16(n: number): string {
  return GROUP_CACHE[n] ?? (GROUP_CACHE[n] = n.toString(16));
}

/** Octets [start, end) of `buf` as lowercase hex. */
export function hexOf(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX_BYTE[buf[i]!];
  return s;
}
