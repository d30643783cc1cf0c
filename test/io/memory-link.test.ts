// The in-memory link pair behaves like the endpoint pcap link: frames for our
// MAC or a group address, never our own, padded, asynchronous, errors as events.
import t from 'tap';
import { LinkError, type ReceivedFrame } from '../../src/io/link.js';
import { createMemoryLinkPair, MemorySegment } from '../../src/io/memory-link.js';

const HELLO_DST = '01:80:c2:00:00:0e';
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function collect(link: { onFrame(h: (f: ReceivedFrame) => void): void }): ReceivedFrame[] {
  const got: ReceivedFrame[] = [];
  link.onFrame((f) => got.push(f));
  return got;
}

t.test('a frame crosses the pair with addresses, EtherType, padding and time', async (t) => {
  let clock = 1000.5;
  const [a, b] = createMemoryLinkPair({ now: () => clock });
  const atB = collect(b);
  const atA = collect(a);
  a.send(HELLO_DST, Buffer.from('0080000b', 'hex'));
  t.equal(atB.length, 0, 'delivery is asynchronous');
  await flush();
  t.equal(atB.length, 1);
  const f = atB[0]!;
  t.match(f, { ifname: 'mem1', time: 1000.5, dst: HELLO_DST, src: a.mac, ethertype: 0x88b5 });
  t.equal(f.payload.subarray(0, 4).toString('hex'), '0080000b');
  t.equal(f.raw!.length, 60, 'padded to the Ethernet minimum');
  t.equal(f.payload.length, 46);
  t.equal(atA.length, 0, 'own frame does not come back');
  clock = 1001;
  b.send(a.mac, Buffer.alloc(100, 7));
  await flush();
  t.equal(atA.length, 1);
  t.match(atA[0], { dst: a.mac, src: b.mac, time: 1001 });
  t.equal(atA[0]!.payload.length, 100, 'no padding on a long frame');
  t.same(a.stats(), { received: 1, dropped: 0, ifDropped: 0 });
  t.same(b.stats(), { received: 1, dropped: 0, ifDropped: 0 });
});

t.test('unicast for another station and other EtherTypes are not delivered', async (t) => {
  const seg = new MemorySegment();
  const a = seg.attach('a0', '02:00:00:00:00:01');
  const b = seg.attach('b0', '02:00:00:00:00:02');
  const c = seg.attach('c0', '02:00:00:00:00:03');
  const atB = collect(b);
  const atC = collect(c);
  a.send('02:00:00:00:00:03', Buffer.from('01', 'hex'));
  a.send('ff:ff:ff:ff:ff:ff', Buffer.from('02', 'hex'));
  await flush();
  t.same(atB.map((f) => f.payload[0]), [2], 'b hears only the broadcast');
  t.same(atC.map((f) => f.payload[0]), [1, 2], 'c hears its unicast and the broadcast');
  const other = new MemorySegment({ ethertype: 0x8885 });
  const x = other.attach('x0', '02:00:00:00:00:0a');
  const y = other.attach('y0', '02:00:00:00:00:0b');
  const atY = collect(y);
  x.send(HELLO_DST, Buffer.from('03', 'hex'));
  await flush();
  t.equal(atY[0]!.ethertype, 0x8885, 'the segment EtherType is used');
  t.equal(seg.wire.length, 2, 'the wire log holds every frame sent');
});

t.test('loss injection, link down, vanish and close', async (t) => {
  let lose = false;
  const [a, b] = createMemoryLinkPair({ deliver: () => !lose });
  const atB = collect(b);
  const errorsA: LinkError[] = [];
  const errorsB: LinkError[] = [];
  a.onError((e) => errorsA.push(e));
  b.onError((e) => errorsB.push(e));
  lose = true;
  a.send(b.mac, Buffer.from('01', 'hex'));
  lose = false;
  a.send(b.mac, Buffer.from('02', 'hex'));
  await flush();
  t.same(atB.map((f) => f.payload[0]), [2], 'the lost frame never arrives');

  a.setDown(true);
  a.send(b.mac, Buffer.from('03', 'hex'));
  t.match(errorsA, [{ code: 'send-failed', fatal: false }], 'send on a down link is an error event, not a throw');
  a.setDown(false);

  a.send('not-a-mac', Buffer.alloc(1));
  t.match(errorsA[1], { code: 'send-failed', message: /not a MAC address/ });

  b.vanish();
  t.match(errorsB, [{ code: 'vanished', fatal: true, ifname: 'mem1' }]);
  a.send(b.mac, Buffer.from('04', 'hex'));
  await flush();
  t.equal(atB.length, 1, 'a vanished link receives nothing');

  a.close();
  a.close();
  a.send(b.mac, Buffer.from('05', 'hex'));
  t.match(errorsA[2], { code: 'send-failed', message: /closed/ });
});

t.test('a throwing frame handler becomes an error event; other handlers still run', async (t) => {
  const [a, b] = createMemoryLinkPair();
  const errors: LinkError[] = [];
  b.onError((e) => errors.push(e));
  b.onFrame(() => {
    throw new Error('boom');
  });
  const got = collect(b);
  a.send(b.mac, Buffer.alloc(1));
  await flush();
  t.equal(got.length, 1);
  t.match(errors, [{ code: 'handler-failed', fatal: false, message: /boom/ }]);
});

t.test('a handler that sends does not re-enter', async (t) => {
  const [a, b] = createMemoryLinkPair();
  const order: string[] = [];
  b.onFrame((f) => {
    order.push(`b got ${f.payload[0]}`);
    if (f.payload[0] === 1) {
      b.send(f.src, Buffer.from([2]));
      order.push('b sent 2');
    }
  });
  a.onFrame((f) => order.push(`a got ${f.payload[0]}`));
  a.send(b.mac, Buffer.from([1]));
  await flush();
  t.same(order, ['b got 1', 'b sent 2', 'a got 2']);
});

t.test('attach refuses a bad MAC', async (t) => {
  t.throws(() => new MemorySegment().attach('z0', 'zz:zz'), { name: 'LinkError', code: 'open-failed' });
});
