// The guard of the one JSON path: a PDU walked into the JSON byte sink must
// give exactly JSON.stringify of what the same walk gives into the object
// sink (decodePdu's result), and both must refuse the same PDUs with the same
// error. The walk is shared, so this checks the two sinks, on the reference
// vectors (against their expected JSON, not only each other), hand-picked
// edge cases, and 60,000 seeded random and mutated PDUs.
import t from 'tap';
import { DecodeError } from '../../src/proto/errors.js';
import { OBJECT_SINK } from '../../src/proto/pdu/object-sink.js';
import { encodePdu, walkPdu } from '../../src/proto/pdu/index.js';
import type { Encapsulation, Pdu } from '../../src/proto/types.js';
import { ByteWriter } from '../../src/render/byte-writer.js';
import { PduJsonSink } from '../../src/render/pdu-json-sink.js';
import { seededRandom } from '../helpers/fake-clock.js';
import { SAMPLE_PDUS } from '../helpers/pdu-samples.js';
import { loadReferenceVectors } from '../helpers/vectors.js';

const chunks: Buffer[] = [];
const writer = new ByteWriter((c) => chunks.push(Buffer.from(c)));
const sink = new PduJsonSink(writer);

/** The byte sink's text for a PDU, or the error it was refused with. */
function viaBytes(pdu: Buffer): string | DecodeError {
  writer.beginRecord();
  try {
    walkPdu(pdu, sink);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    writer.rewind();
    writer.endRecord();
    return err;
  } finally {
    writer.endRecord();
  }
  // What was handed over (a large PDU moves the batch) and what is still in the buffer.
  const text = Buffer.concat(chunks).toString('utf8') + writer.buf.toString('utf8', 0, writer.pos);
  chunks.length = 0;
  writer.pos = 0;
  return text;
}

/** JSON.stringify of the object sink's result, or the error. */
function viaObject(pdu: Buffer): string | DecodeError {
  try {
    return JSON.stringify(walkPdu(pdu, OBJECT_SINK));
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return err;
  }
}

/** null when the sinks agree (same text, or the same error); else what differs. */
function disagreement(pdu: Buffer): string | null {
  const a = viaBytes(pdu);
  const b = viaObject(pdu);
  if (typeof a === 'string' && typeof b === 'string') return a === b ? null : `${pdu.toString('hex')}:\n bytes  ${a}\n object ${b}`;
  if (a instanceof DecodeError && b instanceof DecodeError) return a.message === b.message && a.offset === b.offset ? null : `${pdu.toString('hex')}: ${a.message} / ${b.message}`;
  return `${pdu.toString('hex')}: one sink refused it: ${String(a)} / ${String(b)}`;
}

// ---- generators (all from one seeded generator) ----

type Rand = () => number;
const int = (rand: Rand, n: number): number => Math.floor(rand() * n);
const hexOf = (rand: Rand, n: number): string => Buffer.from(Array.from({ length: n }, () => int(rand, 256))).toString('hex');

function ipv4(rand: Rand): string {
  const pick = (): number => [0, 255, 1, 10, 100, 99, 9][int(rand, 7)] ?? int(rand, 256);
  return Array.from({ length: 4 }, () => (rand() < 0.5 ? int(rand, 256) : pick())).join('.');
}

/** IPv6 text with many zero groups, so every '::' placement and tie comes up. */
function ipv6(rand: Rand): string {
  const kind = int(rand, 10);
  if (kind === 0) return `::ffff:${ipv4(rand)}`;
  if (kind === 1) return '::';
  const groups = Array.from({ length: 8 }, () => {
    const r = rand();
    if (r < 0.45) return 0;
    if (r < 0.55) return 0xffff;
    if (r < 0.7) return int(rand, 16);
    if (r < 0.8) return int(rand, 256);
    if (r < 0.9) return int(rand, 4096);
    return int(rand, 65536);
  });
  return groups.map((g) => g.toString(16)).join(':');
}

function encaps(rand: Rand, v6: boolean, mpls: boolean, n: number): Encapsulation[] {
  return Array.from({ length: n }, () => {
    const e: Encapsulation = {
      address: v6 ? ipv6(rand) : ipv4(rand),
      prefixLength: int(rand, v6 ? 129 : 33),
      primary: rand() < 0.5,
      loopback: rand() < 0.5,
    };
    if (mpls) e.labels = Array.from({ length: int(rand, 5) }, () => hexOf(rand, 3));
    return e;
  });
}

