import t from 'tap';
import { DecodeError } from '../../src/proto/errors.js';
import { PIECE_OVERHEAD, Reassembler, splitPdu } from '../../src/proto/fragment.js';
import { decodeFrame, MAX_FRAME_PAYLOAD, type LsoeFrame } from '../../src/proto/frame.js';

/** A PDU-like buffer of `n` octets with a recognisable pattern. */
function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 0xff;
  return b;
}
function framesOf(pdu: Buffer): LsoeFrame[] {
  return splitPdu(pdu).map((f) => decodeFrame(f));
}
function reasonOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e.reason;
    throw e;
  }
  return undefined;
}

t.test('splitPdu', (t) => {
  const one = framesOf(pattern(3));
  t.equal(one.length, 1);
  t.strictSame([one[0]!.number, one[0]!.last, one[0]!.length], [0, true, 11]);
  const exact = framesOf(pattern(MAX_FRAME_PAYLOAD));
  t.equal(exact.length, 1, '1492 octets fit in one frame');
  const three = framesOf(pattern(2 * MAX_FRAME_PAYLOAD + 1));
  t.strictSame(three.map((f) => [f.number, f.last, f.length]), [[0, false, 1500], [1, false, 1500], [2, true, 9]]);
  t.equal(Buffer.concat(three.map((f) => f.payload)).toString('hex'), pattern(2 * MAX_FRAME_PAYLOAD + 1).toString('hex'));
  t.equal(splitPdu(pattern(128 * MAX_FRAME_PAYLOAD)).length, 128, '128 frames is the limit');
  t.equal(reasonOf(() => splitPdu(pattern(128 * MAX_FRAME_PAYLOAD + 1))), 'pdu', '129 frames refused');
  t.end();
});

t.test('in order, out of order, duplicates', (t) => {
  const pdu = pattern(3 * MAX_FRAME_PAYLOAD + 10);
  const frames = framesOf(pdu);
  for (const [name, order] of [
    ['in order', [0, 1, 2, 3]],
    ['reversed', [3, 2, 1, 0]],
    ['shuffled with duplicates', [2, 0, 2, 3, 0, 1]],
  ] as const) {
    const r = new Reassembler();
    let result = null;
    for (let i = 0; i < order.length; i++) {
      result = r.push('eth0aa', frames[order[i]!]!, 10);
      if (i < order.length - 1) t.equal(result, null, `${name}: incomplete after ${i + 1}`);
    }
    t.ok(result, `${name}: complete`);
    t.equal(result!.pdu.toString('hex'), pdu.toString('hex'), `${name}: bytes`);
    t.strictSame(result!.frames.map((f) => f.number), [0, 1, 2, 3], `${name}: frames in order`);
    t.strictSame(r.stats(), { senders: 0, frames: 0, bytes: 0 }, `${name}: nothing held after`);
  }
  t.end();
});

t.test('a duplicate replaces the earlier copy', (t) => {
  const r = new Reassembler();
  const frames = framesOf(pattern(MAX_FRAME_PAYLOAD + 4));
  const wrong = { ...frames[0]!, payload: Buffer.alloc(MAX_FRAME_PAYLOAD, 0xee) };
  t.equal(r.push('s', wrong, 0), null);
  t.equal(r.push('s', frames[0]!, 0), null);
  t.equal(r.stats().frames, 1);
  t.equal(r.push('s', frames[1]!, 0)!.pdu.toString('hex'), pattern(MAX_FRAME_PAYLOAD + 4).toString('hex'));
  t.end();
});

t.test('stored pieces are copies (capture buffers get reused)', (t) => {
  const r = new Reassembler();
  const raw = splitPdu(pattern(MAX_FRAME_PAYLOAD + 4));
  const f0 = decodeFrame(raw[0]!);
  t.equal(r.push('s', f0, 0), null);
  raw[0]!.fill(0);
  t.equal(r.push('s', decodeFrame(raw[1]!), 0)!.pdu.toString('hex'), pattern(MAX_FRAME_PAYLOAD + 4).toString('hex'));
  t.end();
});

t.test('single-frame PDUs bypass storage', (t) => {
  const r = new Reassembler();
  const big = framesOf(pattern(MAX_FRAME_PAYLOAD + 4));
  r.push('s', big[0]!, 0);
  const small = framesOf(pattern(5))[0]!;
  const got = r.push('s', small, 0.1);
  t.equal(got!.pdu, small.payload, 'returned as is');
  t.strictSame(r.stats(), { senders: 1, frames: 1, bytes: MAX_FRAME_PAYLOAD }, 'the partial PDU is left alone');
  t.equal(r.push('s', big[1]!, 0.2)!.pdu.length, MAX_FRAME_PAYLOAD + 4, 'and still completes');
  t.end();
});

t.test('senders are kept apart', (t) => {
  const r = new Reassembler();
  const a = framesOf(pattern(MAX_FRAME_PAYLOAD + 1));
  const b = framesOf(Buffer.alloc(MAX_FRAME_PAYLOAD + 2, 0x55));
  t.equal(r.push('eth0|a', a[0]!, 0), null);
  t.equal(r.push('eth1|a', b[0]!, 0), null, 'same MAC, other interface');
  t.equal(r.push('eth1|a', a[1]!, 0)!.pdu.length, MAX_FRAME_PAYLOAD + 1, 'mixes only what that sender sent');
  t.equal(r.stats().senders, 1);
  t.end();
});

