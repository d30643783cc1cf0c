// The reassembly policy under a flood (issue 9): an open session's PDU is reserved,
// strangers share a budget per interface where the oldest goes first, empty pieces
// count. Pure: time is the number passed to push (a fake clock).
import t from 'tap';
import { DecodeError } from '../../src/proto/errors.js';
import {
  PIECE_OVERHEAD,
  Reassembler,
  splitPdu,
  type ReassemblyDropReason,
  type ReassemblyOptions,
} from '../../src/proto/fragment.js';
import { decodeFrame, MAX_FRAME_PAYLOAD, type LsoeFrame } from '../../src/proto/frame.js';

const MAX_PDU = 0xffff;

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + seed) & 0xff;
  return b;
}
function framesOf(pdu: Buffer): LsoeFrame[] {
  return splitPdu(pdu).map((f) => decodeFrame(f));
}
/** A Reassembler whose drops are tallied per reason and listed in order. */
function counted(options: ReassemblyOptions = {}) {
  const by: Partial<Record<ReassemblyDropReason, number>> = {};
  const dropped: string[] = [];
  const r = new Reassembler({
    ...options,
    onDrop: (reason, sender) => {
      by[reason] = (by[reason] ?? 0) + 1;
      dropped.push(sender);
    },
  });
  return { r, by, dropped };
}
function refused(f: () => unknown): boolean {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError && e.reason === 'reassembly') return true;
    throw e;
  }
  return false;
}

/**
 * 4,000 strangers on two interfaces each send an unfinished first piece while the
 * genuine neighbour (open session on eth0) sends a maximum-size PDU in 44 frames, one
 * frame after every ~90 flood pieces. Returns the PDU when it completed, else null.
 */
function flood(reserved: boolean) {
  const c = counted();
  const genuine = framesOf(pattern(MAX_PDU, 1));
  const stranger = framesOf(pattern(2 * MAX_FRAME_PAYLOAD, 2))[0]!;
  let done: Buffer | null = null;
  let next = 0;
  const strangers = 4000;
  const every = Math.floor(strangers / genuine.length);
  for (let i = 0; i < strangers; i++) {
    const now = i / 8000; // all within 0.5 s: nothing times out
    c.r.push(`s${i}`, stranger, now, { group: i % 2 ? 'eth1' : 'eth0', reserved: false });
    if (i % every === 0 && next < genuine.length) {
      const out = c.r.push('genuine', genuine[next++]!, now, { group: 'eth0', reserved });
      if (out) done = out.pdu;
    }
  }
  return { done, genuine: pattern(MAX_PDU, 1), ...c };
}

t.test("a flood of unfinished first pieces cannot stop an open session's PDU", (t) => {
  const { done, genuine, r, by } = flood(true);
  t.ok(done !== null && done.equals(genuine), 'the 44-frame PDU completed, intact');
  const s = r.stats();
  t.ok(s.bytes + s.frames * PIECE_OVERHEAD <= 4 * 1024 * 1024, `within the total cap (${s.bytes} octets held)`);
  t.ok((by['evicted-interface'] ?? 0) + (by['evicted-senders'] ?? 0) > 2000, 'strangers were evicted, counted');
  t.equal(by['refused-total'] ?? 0, 0, 'the genuine piece was never refused');
  t.end();
});

t.test('the same flood starves a sender without a session (why the reserve exists)', (t) => {
  const { done } = flood(false);
  t.equal(done, null, 'the unreserved PDU was evicted by the flood');
  t.end();
});

t.test('the oldest stranger of the interface is evicted first', (t) => {
  const piece = framesOf(pattern(2 * MAX_FRAME_PAYLOAD, 3));
  const { r, by, dropped } = counted({ maxBytesPerInterface: 3 * (MAX_FRAME_PAYLOAD + PIECE_OVERHEAD) });
  const eth0 = { group: 'eth0', reserved: false };
  r.push('a', piece[0]!, 0, eth0);
  r.push('b', piece[0]!, 0.1, eth0);
  r.push('other', piece[0]!, 0.15, { group: 'eth1', reserved: false });
  r.push('c', piece[0]!, 0.2, eth0);
  r.push('d', piece[0]!, 0.3, eth0);
  t.strictSame(dropped, ['a'], 'a, the oldest on eth0, went; eth1 untouched');
  t.strictSame(by, { 'evicted-interface': 1 });
  t.equal(r.push('a', piece[1]!, 0.4, eth0), null, "a's second piece starts over (evicting b)");
  t.strictSame(dropped, ['a', 'b']);
  t.ok(r.push('c', piece[1]!, 0.5, eth0)?.pdu.equals(pattern(2 * MAX_FRAME_PAYLOAD, 3)), 'c still completes');
  // a reserved sender is charged to the total cap only, and never evicted
  const reserved = counted({ maxBytesPerInterface: MAX_FRAME_PAYLOAD + PIECE_OVERHEAD, maxBytesTotal: 3 * (MAX_FRAME_PAYLOAD + PIECE_OVERHEAD) });
  reserved.r.push('open', piece[0]!, 0, { group: 'eth0', reserved: true });
  reserved.r.push('x', piece[0]!, 0, eth0);
  reserved.r.push('y', piece[0]!, 0, eth0);
  t.strictSame(reserved.dropped, ['x'], 'the interface budget evicts x, not the open session');
  t.ok(reserved.r.push('open', piece[1]!, 0, { group: 'eth0', reserved: true }), 'the open session completes');
  t.end();
});

t.test('pieces with an empty payload count against the budget', (t) => {
  const empty = (number: number): LsoeFrame => ({ version: 0, last: false, number, length: 8, checksum: 0, payload: Buffer.alloc(0) });
  const { r, by, dropped } = counted({ maxBytesPerInterface: 10 * PIECE_OVERHEAD });
  const eth0 = { group: 'eth0', reserved: false };
  for (let i = 0; i < 10; i++) r.push(`e${i}`, empty(1), i / 100, eth0);
  t.strictSame(r.stats(), { senders: 10, frames: 10, bytes: 0 }, 'ten empty pieces held, no payload');
  r.push('e10', empty(1), 0.2, eth0);
  t.strictSame(dropped, ['e0'], 'the eleventh evicted the oldest');
  t.equal(by['evicted-interface'], 1);
  // one sender alone: its empty pieces fill the budget, then it is refused
  const one = counted({ maxBytesPerInterface: 10 * PIECE_OVERHEAD });
  for (let i = 0; i < 10; i++) one.r.push('s', empty(i + 1), 0, eth0);
  t.ok(refused(() => one.r.push('s', empty(11), 0, eth0)), 'the eleventh empty piece is refused');
  t.strictSame(one.by, { 'refused-interface': 1 });
  t.equal(one.r.stats().senders, 0, 'and its pieces dropped');
  t.end();
});
