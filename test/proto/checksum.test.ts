import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lsoeChecksum } from '../../src/proto/checksum.js';
import { loadReferenceVectors, repoRoot } from '../helpers/vectors.js';
import { mulberry32, randomBytes } from './mulberry32.js';

// A literal transcription of the PROTOCOL.md pseudo-code in BigInt, with the S-box
// read from PROTOCOL.md itself, to check the unrolled fast version against.
const doc = readFileSync(path.resolve(repoRoot(), '../shared/docs/PROTOCOL.md'), 'utf8');
const table = /F-table[^`]*```\n([\s\S]*?)```/.exec(doc)![1]!.trim().split(/\s+/).map((h) => parseInt(h, 16));

function slowChecksum(header: Uint8Array, payload: Uint8Array): number {
  const h = Buffer.from(header.subarray(0, 8));
  h[0] = 0;
  h.fill(0, 4, 8);
  const all = Buffer.concat([h, payload]);
  const sums = [0n, 0n, 0n, 0n];
  for (let i = 0; i < all.length; i++) sums[i % 4]! += BigInt(table[all[i]!]!);
  let r = (sums[0]! << 24n) + (sums[1]! << 16n) + (sums[2]! << 8n) + sums[3]!;
  for (let k = 0; k < 2; k++) r = (r >> 32n) + (r & 0xffffffffn);
  return Number(r);
}

t.equal(table.length, 256, 'S-box read from PROTOCOL.md');

t.test('reference vectors carry the checksum we compute', (t) => {
  for (const v of loadReferenceVectors().vectors) {
    for (const hex of v.frames) {
      const frame = Buffer.from(hex, 'hex').subarray(14);
      const length = frame.readUInt16BE(2);
      t.equal(lsoeChecksum(frame, frame.subarray(8, length)), frame.readUInt32BE(4), v.name);
    }
  }
  t.end();
});

t.test('version and checksum octets do not count', (t) => {
  const a = Buffer.from('0080000b00000000', 'hex');
  const b = Buffer.from('0780000bdeadbeef', 'hex');
  const p = Buffer.from('020003', 'hex');
  t.equal(lsoeChecksum(a, p), lsoeChecksum(b, p));
  t.end();
});

t.test('fast version equals the literal pseudo-code', (t) => {
  const rand = mulberry32(0x5eed);
  let mismatches = 0;
  const lengths = [0, 1, 2, 3, 4, 5, 7, 1492, 65527];
  for (let i = 0; i < 300; i++) {
    const n = i < lengths.length ? lengths[i]! : (rand() * 2000) | 0;
    const header = randomBytes(rand, 8);
    const payload = randomBytes(rand, n);
    if (lsoeChecksum(header, payload) !== slowChecksum(header, payload)) mismatches++;
  }
  // all-0xff-sbox worst case: the largest sums
  const big = Buffer.alloc(65527, table.indexOf(0xff));
  if (lsoeChecksum(Buffer.alloc(8), big) !== slowChecksum(Buffer.alloc(8), big)) mismatches++;
  t.equal(mismatches, 0, '301 inputs agree');
  t.end();
});

t.test('short payloads (an octet at a time) and long ones (words, pairs) both equal the literal pseudo-code', (t) => {
  const rand = mulberry32(0xbeef);
  let mismatches = 0;
  // around the switch at 32 octets (PAIRS_FROM), and odd tails on both sides
  const lengths = [0, 1, 2, 3, 4, 5, 6, 7, 28, 29, 30, 31, 32, 33, 34, 35, 36, 127, 128, 1492, 65527];
  for (let i = 0; i < 300; i++) {
    const n = i < lengths.length ? lengths[i]! : (rand() * 2000) | 0;
    const header = randomBytes(rand, 8);
    const payload = randomBytes(rand, n);
    if (lsoeChecksum(header, payload) !== slowChecksum(header, payload)) mismatches++;
    // a frame inside a larger buffer at an odd offset (headerAt, and a payload view
    // whose words are unaligned), as decode passes it
    const framed = Buffer.concat([randomBytes(rand, 5), header, payload]);
    if (lsoeChecksum(framed, framed.subarray(13), 5) !== slowChecksum(header, payload)) mismatches++;
  }
  const big = Buffer.alloc(65527, table.indexOf(0xff));
  if (lsoeChecksum(Buffer.alloc(8, 0xff), big) !== slowChecksum(Buffer.alloc(8, 0xff), big)) mismatches++;
  t.equal(mismatches, 0, '601 inputs agree');
  t.end();
});