function randomPdu(rand: Rand): Pdu {
  const n = int(rand, 6);
  switch (int(rand, 11)) {
    case 0:
      return { type: 'HELLO' };
    case 1:
      return { type: 'KEEPALIVE' };
    case 2: {
      const p: Pdu = { type: 'OPEN', nonce: hexOf(rand, 4), localId: hexOf(rand, 10), attributes: hexOf(rand, int(rand, 6)) };
      if (rand() < 0.3) p.auth = hexOf(rand, int(rand, 5));
      return p;
    }
    case 3: {
      const errorType = int(rand, 4);
      return {
        type: 'ACK',
        ackType: [1, 4, 5, 6, 7, 255, 42][int(rand, 7)]!,
        errorType,
        errorCode: errorType === 0 ? 0 : int(rand, 4096),
        errorHint: errorType === 0 ? 0 : int(rand, 65536),
      };
    }
    case 4:
      return { type: 'IPV4_ENCAPSULATION', encaps: encaps(rand, false, false, n) };
    case 5:
      return { type: 'IPV6_ENCAPSULATION', encaps: encaps(rand, true, false, n) };
    case 6:
      return { type: 'MPLS_IPV4_ENCAPSULATION', encaps: encaps(rand, false, true, n) };
    case 7:
      return { type: 'MPLS_IPV6_ENCAPSULATION', encaps: encaps(rand, true, true, n) };
    case 8:
      return { type: 'VENDOR', enterpriseNumber: rand() < 0.5 ? int(rand, 2 ** 32) : int(rand, 100), enterpriseType: int(rand, 256), data: hexOf(rand, int(rand, 20)) };
    default: {
      const code = 8 + int(rand, 247);
      const body = hexOf(rand, int(rand, 8));
      const len = 3 + body.length / 2;
      return { type: 'UNKNOWN', typeCode: code, raw: Buffer.from([code, len >> 8, len & 0xff]).toString('hex') + body };
    }
  }
}

function withLength(b: Buffer): Buffer {
  if (b.length >= 3) b.writeUInt16BE(b.length & 0xffff, 1);
  return b;
}

/** A valid PDU bent in one of several ways; the Length is usually kept right so deeper checks run. */
function mutate(rand: Rand, pdu: Buffer): Buffer {
  const b = Buffer.from(pdu);
  const fix = rand() < 0.85;
  switch (int(rand, 7)) {
    case 0: // a few random octets
      for (let k = 1 + int(rand, 3); k > 0; k--) b[int(rand, b.length)] = int(rand, 256);
      return fix ? withLength(b) : b;
    case 1: // cut short
      return fix ? withLength(b.subarray(0, int(rand, b.length + 1))) : b.subarray(0, int(rand, b.length + 1));
    case 2: // trailing octets
      return fix ? withLength(Buffer.concat([b, Buffer.from(hexOf(rand, 1 + int(rand, 4)), 'hex')])) : Buffer.concat([b, Buffer.alloc(1)]);
    case 3: // another type code on the same body
      b[0] = [0, 1, 2, 3, 4, 5, 6, 7, 255, 8, 200][int(rand, 11)]!;
      return b;
    case 4: // count or a length field off by a little
      if (b.length > 4) b[4] = (b[4]! + [1, -1, 2, -2][int(rand, 4)]!) & 0xff;
      return b;
    case 5: // flags, prefix lengths or label counts set high
      for (let k = 5; k < b.length; k++) if (rand() < 0.1) b[k] = 128 + int(rand, 128);
      return b;
    default: // random octets of a random type
      return withLength(Buffer.from([int(rand, 9) === 8 ? 255 : int(rand, 8), 0, 0, ...Buffer.from(hexOf(rand, int(rand, 40)), 'hex')]));
  }
}

// ---- tests ----

t.test('reference vectors: the byte sink writes their expected JSON', async (t) => {
  const vf = loadReferenceVectors();
  t.ok(vf.vectors.length >= 10, `${vf.vectors.length} vectors`);
  for (const v of vf.vectors) {
    t.equal(viaBytes(Buffer.from(v.pdu, 'hex')), JSON.stringify(v.expect), v.name);
  }
});

