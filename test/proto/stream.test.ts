import t from 'tap';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { encodeFrame } from '../../src/proto/frame.js';
import { encodePdu } from '../../src/proto/pdu/index.js';
import { LsoeStream, type StreamRecord } from '../../src/proto/stream.js';
import type { Pdu } from '../../src/proto/types.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const ME = '02:00:00:00:00:01';

const bigEncaps: Pdu = {
  type: 'IPV4_ENCAPSULATION',
  encaps: Array.from({ length: 500 }, (_, i) => ({ address: `10.0.${i >> 8}.${i & 255}`, prefixLength: 32, primary: i === 0, loopback: false })),
};

function summary(records: StreamRecord[]): string[] {
  return records.map((r) => (r.kind === 'pdu' ? `${r.src} pdu ${r.pdu.type}` : `${r.src} error ${r.error.reason}`));
}

t.test('single frames and multi-frame PDUs from two senders interleaved', (t) => {
  const s = new LsoeStream();
  const [a0, a1, a2] = splitPdu(encodePdu(bigEncaps));
  const b = splitPdu(encodePdu(bigEncaps));
  t.equal(b.length, 3);
  const out: StreamRecord[] = [];
  out.push(...s.push({ time: 1, ifname: 'eth0', src: A, dst: ME, payload: a2! }));
  out.push(...s.push({ time: 1, ifname: 'eth0', src: B, dst: ME, payload: b[0]! }));
  out.push(...s.push({ time: 1, ifname: 'eth0', src: A, dst: ME, payload: a0! }));
  out.push(...s.push({ time: 1, ifname: 'eth0', src: A, dst: ME, payload: splitPdu(encodePdu({ type: 'KEEPALIVE' }))[0]! }));
  out.push(...s.push({ time: 1.1, ifname: 'eth0', src: B, dst: ME, payload: b[1]! }));
  out.push(...s.push({ time: 1.2, ifname: 'eth0', src: A, dst: ME, payload: a1! }));
  out.push(...s.push({ time: 1.3, ifname: 'eth0', src: B, dst: ME, payload: b[2]! }));
  t.strictSame(summary(out), [`${A} pdu KEEPALIVE`, `${A} pdu IPV4_ENCAPSULATION`, `${B} pdu IPV4_ENCAPSULATION`]);
  const rec = out[1]!;
  if (rec.kind !== 'pdu') throw new Error('expected a pdu');
  t.strictSame(rec.pdu, bigEncaps);
  t.equal(rec.ifname, 'eth0');
  t.equal(rec.time, 1.2, 'time of the completing frame');
  t.strictSame(rec.frames.map((f) => [f.number, f.last]), [[0, false], [1, false], [2, true]]);
  t.equal(rec.bytes.toString('hex'), encodePdu(bigEncaps).toString('hex'));
  t.strictSame(s.stats(), { senders: 0, frames: 0, bytes: 0 });
  t.end();
});

t.test('frame errors, PDU errors, and the stream goes on', (t) => {
  const s = new LsoeStream();
  const keepalive = splitPdu(encodePdu({ type: 'KEEPALIVE' }))[0]!;
  const badSum = Buffer.from(keepalive);
  badSum[10] ^= 0xff;
  const badPdu = encodeFrame({ last: true, number: 0, payload: Buffer.from('0300080000000000', 'hex') }); // ACK of HELLO
  const out = [
    ...s.push({ time: 0, src: A, dst: ME, payload: Buffer.alloc(3) }),
    ...s.push({ time: 0, src: A, dst: ME, payload: badSum }),
    ...s.push({ time: 0, src: A, dst: ME, payload: badPdu }),
    ...s.push({ time: 0, src: A, dst: ME, payload: keepalive }),
  ];
  t.strictSame(summary(out), [`${A} error truncated`, `${A} error checksum`, `${A} error pdu`, `${A} pdu KEEPALIVE`]);
  t.equal(out[0]!.ifname, undefined);
  t.end();
});

t.test('timeouts come out as reassembly errors with the sender', (t) => {
  const s = new LsoeStream({ timeout: 1 });
  const [f0] = splitPdu(encodePdu(bigEncaps));
  t.strictSame(s.push({ time: 10, ifname: 'eth1', src: B, dst: ME, payload: f0! }), []);
  t.strictSame(s.expire(10.5), []);
  const out = s.expire(11.5);
  t.equal(out.length, 1);
  const r = out[0]!;
  t.equal(r.kind, 'error');
  t.strictSame([r.ifname, r.src, r.dst, r.time], ['eth1', B, ME, 11.5]);
  if (r.kind === 'error') t.equal(r.error.reason, 'reassembly');
  // expiry is also reported by push when time moves on
  s.push({ time: 20, ifname: 'eth1', src: B, dst: ME, payload: f0! });
  const keepalive = splitPdu(encodePdu({ type: 'KEEPALIVE' }))[0]!;
  t.strictSame(summary(s.push({ time: 30, src: A, dst: ME, payload: keepalive })), [`${B} error reassembly`, `${A} pdu KEEPALIVE`]);
  t.end();
});

t.test('pushEthernet filters the EtherType and skips VLAN tags', (t) => {
  const s = new LsoeStream();
  const lsoe = splitPdu(encodePdu({ type: 'HELLO' }))[0]!;
  const frame = buildEthernet('01:80:c2:00:00:0e', A, 0x88b5, lsoe);
  t.strictSame(summary(s.pushEthernet(0, frame, 'eth0')), [`${A} pdu HELLO`]);
  t.strictSame(s.pushEthernet(0, buildEthernet('01:80:c2:00:00:0e', A, 0x0800, lsoe)), [], 'other EtherType');
  const tagged = Buffer.concat([frame.subarray(0, 12), Buffer.from('81000064', 'hex'), frame.subarray(12)]);
  t.strictSame(summary(s.pushEthernet(0, tagged)), [`${A} pdu HELLO`]);
  t.strictSame(summary(s.pushEthernet(0, Buffer.alloc(5))), [' error truncated']);
  const lsoed = new LsoeStream({ ethertype: 0x8885 });
  t.strictSame(summary(lsoed.pushEthernet(0, buildEthernet('01:80:c2:00:00:0e', A, 0x8885, lsoe))), [`${A} pdu HELLO`]);
  t.strictSame(lsoed.pushEthernet(0, frame), [], '0x88b5 skipped when 0x8885 is asked for');
  t.strictSame(lsoed.push({ time: 0, src: A, dst: ME, ethertype: 0x88b5, payload: lsoe }), [], 'push honours input.ethertype');
  t.end();
});
