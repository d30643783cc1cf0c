// decode --json's fast path (PDU octets straight to JSON bytes) must write
// exactly the line the slow path makes, JSON.stringify(toJsonRecord(record)),
// and must decline (so the slow path reports the error) exactly the PDUs that
// decodePdu rejects. Checked on the reference vectors, hand-picked edge cases
// and a large seeded set of random and mutated PDUs.
import t from 'tap';
import { DecodeError } from '../../src/proto/errors.js';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { decodePdu, encodePdu } from '../../src/proto/pdu/index.js';
import { LsoeStream, type PduRecord, type StreamRecord } from '../../src/proto/stream.js';
import type { Encapsulation, Pdu } from '../../src/proto/types.js';
import { JsonLineBuffer } from '../../src/render/json-bytes.js';
import { recordJsonLine } from '../../src/render/record-json.js';
import { toJsonRecord } from '../../src/render/records.js';
import { seededRandom } from '../helpers/fake-clock.js';
import { SAMPLE_PDUS } from '../helpers/pdu-samples.js';
import { loadReferenceVectors } from '../helpers/vectors.js';

const SRC = '02:00:00:00:00:01';
const DST = '02:00:00:00:00:02';

/** One writer for all cases: what a case wrote is taken out after it. */
const taken: Buffer[] = [];
const writer = new JsonLineBuffer((chunk) => taken.push(Buffer.from(chunk)));
function takeOutput(): string {
  writer.flush();
  const text = Buffer.concat(taken).toString('utf8');
  taken.length = 0;
  return text;
}

interface Outcome {
  ok: boolean;
  detail: string;
}

/** Fast path and slow path on one PDU: agree on acceptance and, if accepted, on every byte. */
function compare(bytes: Buffer, time: number | null = 1_700_000_000.123456, ifname?: string, frames = 1): Outcome {
  let slow: string | null = null;
  try {
    const pdu = decodePdu(bytes);
    const rec: PduRecord = ifname === undefined
      ? { kind: 'pdu', time: time ?? 0, src: SRC, dst: DST, frames: new Array(frames), bytes, pdu }
      : { kind: 'pdu', time: time ?? 0, ifname, src: SRC, dst: DST, frames: new Array(frames), bytes, pdu };
    const obj = toJsonRecord(rec) as { time: number | null };
    if (time === null) obj.time = null;
    slow = JSON.stringify(obj);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
  }
  const accepted = writer.pduRecord(time, ifname, SRC, DST, frames, bytes);
  const fast = takeOutput();
  const hex = bytes.toString('hex');
  if (slow === null) return { ok: !accepted && fast === '', detail: `fast path accepted a PDU decodePdu rejects: ${hex}` };
  // Declining is always safe (the slow path prints it); the fast path only
  // leaves HELLO/KEEPALIVE with extra octets to it, which decodePdu lets through.
  const leftToSlowPath = (bytes[0] === 0 || bytes[0] === 2) && bytes.length > 3;
  if (!accepted) return { ok: leftToSlowPath && fast === '', detail: `fast path declined a valid PDU: ${hex}` };
  return { ok: fast === slow + '\n', detail: `differs for ${hex}:\n fast ${fast}\n slow ${slow}` };
}

