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
    reported.map((a) => [a.src, a.pdu, a.timeToAnswer, a.ifname, a.dst, a.time]),
    [
      ['02:00:00:00:00:0b', openB, 0.25, 'eth0', '02:00:00:00:00:01', 1700000000],
      ['02:00:00:00:00:0c', openC, 0.25, 'eth0', '02:00:00:00:00:01', 1700000000],
    ],
  );

  clock = 11;
  prober.sendHello();
  await flush();
  await flush();
  t.equal(reported.length, 2, 'a second OPEN does not report a neighbour again');
  t.same(prober.answers().map((a) => a.opens), [2, 2], 'but it is counted');
  t.equal(prober.sent, 2);
  t.same(gotB.map((p) => p.type), ['HELLO', 'HELLO'], 'the neighbour only ever gets HELLO (no ACK)');
  t.same(gotD.map((p) => p.type), ['HELLO', 'HELLO']);
});

t.test('OPENs before any HELLO, and other PDUs, are ignored', async (t) => {
  const seg = new MemorySegment();
  const me = seg.attach('eth0', '02:00:00:00:00:01');
  const peer = seg.attach('p', '02:00:00:00:00:02');
  const reported: HelloAnswer[] = [];
  const prober = new HelloProber(me, HELLO_DST, () => 0, (a) => reported.push(a));
  const open: Pdu = { type: 'OPEN', nonce: '00000001', localId: '01010101010101010101', attributes: '' };
  for (const f of splitPdu(encodePdu(open))) peer.send(me.mac, f);
  await flush();
  t.equal(reported.length, 0, 'not an answer to us');
  prober.sendHello();
  for (const f of splitPdu(encodePdu({ type: 'KEEPALIVE' }))) peer.send(me.mac, f);
  await flush();
  t.equal(reported.length, 0);
});
