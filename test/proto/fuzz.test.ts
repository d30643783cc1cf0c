// Seeded mutation and random-bytes fuzzing of every decoder entry point: only a
// DecodeError may ever escape, and whatever decodes re-encodes to the same value.
// Counts failures and asserts once per phase (no 100k lines of TAP).
import t from 'tap';
import { DecodeError } from '../../src/proto/errors.js';
import { parseEthernet } from '../../src/proto/ethernet.js';
import { encodeFrame, decodeFrame } from '../../src/proto/frame.js';
import { decodePdu, encodePdu } from '../../src/proto/pdu/index.js';
import { LsoeStream } from '../../src/proto/stream.js';
import { loadReferenceVectors } from '../helpers/vectors.js';
import { mulberry32, randomBytes } from './mulberry32.js';

const file = loadReferenceVectors();
const pdus = file.vectors.map((v) => Buffer.from(v.pdu, 'hex'));
const ethernetFrames = [...file.vectors.flatMap((v) => v.frames), ...file.bad.map((b) => b.frame)].map((h) => Buffer.from(h, 'hex'));
const TYPES = [0, 1, 2, 3, 4, 5, 6, 7, 255, 8, 254];

interface Tally {
  inputs: number;
  escapes: string[];
}

function guard(tally: Tally, input: Buffer, f: () => void): void {
  tally.inputs++;
  try {
    f();
  } catch (e) {
    if (!(e instanceof DecodeError)) {
      if (tally.escapes.length < 5) tally.escapes.push(`${input.toString('hex').slice(0, 120)}: ${String(e)}`);
    } else if (/\n/.test(e.message) || !Number.isInteger(e.offset)) {
      if (tally.escapes.length < 5) tally.escapes.push(`malformed DecodeError for ${input.toString('hex').slice(0, 120)}: ${e.message}`);
    }
  }
}

function mutate(rand: () => number, src: Buffer): Buffer {
  let b = Buffer.from(src);
  const n = 1 + ((rand() * 4) | 0);
  for (let k = 0; k < n; k++) {
    const at = b.length === 0 ? 0 : (rand() * b.length) | 0;
    switch ((rand() * 8) | 0) {
      case 0: // flip a bit
        if (b.length) b[at] ^= 1 << ((rand() * 8) | 0);
        break;
      case 1: // random octet
        if (b.length) b[at] = (rand() * 256) | 0;
        break;
      case 2: // interesting octet
        if (b.length) b[at] = [0, 1, 0x7f, 0x80, 0xff, 0x20, 0x21, 0x81][(rand() * 8) | 0]!;
        break;
      case 3: // truncate
        b = b.subarray(0, at);
        break;
      case 4: // insert random octets
        b = Buffer.concat([b.subarray(0, at), randomBytes(rand, 1 + ((rand() * 8) | 0)), b.subarray(at)]);
        break;
      case 5: // delete a run
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + ((rand() * 4) | 0))]);
        break;
      case 6: // another type code
        if (b.length) b[0] = TYPES[(rand() * TYPES.length) | 0]!;
        break;
      default: // make Length agree with the size so deeper fields get exercised
        if (b.length >= 3) b.writeUInt16BE(b.length & 0xffff, 1);
    }
  }
  return b;
}

t.test('decodePdu: mutated and random PDUs', (t) => {
  const rand = mulberry32(1);
  const tally: Tally = { inputs: 0, escapes: [] };
  let decoded = 0;
  let roundTripFailures = 0;
  for (let i = 0; i < 50_000; i++) {
    let input: Buffer;
    if (i % 5 === 0) {
      input = randomBytes(rand, (rand() * 40) | 0);
      if (input.length >= 3) {
        input[0] = TYPES[(rand() * TYPES.length) | 0]!;
        input.writeUInt16BE(input.length, 1);
      }
    } else {
      input = mutate(rand, pdus[(rand() * pdus.length) | 0]!);
    }
    guard(tally, input, () => {
      const pdu = decodePdu(input);
      decoded++;
      // whatever decodes must encode again and decode to the same value
      try {
        const again = decodePdu(encodePdu(pdu));
        if (JSON.stringify(again) !== JSON.stringify(pdu)) roundTripFailures++;
      } catch {
        roundTripFailures++;
      }
    });
  }
  t.strictSame(tally.escapes, [], `${tally.inputs} inputs, only DecodeError escaped`);
  t.equal(roundTripFailures, 0, `${decoded} decoded PDUs re-encode to the same value`);
  t.ok(decoded > 1000, `the mutations reach valid PDUs (${decoded})`);
  t.end();
});

t.test('parseEthernet + decodeFrame: mutated and random frames', (t) => {
  const rand = mulberry32(2);
  const tally: Tally = { inputs: 0, escapes: [] };
  for (let i = 0; i < 30_000; i++) {
    const input = i % 4 === 0 ? randomBytes(rand, (rand() * 64) | 0) : mutate(rand, ethernetFrames[(rand() * ethernetFrames.length) | 0]!);
    guard(tally, input, () => {
      const eth = parseEthernet(input);
      decodeFrame(eth.payload);
    });
    // also straight at the LSOE frame decoder, without the Ethernet header
    guard(tally, input, () => void decodeFrame(input.subarray(14)));
  }
  t.strictSame(tally.escapes, [], `${tally.inputs} inputs, only DecodeError escaped`);
  t.end();
});

t.test('LsoeStream: valid-checksum frames with mutated content, few senders', (t) => {
  const rand = mulberry32(3);
  const tally: Tally = { inputs: 0, escapes: [] };
  const stream = new LsoeStream({ maxBytesTotal: 64 * 1024, maxSenders: 4 });
  const senders = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03', '02:00:00:00:00:04', '02:00:00:00:00:05'];
  let internal = 0;
  let records = 0;
  let time = 0;
  for (let i = 0; i < 25_000; i++) {
    time += rand() * 0.05;
    const body = mutate(rand, pdus[(rand() * pdus.length) | 0]!).subarray(0, 1492);
    // random frame number and L so that reassembly paths get exercised
    const frame = encodeFrame({ last: rand() < 0.5, number: rand() < 0.5 ? 0 : (rand() * 128) | 0, payload: body });
    const payload = rand() < 0.1 ? mutate(rand, frame) : frame;
    const src = senders[(rand() * senders.length) | 0]!;
    guard(tally, payload, () => {
      for (const r of stream.push({ time, ifname: 'eth0', src, dst: '02:00:00:00:00:ff', payload })) {
        records++;
        if (r.kind === 'error' && /internal/.test(r.error.message)) internal++;
      }
    });
  }
  guard(tally, Buffer.alloc(0), () => void stream.expire(time + 10));
  t.strictSame(tally.escapes, [], `${tally.inputs} inputs, only DecodeError escaped`);
  t.equal(internal, 0, `${records} records, none an internal error`);
  t.strictSame(stream.stats(), { senders: 0, frames: 0, bytes: 0 }, 'everything expired in the end');
  t.end();
});