t.test('samples, edge cases and malformed PDUs: both sinks agree', async (t) => {
  const pdus: Buffer[] = SAMPLE_PDUS.map(encodePdu);
  const v6 = (address: string, prefixLength = 64): Encapsulation => ({ address, prefixLength, primary: false, loopback: false });
  const edge: Pdu[] = [
    { type: 'IPV6_ENCAPSULATION', encaps: [] },
    { type: 'MPLS_IPV4_ENCAPSULATION', encaps: [] },
    { type: 'OPEN', nonce: '00000000', localId: '00000000000000000000', attributes: '', auth: 'ab' },
    { type: 'OPEN', nonce: 'ffffffff', localId: 'ffffffffffffffffffff', attributes: 'ff'.repeat(255) },
    { type: 'VENDOR', enterpriseNumber: 0xffffffff, enterpriseType: 255, data: '' },
    { type: 'VENDOR', enterpriseNumber: 0, enterpriseType: 0, data: 'ab'.repeat(3000) },
    { type: 'ACK', ackType: 255, errorType: 3, errorCode: 4095, errorHint: 65535 },
    { type: 'UNKNOWN', typeCode: 8, raw: '080003' },
    { type: 'UNKNOWN', typeCode: 254, raw: 'fe000400' },
    {
      type: 'IPV6_ENCAPSULATION',
      encaps: ['::', '::1', '1::', '1:0:0:2:0:0:0:3', '1:0:0:2:3:0:0:4', '0:0:1:0:0:1:0:0', '1:0:1:0:1:0:1:0', '::ffff:0.0.0.0', '::ffff:255.255.255.255',
        '::fffe:1.2.3.4', '0:0:0:0:1:ffff:102:304', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '::1:0:0:0', 'abc:def:f00:a:b0:c00:1:2'].map((a) => v6(a)),
    },
    { type: 'IPV4_ENCAPSULATION', encaps: [0, 9, 10, 99, 100, 199, 255].map((n) => ({ address: `${n}.${255 - n}.${n}.0`, prefixLength: n % 33, primary: true, loopback: true })) },
    {
      type: 'MPLS_IPV6_ENCAPSULATION',
      encaps: [0, 1, 2, 7].map((k) => ({ ...v6('2001:db8::' + k, 128), labels: Array.from({ length: k }, (_, j) => (j * 0x111111).toString(16).padStart(6, '0')) })),
    },
    { type: 'MPLS_IPV4_ENCAPSULATION', encaps: [{ address: '192.0.2.1', prefixLength: 32, primary: true, loopback: false, labels: Array.from({ length: 255 }, () => 'fffff1') }] },
    // 65535-octet PDU of the widest JSON: 10921 IPv4 entries, near the line bound
    { type: 'IPV4_ENCAPSULATION', encaps: Array.from({ length: 10921 }, () => ({ address: '255.255.255.255', prefixLength: 32, primary: false, loopback: false })) },
  ];
  pdus.push(...edge.map(encodePdu));
  // Over-limit prefix lengths, ACKs that validate.ts refuses, wrong Lengths.
  const bad = ['04000b0001 00 0a000001 21', '05001700010000000000000000000000000000000001 81', '0300080000000000', '0300080100010000', '0300080100000001',
    '0300080200000000', '000004 00', '020002', '01000f', 'ff0007 000000', '2a0005 00', '0400070002 00', '04000600', '06000c0001 00 01 000000 0a0000'];
  pdus.push(...bad.map((h) => Buffer.from(h.replace(/ /g, ''), 'hex')));
  pdus.push(Buffer.alloc(0), Buffer.from([4]), Buffer.from([4, 0]));
  let refused = 0;
  for (const b of pdus) {
    t.equal(disagreement(b), null);
    if (viaObject(b) instanceof DecodeError) refused++;
  }
  t.equal(refused, bad.length + 3, 'every malformed one is refused');
});

t.test('the byte sink rewinds a refused PDU and keeps what came before', async (t) => {
  const good = encodePdu({ type: 'IPV4_ENCAPSULATION', encaps: [{ address: '10.0.0.1', prefixLength: 32, primary: true, loopback: false }] });
  // A prefix length over 32 in the last entry: refused after the entries were written.
  const bad = encodePdu({ type: 'IPV4_ENCAPSULATION', encaps: [{ address: '10.0.0.1', prefixLength: 32, primary: true, loopback: false }, { address: '10.0.0.2', prefixLength: 32, primary: false, loopback: false }] });
  bad[bad.length - 1] = 33;
  writer.text('before;');
  const refusedWith = viaBytes(bad);
  t.type(refusedWith, DecodeError);
  t.match((refusedWith as DecodeError).message, /entry 1 prefix length: 33 is over 32 at offset 16/);
  t.equal(viaBytes(good), 'before;' + viaObject(good));
});

t.test('60,000 seeded random and mutated PDUs', async (t) => {
  const rand = seededRandom(0x15e);
  let valid = 0;
  let rejected = 0;
  let failures = 0;
  for (let i = 0; i < 60_000; i++) {
    const pdu = encodePdu(randomPdu(rand));
    const bytes = rand() < 0.35 ? pdu : mutate(rand, pdu);
    const d = disagreement(bytes);
    if (d !== null && failures++ < 5) t.fail(d);
    if (viaObject(bytes) instanceof DecodeError) rejected++;
    else valid++;
  }
  t.equal(failures, 0, 'the sinks agree on every case');
  // Both sides of the check get real work.
  t.ok(valid > 20_000, `${valid} valid`);
  t.ok(rejected > 10_000, `${rejected} rejected`);
});