t.test('timeout', (t) => {
  const r = new Reassembler({ timeout: 1 });
  const f = framesOf(pattern(2 * MAX_FRAME_PAYLOAD));
  r.push('a', f[0]!, 100);
  r.push('b', f[0]!, 100.5);
  t.strictSame(r.expire(101), [], 'not yet at exactly the timeout');
  const gone = r.expire(101.2);
  t.strictSame(gone.map((g) => g.sender), ['a']);
  t.equal(gone[0]!.error.reason, 'reassembly');
  t.match(gone[0]!.error.message, /timed out/);
  t.equal(r.stats().senders, 1);
  t.equal(r.push('b', f[1]!, 101.4)!.pdu.length, 2 * MAX_FRAME_PAYLOAD, 'b still in time');
  // a stale piece never completes a later PDU, even if expire() was not called
  r.push('c', f[0]!, 200);
  t.equal(r.push('c', f[1]!, 202), null, 'stale frame 0 dropped, frame 1 now waits alone');
  t.strictSame(r.expire(203.5).map((g) => g.sender), ['c']);
  t.strictSame(r.stats(), { senders: 0, frames: 0, bytes: 0 });
  t.end();
});

t.test('a rescan that finds nothing due: the shared empty list, and later partials still time out', (t) => {
  const r = new Reassembler({ timeout: 1 });
  const f = framesOf(pattern(2 * MAX_FRAME_PAYLOAD));
  const nothingDue = r.expire(0);
  t.ok(Object.isFrozen(nothingDue), 'nothing due: a frozen list (callers read it, never add to it)');
  r.push('a', f[0]!, 10);
  t.not(r.push('a', f[1]!, 10.5), null, 'a completes before its deadline');
  // 11.2 is past a's old deadline, so expire() rescans, and finds nothing held
  t.equal(r.expire(11.2), nothingDue, 'the rescan returns the same shared list, not a new empty array');
  t.equal(r.expire(50), nothingDue, 'and so does every call after it');
  r.push('b', f[0]!, 60);
  t.equal(r.expire(61), nothingDue, 'b not yet due at exactly the timeout');
  t.strictSame(r.expire(61.1).map((g) => g.sender), ['b'], 'a partial started after the rescan still times out');
  r.push('c', f[0]!, 70);
  r.push('d', f[0]!, 70.5);
  t.strictSame(r.expire(71.2).map((g) => g.sender), ['c'], 'the earliest deadline first');
  t.strictSame(r.expire(71.6).map((g) => g.sender), ['d'], 'then the next one');
  t.end();
});
t.test('bounds overflow is a reassembly error and drops that partial PDU', (t) => {
  const f = framesOf(pattern(5 * MAX_FRAME_PAYLOAD));
  const frames = new Reassembler({ maxFramesPerPdu: 4 });
  frames.push('s', f[0]!, 0);
  t.equal(reasonOf(() => frames.push('s', f[4]!, 0)), 'reassembly', 'frame number beyond maxFramesPerPdu');
  t.equal(frames.stats().senders, 0);

  const perSender = new Reassembler({ maxBytesPerSender: 2 * MAX_FRAME_PAYLOAD });
  perSender.push('s', f[0]!, 0);
  perSender.push('s', f[1]!, 0);
  perSender.push('t', f[0]!, 0);
  t.equal(reasonOf(() => perSender.push('s', f[2]!, 0)), 'reassembly', 'per-sender bytes');
  t.strictSame(perSender.stats(), { senders: 1, frames: 1, bytes: MAX_FRAME_PAYLOAD }, 'only s dropped');

  // the total cap and the sender slots evict the oldest other partial PDU, and refuse
  // only when there is nothing else to evict
  const piece = MAX_FRAME_PAYLOAD + PIECE_OVERHEAD;
  const total = new Reassembler({ maxBytesTotal: 3 * piece });
  total.push('a', f[0]!, 0);
  total.push('b', f[0]!, 0);
  total.push('c', f[0]!, 0);
  t.equal(total.push('a', f[1]!, 0), null, 'a continues: b, the oldest other, makes room');
  t.strictSame(total.stats(), { senders: 2, frames: 3, bytes: 3 * MAX_FRAME_PAYLOAD });
  const alone = new Reassembler({ maxBytesTotal: 2 * piece });
  alone.push('a', f[0]!, 0);
  alone.push('a', f[1]!, 0);
  t.equal(reasonOf(() => alone.push('a', f[2]!, 0)), 'reassembly', 'total bytes, nobody else to evict');
  t.equal(alone.stats().senders, 0);

  const senders = new Reassembler({ maxSenders: 2 });
  senders.push('a', f[0]!, 0);
  senders.push('b', f[0]!, 0);
  t.equal(senders.push('c', f[0]!, 0), null, 'a third sender evicts the oldest');
  t.equal(senders.push('b', f[1]!, 0), null, 'b continues');
  t.equal(senders.stats().senders, 2);
  t.end();
});

t.test('contradicting pieces', (t) => {
  const f = framesOf(pattern(4 * MAX_FRAME_PAYLOAD));
  const r = new Reassembler();
  r.push('s', f[0]!, 0);
  r.push('s', f[3]!, 0); // last = 3
  const otherLast = { ...f[1]!, last: true };
  t.equal(reasonOf(() => r.push('s', otherLast, 0)), 'reassembly', 'a second last frame');
  t.equal(r.stats().senders, 0);
  r.push('s', f[2]!, 0);
  t.equal(reasonOf(() => r.push('s', { ...f[1]!, last: true }, 0)), 'reassembly', 'last below a held frame');
  r.push('s', { ...f[1]!, last: true }, 0);
  t.equal(reasonOf(() => r.push('s', f[2]!, 0)), 'reassembly', 'a frame above the last');
  t.end();
});
