// LSOE frame checksum (PROTOCOL.md section 2): four running sums of S-box values,
// one per octet position mod 4, folded into 32 bits. Hot path: a table lookup per
// two octets of a long payload, per octet of a short one; no closures.

/** The Skipjack F-table (public, from the Skipjack specification). */
const SBOX = Uint8Array.from(
  Buffer.from(
    'a3d70983f848f6f4b321157899b1aff9' +
    'e72d4d8ace4cca2e5295d91e4e384428' +
    '0adf02a017f1606812b77ac3e9fa3d53' +
    '96846bbaf2639a197caee5f5f7166aa2' +
    '39b67b0fc193811beeb41aead0912fb8' +
    '55b9da853f41bfe05a58805f660bd890' +
    '35d5c0a733066569450094566d989b76' +
    '97fcb2c2b0fedb20e1ebd6e4dd474a1d' +
    '42ed9e6e493ccd4327d207d4dec76718' +
    '89cb301f8dc68faac874dcc95d5c31a4' +
    '7088612c9f0d2b8750825464267d0340' +
    '344b1c73d1c4fd3bccfb7fabe63e5ba5' +
    'ad04239c145122f02979717eff8c0ee2' +
    '0cefbc72756f37a1ecd38e628b8610e8' +
    '087711be924f24c532369dcff3a6bbac' +
    '5e6ca9135725b5e3bda83a0105592a46',
    'hex',
  ),
);

const TWO_32 = 0x1_0000_0000;

/**
 * Checksum of one frame: the 8-octet header with Version and Checksum taken as
 * zero, then the payload. The four sums are kept as two, s01 = s0·256 + s1 and
 * s23 = s2·256 + s3, as the result only ever needs s0·2^24 + s1·2^16 + s2·2^8 + s3.
 * Sums stay far below 2^53, so plain numbers are exact.
 */
export function lsoeChecksum(header: Uint8Array, payload: Uint8Array, headerAt = 0): number {
  const s = SBOX;
  const z = s[0]!;
  // Header positions 0 and 4 (Version, first checksum octet) count as 0 and land in
  // s0; 1..3 in s1..s3; 5..7 (checksum, zeroed) as 0 again.
  let s01 = (z + z) * 256 + s[header[headerAt + 1]!]! + z;
  let s23 = (s[header[headerAt + 2]!]! + z) * 256 + s[header[headerAt + 3]!]! + z;
  // The payload starts at position 8, a multiple of 4, so payload[i] goes to sums[i % 4].
  const n = payload.length;
  const n4 = n - (n & 3);
  let i = 0;
  if (n4 >= PAIRS_FROM) {
    // Four octets a read (one bounds check, not four) and two octets a lookup.
    const t = (pairs ??= pairTable());
    const words = new DataView(payload.buffer, payload.byteOffset, n4);
    for (; i < n4; i += 4) {
      const w = words.getUint32(i);
      s01 += t[w >>> 16]!;
      s23 += t[w & 0xffff]!;
    }
  } else {
    for (; i < n4; i += 4) {
      s01 += s[payload[i]!]! * 256 + s[payload[i + 1]!]!;
      s23 += s[payload[i + 2]!]! * 256 + s[payload[i + 3]!]!;
    }
  }
  if (i < n) s01 += s[payload[i++]!]! * 256;
  if (i < n) s01 += s[payload[i++]!]!;
  if (i < n) s23 += s[payload[i]!]! * 256;
  return fold(s01 * 0x1_0000 + s23);
}

/** Folded twice: r = (r >> 32) + (r & 0xffffffff), written without 32-bit shifts. */
function fold(r: number): number {
  r = Math.floor(r / TWO_32) + (r % TWO_32);
  return Math.floor(r / TWO_32) + (r % TWO_32);
}

/**
 * Payloads of at least this many octets (8 words) go through the pair table,
 * read through a DataView made for them; shorter ones (KEEPALIVE, ACK, HELLO:
 * most frames of a session) are summed an octet at a time, where a DataView
 * would cost more than it saves. Measured over the bench's 100k typical capture
 * in a fresh process (the cold run decode makes): 30-38 ms before (an octet a
 * lookup for the first megabyte, then pairs, and one deoptimisation when the
 * table arrived), 16-19 ms so.
 */
const PAIRS_FROM = 32;

/**
 * S[a] << 8 | S[b] for the octet pair a, b: half the lookups per payload
 * octet. 128 KB, built by the first payload of PAIRS_FROM octets or more (a
 * process that sees only KEEPALIVEs, ACKs and HELLOs never builds it; a
 * daemon does at its first OPEN); building it at load would cost every start
 * ~2.5 ms. The sums are the same either way
 * (test/proto/checksum).
 */
let pairs: Uint16Array | null = null;

function pairTable(): Uint16Array {
  const t = new Uint16Array(65536);
  for (let a = 0; a < 256; a++) {
    const high = SBOX[a]! << 8;
    for (let b = 0; b < 256; b++) t[(a << 8) | b] = high | SBOX[b]!;
  }
  return t;
}
