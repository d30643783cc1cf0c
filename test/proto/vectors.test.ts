// Every reference vector (frames made by the reference encoder) decodes to its
// expected content and encodes back to exactly its bytes; every bad frame is
// refused with its reason.
import t from 'tap';
import { buildEthernet, parseEthernet } from '../../src/proto/ethernet.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { decodePdu, encodePdu } from '../../src/proto/pdu/index.js';
import { parseIPv6, formatIPv6 } from '../../src/proto/pdu/address.js';
import { LsoeStream } from '../../src/proto/stream.js';
import type { Pdu } from '../../src/proto/types.js';
import { loadReferenceVectors } from '../helpers/vectors.js';

const file = loadReferenceVectors();
const ethertype = parseInt(file.ethertype, 16);

/**
 * The multiframe vector writes '2001:db8:0::1', which is not RFC 5952 (the
 * contract we print in): compare against the canonical form of its addresses.
 */
function normalise(expect: Record<string, unknown>): Pdu {
  const copy = structuredClone(expect) as { encaps?: Array<{ address: string }> };
  for (const e of copy.encaps ?? []) {
    if (e.address.includes(':')) {
      const b = Buffer.alloc(16);
      if (!parseIPv6(e.address, b, 0)) throw new Error(`bad vector address ${e.address}`);
      e.address = formatIPv6(b, 0);
    }
  }
  return copy as unknown as Pdu;
}

t.ok(file.vectors.length >= 12, 'vectors loaded');

for (const v of file.vectors) {
  t.test(v.name, (t) => {
    const expect = normalise(v.expect);
    const stream = new LsoeStream({ ethertype });
    const records = v.frames.flatMap((hex, i) => stream.pushEthernet(i * 0.01, Buffer.from(hex, 'hex'), 'eth0'));
    t.equal(records.length, 1, 'one record');
    const r = records[0]!;
    if (r.kind !== 'pdu') {
      t.fail(`error: ${r.error.message}`);
      return t.end();
    }
    t.strictSame(r.pdu, expect, 'decodes to expect');
    t.equal(r.bytes.toString('hex'), v.pdu, 'reassembled PDU bytes');
    t.strictSame(decodePdu(Buffer.from(v.pdu, 'hex')), expect, 'decodePdu of the PDU bytes');
    t.equal(r.frames.length, v.frames.length, 'frame count');

    const pdu = encodePdu(expect);
    t.equal(pdu.toString('hex'), v.pdu, 'encodes back to the PDU bytes');
    const first = parseEthernet(Buffer.from(v.frames[0]!, 'hex'));
    const rebuilt = splitPdu(pdu).map((f) => buildEthernet(first.dst, first.src, ethertype, f).toString('hex'));
    t.strictSame(rebuilt, v.frames, 'encodes back to exactly its Ethernet frames');
    t.end();
  });
}

for (const b of file.bad) {
  t.test(b.name, (t) => {
    const stream = new LsoeStream({ ethertype });
    const records = stream.pushEthernet(0, Buffer.from(b.frame, 'hex'));
    t.equal(records.length, 1);
    const r = records[0]!;
    t.equal(r.kind, 'error');
    if (r.kind === 'error') {
      t.equal(r.error.reason, b.reason, r.error.message);
      t.notMatch(r.error.message, /\n/, 'one line');
    }
    t.end();
  });
}
