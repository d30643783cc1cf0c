// The KEEPALIVE frame taken without the stream (issue 10): only the encoder's exact octets
// are; anything else goes through the stream and is judged there.
import t from 'tap';
import { decodeFrame } from '../../src/proto/frame.js';
import { decodePdu } from '../../src/proto/pdu/index.js';
import { isKeepaliveFrame, KEEPALIVE_FRAMES } from '../../src/daemon/keepalive-frame.js';
import { KEEPALIVE } from '../../src/proto/session/index.js';

t.test('the constant frame is a KEEPALIVE as the decoder reads it', async (t) => {
  t.equal(KEEPALIVE_FRAMES.length, 1);
  const f = decodeFrame(KEEPALIVE_FRAMES[0]!);
  t.ok(f.last);
  t.equal(f.number, 0);
  t.same(decodePdu(f.payload), KEEPALIVE);
  t.ok(Object.isFrozen(KEEPALIVE));
});

t.test('recognised with Ethernet padding; any other octet is not', async (t) => {
  const frame = KEEPALIVE_FRAMES[0]!;
  const padded = Buffer.alloc(46, 0xaa);
  frame.copy(padded);
  t.ok(isKeepaliveFrame(padded), 'padded to the Ethernet minimum (padding not zero)');
  t.ok(isKeepaliveFrame(frame), 'exact');
  t.notOk(isKeepaliveFrame(frame.subarray(0, frame.length - 1)), 'truncated');
  for (let i = 0; i < frame.length; i++) {
    const bad = Buffer.from(padded);
    bad[i]! ^= 0x01;
    t.notOk(isKeepaliveFrame(bad), `octet ${i} changed`);
  }
});
