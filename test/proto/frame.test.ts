import t from 'tap';
import { DecodeError } from '../../src/proto/errors.js';
import { decodeFrame, encodeFrame, FRAME_HEADER_LENGTH, MAX_FRAME_PAYLOAD, MAX_FRAMES } from '../../src/proto/frame.js';

const keepalive = Buffer.from('0080000b5089ca1c020003', 'hex');

function reasonOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e.reason;
    throw e;
  }
  return undefined;
}

t.equal(FRAME_HEADER_LENGTH, 8);
t.equal(MAX_FRAME_PAYLOAD, 1492);
t.equal(MAX_FRAMES, 128);

t.test('decodes the header fields', (t) => {
  const f = decodeFrame(keepalive);
  t.equal(f.version, 0);
  t.equal(f.last, true);
  t.equal(f.number, 0);
  t.equal(f.length, 11);
  t.equal(f.checksum, 0x5089ca1c);
  t.equal(f.payload.toString('hex'), '020003');
  t.equal(f.payload.buffer, keepalive.buffer, 'payload is a view, not a copy');
  t.end();
});

t.test('Ethernet padding after Frame Length is ignored', (t) => {
  const padded = Buffer.concat([keepalive, Buffer.alloc(35)]);
  t.equal(decodeFrame(padded).payload.toString('hex'), '020003');
  t.end();
});

t.test('checks in order: truncated, version, length, checksum', (t) => {
  t.equal(reasonOf(() => decodeFrame(Buffer.alloc(0))), 'truncated');
  t.equal(reasonOf(() => decodeFrame(keepalive.subarray(0, 7))), 'truncated');
  // version is checked before a bad length or checksum
  t.equal(reasonOf(() => decodeFrame(Buffer.from('0180ffff00000000', 'hex'))), 'version');
  t.equal(reasonOf(() => decodeFrame(Buffer.from('0080000700000000', 'hex'))), 'length', 'below 8');
  t.equal(reasonOf(() => decodeFrame(Buffer.from('0080000c5089ca1c020003', 'hex'))), 'length', 'beyond received');
  const bad = Buffer.from(keepalive);
  bad[10] ^= 1;
  t.equal(reasonOf(() => decodeFrame(bad)), 'checksum');
  t.equal(reasonOf(() => decodeFrame(Buffer.from('0080000800000000', 'hex'))), 'checksum', 'empty payload, wrong sum');
  t.end();
});

t.test('error messages name the field and offset', (t) => {
  try {
    decodeFrame(Buffer.from('0080000c5089ca1c020003', 'hex'));
    t.fail('should throw');
  } catch (e) {
    t.ok(e instanceof DecodeError);
    t.match((e as DecodeError).message, /frame length: 12 at offset 2/);
    t.equal((e as DecodeError).offset, 2);
  }
  t.end();
});

t.test('encodeFrame', (t) => {
  t.equal(encodeFrame({ last: true, number: 0, payload: Buffer.from('020003', 'hex') }).toString('hex'), keepalive.toString('hex'));
  const payload = Buffer.from('0102030405', 'hex');
  const copy = Buffer.from(payload);
  const f = encodeFrame({ last: false, number: 5, payload });
  t.same(payload, copy, 'payload untouched');
  const d = decodeFrame(f);
  t.strictSame({ last: d.last, number: d.number, length: d.length }, { last: false, number: 5, length: 13 });
  t.equal(d.payload.toString('hex'), '0102030405');
  t.equal(reasonOf(() => encodeFrame({ last: true, number: 128, payload })), 'pdu');
  t.equal(reasonOf(() => encodeFrame({ last: true, number: -1, payload })), 'pdu');
  t.end();
});
