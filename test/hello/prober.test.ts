// The hello core on a memory segment with two answering neighbours and a
// silent one, under a fake clock. No root needed.
import t from 'tap';
import type { ReceivedFrame } from '../../src/io/link.js';
import { MemorySegment, type MemoryLink } from '../../src/io/memory-link.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { encodePdu } from '../../src/proto/pdu/index.js';
import { LsoeStream } from '../../src/proto/stream.js';
import type { Pdu } from '../../src/proto/types.js';
import { HelloProber, type HelloAnswer } from '../../src/hello/prober.js';
import { writeAnswer } from '../../src/hello/run.js';
import { ByteWriter } from '../../src/render/byte-writer.js';
import type { Output } from '../../src/render/output.js';
import { RecordJsonWriter } from '../../src/render/record-json.js';
import { schemaErrors } from '../helpers/schema.js';

const HELLO_DST = '01:80:c2:00:00:0e';
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A neighbour that answers each HELLO with `answer` (or stays silent) and logs what it receives. */
function neighbour(link: MemoryLink, answer: Pdu | null): Pdu[] {
  const got: Pdu[] = [];
  const stream = new LsoeStream();
  link.onFrame((f: ReceivedFrame) => {
    for (const rec of stream.push({ time: f.time, src: f.src, dst: f.dst, payload: f.payload })) {
      if (rec.kind !== 'pdu') continue;
      got.push(rec.pdu);
      if (rec.pdu.type === 'HELLO' && answer) for (const fr of splitPdu(encodePdu(answer))) link.send(f.src, fr);
    }
  });
  return got;
}

t.test('each answering neighbour is reported once, with its OPEN and the time to answer', async (t) => {
  let clock = 10;
  const seg = new MemorySegment({ now: () => 1700000000 });
  const me = seg.attach('eth0', '02:00:00:00:00:01');
  const openB: Pdu = { type: 'OPEN', nonce: '00000001', localId: '0b0b0b0b0b0b0b0b0b0b', attributes: '' };
  const openC: Pdu = { type: 'OPEN', nonce: '00000002', localId: '0c0c0c0c0c0c0c0c0c0c', attributes: 'ff' };
  const gotB = neighbour(seg.attach('b', '02:00:00:00:00:0b'), openB);
  neighbour(seg.attach('c', '02:00:00:00:00:0c'), openC);
  const gotD = neighbour(seg.attach('d', '02:00:00:00:00:0d'), null);
  const reported: HelloAnswer[] = [];
  const prober = new HelloProber(me, HELLO_DST, () => clock, (a) => reported.push(a));

  prober.sendHello();
  clock = 10.25; // the answers are handled a quarter second after the HELLO
  await flush();
  await flush();
  t.same(
    reported.map((a) => [a.kind, a.src, a.pdu, a.timeToAnswer, a.ifname, a.dst, a.time, a.probe]),
    [
      ['open', '02:00:00:00:00:0b', openB, 0.25, 'eth0', '02:00:00:00:00:01', 1700000000, 1],
      ['open', '02:00:00:00:00:0c', openC, 0.25, 'eth0', '02:00:00:00:00:01', 1700000000, 1],
    ],
  );

  clock = 11;
  prober.sendHello();
  await flush();
  await flush();
  t.equal(reported.length, 2, 'the same OPEN again (a retransmission) does not report a neighbour again');
  t.same(prober.neighbours().map((a) => [a.opens, a.retransmits]), [[1, 1], [1, 1]], 'it is counted as a retransmission, not an answer');
  t.equal(prober.sent, 2);
  t.same(gotB.map((p) => p.type), ['HELLO', 'HELLO'], 'the neighbour only ever gets HELLO (no ACK)');
  t.same(gotD.map((p) => p.type), ['HELLO', 'HELLO']);
});

t.test('an OPEN before any HELLO is no answer, nor is its retransmission; a KEEPALIVE says alive; a new OPEN after the HELLO is reported', async (t) => {
  const seg = new MemorySegment();
  const me = seg.attach('eth0', '02:00:00:00:00:01');
  const peer = seg.attach('p', '02:00:00:00:00:02');
  const reported: HelloAnswer[] = [];
  let clock = 0;
  const prober = new HelloProber(me, HELLO_DST, () => clock, (a) => reported.push(a));
  const send = (p: Pdu) => {
    for (const f of splitPdu(encodePdu(p))) peer.send(me.mac, f);
  };
  const stale: Pdu = { type: 'OPEN', nonce: '00000001', localId: '01010101010101010101', attributes: '' };
  send(stale);
  await flush();
  t.equal(reported.length, 0, 'not an answer to us');
  prober.sendHello();
  clock = 0.447;
  send(stale);
  await flush();
  t.equal(reported.length, 0, 'a late retransmission of an OPEN sent before our HELLO is not taken for the answer');
  send({ type: 'KEEPALIVE' });
  await flush();
  t.same(reported.map((a) => [a.kind, a.pdu.type]), [['alive', 'KEEPALIVE']], 'a KEEPALIVE says the neighbour is alive (in session with this MAC)');
  send({ type: 'KEEPALIVE' });
  await flush();
  t.equal(reported.length, 1, 'said once');
  const fresh: Pdu = { type: 'OPEN', nonce: '00000002', localId: '01010101010101010101', attributes: '' };
  clock = 1;
  send(fresh);
  await flush();
  t.equal(reported.length, 2, 'the OPEN after the HELLO is reported');
  t.match(reported[1], { kind: 'open', src: peer.mac, pdu: fresh, timeToAnswer: 1, probe: 1 });
  t.same(prober.neighbours(), [{ src: peer.mac, opens: 1, retransmits: 1, others: 2 }]);
});

t.test("an answer's JSON line comes from the writer of every record: the keys of hello.schema.json, the PDU as decode prints it", async (t) => {
  const chunks: Buffer[] = [];
  const bytes = new ByteWriter((c) => chunks.push(Buffer.from(c)));
  let flushed = 0;
  const out = { bytes, done: () => flushed++ } as unknown as Output;
  const open: Pdu = { type: 'OPEN', nonce: '0000abcd', localId: '0b0b0b0b0b0b0b0b0b02', attributes: '01' };
  const answer: HelloAnswer = {
    kind: 'open', time: 1700000000.5, ifname: 'eth0', src: '02:00:00:00:00:0b', dst: '02:00:00:00:00:01',
    timeToAnswer: 0.0123456789, probe: 2, pdu: open, bytes: encodePdu(open),
  };
  writeAnswer(new RecordJsonWriter(bytes), answer, out);
  bytes.flush();
  t.equal(flushed, 1, 'the output is told a record is done (-l, batching)');
  const text = Buffer.concat(chunks).toString();
  t.match(text, /^\{[^\n]*\}\n$/, 'one line');
  t.same(JSON.parse(text), {
    time: 1700000000.5, ifname: 'eth0', src: '02:00:00:00:00:0b', dst: '02:00:00:00:00:01',
    kind: 'open', probe: 2, timeToAnswer: 0.012346, pdu: open,
  });
  t.equal(schemaErrors('hello', JSON.parse(text)), null);
});