function check(t: { fail(message: string): unknown }, bytes: Buffer, time: number | null, ifname: string | undefined, frames: number): void {
  const r = compare(bytes, time, ifname, frames);
  if (!r.ok) t.fail(r.detail);
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

t.test('every reference vector, sample PDU and edge case matches', async (t) => {
  const vf = loadReferenceVectors();
  const pdus: Buffer[] = vf.vectors.map((v) => Buffer.from(v.pdu, 'hex'));
  t.ok(pdus.length > 0);
  pdus.push(...SAMPLE_PDUS.map(encodePdu));
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
  for (const ifname of [undefined, 'eth0', 'we"ird\\name', 'ïf\u0001']) {
    for (const time of [1_700_000_000.25, 0, 1e21, 12.000001, null]) {
      for (const b of pdus) check(t, b, time, ifname, 1 + (b.length % 7));
    }
  }
  t.pass(`${pdus.length} PDUs × 4 interface names × 5 times compared`);
});

t.test('50,000+ seeded random and mutated PDUs', async (t) => {
  const rand = seededRandom(0x15e);
  let valid = 0;
  let rejected = 0;
  let failures = 0;
  for (let i = 0; i < 60_000; i++) {
    const pdu = encodePdu(randomPdu(rand));
    const bytes = rand() < 0.35 ? pdu : mutate(rand, pdu);
    const r = compare(bytes, 1_600_000_000 + i / 1000, i % 3 === 0 ? undefined : 'swp' + (i % 5));
    if (!r.ok && failures++ < 5) t.fail(r.detail);
    let decodes = true;
    try {
      decodePdu(bytes);
    } catch {
      decodes = false;
    }
    if (decodes) valid++;
    else rejected++;
  }
  t.equal(failures, 0, 'fast path agrees on every case');
  // Both sides of the check get real work.
  t.ok(valid > 20_000, `${valid} valid`);
  t.ok(rejected > 10_000, `${rejected} rejected`);
});

/** What decode --json prints for a run of frames: slow path only, or with the fast path. */
function decodeText(frames: Array<{ time: number; frame: Buffer }>, fast: boolean): string {
  const out: Buffer[] = [];
  const lines = new JsonLineBuffer((c) => out.push(Buffer.from(c)));
  const stream = new LsoeStream({
    timeout: 1,
    takePdu: fast ? (bytes, n, time, ifname, src, dst) => lines.pduRecord(time, ifname, src, dst, n, bytes) : undefined,
  });
  const emit = (recs: StreamRecord[]): void => {
    for (const rec of recs) lines.line(recordJsonLine(rec));
  };
  for (const f of frames) emit(stream.pushEthernet(f.time, f.frame, 'eth1'));
  emit(stream.expire(Number.POSITIVE_INFINITY));
  lines.flush();
  return Buffer.concat(out).toString('utf8');
}

t.test('a stream with multi-frame PDUs, errors and timeouts: same text either way', async (t) => {
  const rand = seededRandom(7);
  const frames: Array<{ time: number; frame: Buffer }> = [];
  let time = 1_700_000_000;
  const vf = loadReferenceVectors();
  for (const v of vf.vectors) for (const h of v.frames) frames.push({ time: (time += 0.01), frame: Buffer.from(h, 'hex') });
  for (const b of vf.bad) frames.push({ time: (time += 0.01), frame: Buffer.from(b.frame, 'hex') });
  const senders = ['02:00:00:00:00:0a', '02:00:00:00:00:0b', '02:00:00:00:00:0c'];
  for (let i = 0; i < 3000; i++) {
    let pdu = encodePdu(randomPdu(rand));
    if (rand() < 0.05) pdu = encodePdu({ type: 'IPV6_ENCAPSULATION', encaps: encaps(rand, true, false, 100 + int(rand, 200)) });
    if (rand() < 0.3) pdu = mutate(rand, pdu);
    let pieces = splitPdu(pdu);
    if (pieces.length > 1 && rand() < 0.2) pieces = pieces.slice(0, -1); // never completes: a timeout
    const src = senders[int(rand, senders.length)]!;
    for (const p of pieces) frames.push({ time: (time += rand() < 0.01 ? 2 : 0.001), frame: buildEthernet(DST, src, 0x88b5, p) });
  }
  const slow = decodeText(frames, false);
  const fast = decodeText(frames, true);
  const lines = slow.split('\n');
  t.ok(lines.some((l) => l.includes('"error"')), 'errors included');
  t.ok(lines.some((l) => /"frames":[2-9]/.test(l)), 'multi-frame PDUs included');
  t.ok(lines.length > 3000);
  t.ok(fast === slow, 'identical output');
});
