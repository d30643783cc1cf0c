// The hand-written JSON line must be exactly what JSON.stringify makes of the
// record object, for every kind of PDU and for error records.
import t from 'tap';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { encodePdu } from '../../src/proto/pdu/index.js';
import { LsoeStream, type StreamRecord } from '../../src/proto/stream.js';
import type { Pdu } from '../../src/proto/types.js';
import { recordJsonLine } from '../../src/render/record-json.js';
import { toJsonRecord } from '../../src/render/records.js';
import { loadReferenceVectors } from '../helpers/vectors.js';

function recordsOf(frames: Buffer[], ifname?: string): StreamRecord[] {
  const stream = new LsoeStream({ ethertype: 0x88b5 });
  return frames.flatMap((f, i) => stream.pushEthernet(1_700_000_000.25 + i, f, ifname));
}

const extra: Pdu[] = [
  { type: 'OPEN', nonce: '01020304', localId: '0a0b0c0d0e0f10111213', attributes: '', auth: '' },
  { type: 'MPLS_IPV4_ENCAPSULATION', encaps: [{ address: '192.0.2.1', prefixLength: 32, primary: true, loopback: true, labels: [] }] },
  { type: 'MPLS_IPV6_ENCAPSULATION', encaps: [{ address: '::ffff:192.0.2.1', prefixLength: 128, primary: false, loopback: true, labels: ['00fa01', '000011'] }] },
  { type: 'IPV6_ENCAPSULATION', encaps: [] },
  { type: 'UNKNOWN', typeCode: 99, raw: '630004ff' },
];

t.test('matches JSON.stringify for every reference vector and more', async (t) => {
  const frames: Buffer[] = loadReferenceVectors().vectors.flatMap((v) => v.frames.map((h) => Buffer.from(h, 'hex')));
  for (const p of extra) {
    frames.push(...splitPdu(encodePdu(p)).map((f) => buildEthernet('02:00:00:00:00:02', '02:00:00:00:00:01', 0x88b5, f)));
  }
  for (const ifname of [undefined, 'eth0', 'we"ird\\name']) {
    const recs = recordsOf(frames, ifname);
    t.ok(recs.length >= 17);
    for (const rec of recs) {
      t.equal(recordJsonLine(rec), JSON.stringify(toJsonRecord(rec)));
      const timeless = JSON.parse(recordJsonLine(rec, null));
      t.equal(timeless.time, null);
    }
  }
});

t.test('error records', async (t) => {
  const bad = loadReferenceVectors().bad.map((b) => Buffer.from(b.frame, 'hex'));
  const recs = recordsOf(bad, 'swp1');
  t.equal(recs.length, bad.length);
  for (const rec of recs) {
    t.equal(rec.kind, 'error');
    t.equal(recordJsonLine(rec), JSON.stringify(toJsonRecord(rec)));
  }
});
