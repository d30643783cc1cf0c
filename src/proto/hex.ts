// Byte-to-hex strings from tables: decoders turn labels, nonces and address
// groups into text for every entry of every PDU, and a table lookup is several
// times cheaper than Buffer#toString('hex') or Number#toString(16) per value.

/** '00'..'ff' */
export const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * Group texts by value, made at the first group: 512 KB that every command loading this
 * module would otherwise allocate at start (decode --json never formats a group here).
 */
let groupCache: (string | undefined)[] | null = null;

/** A 16-bit value in lowercase hex without leading zeros (an IPv6 group). */
export function hex16(n: number): string {
  const cache = (groupCache ??= new Array<string | undefined>(65536));
  return cache[n] ?? (cache[n] = n.toString(16));
}

/** Octets [start, end) of `buf` as lowercase hex. */
export function hexOf(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX_BYTE[buf[i]!];
  return s;
}
