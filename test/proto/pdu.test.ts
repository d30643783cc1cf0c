import t, { type Test } from 'tap';
import { DecodeError } from '../../src/proto/errors.js';
import { decodePdu, encodePdu } from '../../src/proto/pdu/index.js';
import type { Pdu } from '../../src/proto/types.js';
import { codecCase } from '../helpers/codec-case.js';

t.test('codec cases', (t) => {
  codecCase(t, 'HELLO', { type: 'HELLO' }, '000003');
  codecCase(t, 'KEEPALIVE', { type: 'KEEPALIVE' }, '020003');
  codecCase(
    t,
    'OPEN',
    { type: 'OPEN', nonce: 'a1b2c3d4', localId: '00112233445566778899', attributes: '0102' },
    '010016a1b2c3d4001122334455667788990201020000',
  );
  codecCase(
    t,
    'OPEN with auth',
    { type: 'OPEN', nonce: '00000001', localId: 'ffffffffffffffffffff', attributes: '', auth: 'beef' },
    '01001600000001ffffffffffffffffffff000002beef',
  );
  codecCase(t, 'ACK', { type: 'ACK', ackType: 4, errorType: 2, errorCode: 1, errorHint: 4660 }, '0300080420011234');
  codecCase(t, 'ACK max fields', { type: 'ACK', ackType: 255, errorType: 15, errorCode: 4095, errorHint: 65535 }, '030008ffffffffff');
  codecCase(t, 'IPV4 empty', { type: 'IPV4_ENCAPSULATION', encaps: [] }, '0400050000');
  codecCase(
    t,
    'IPV4',
    {
      type: 'IPV4_ENCAPSULATION',
      encaps: [
        { address: '10.0.0.1', prefixLength: 31, primary: true, loopback: false },
        { address: '192.0.2.1', prefixLength: 32, primary: false, loopback: true },
      ],
    },
    '0400110002800a0000011f40c000020120',
  );
  codecCase(
    t,
    'IPV6 both flags',
    { type: 'IPV6_ENCAPSULATION', encaps: [{ address: '::', prefixLength: 0, primary: true, loopback: true }] },
    '05001700' + '01c0' + '00'.repeat(16) + '00',
  );
  codecCase(
    t,
    'MPLS_IPV4 no labels',
    { type: 'MPLS_IPV4_ENCAPSULATION', encaps: [{ address: '1.2.3.4', prefixLength: 8, primary: false, loopback: false, labels: [] }] },
    '06000c0001' + '0000' + '01020304' + '08',
  );
  codecCase(
    t,
    'MPLS_IPV6',
    {
      type: 'MPLS_IPV6_ENCAPSULATION',
      encaps: [{ address: '2001:db8::1', prefixLength: 128, primary: true, loopback: false, labels: ['00fa01'] }],
    },
    '07001b0001800100fa0120010db800000000000000000000000180',
  );
  codecCase(t, 'VENDOR', { type: 'VENDOR', enterpriseNumber: 32473, enterpriseType: 7, data: '0102' }, 'ff000a00007ed9070102');
  codecCase(t, 'VENDOR empty data', { type: 'VENDOR', enterpriseNumber: 4294967295, enterpriseType: 0, data: '' }, 'ff0008ffffffff00');
  codecCase(t, 'UNKNOWN', { type: 'UNKNOWN', typeCode: 9, raw: '090005abcd' }, '090005abcd');
  t.end();
});

/** Decodes and returns the DecodeError (or fails the test). */
function decodeError(t: Test, hex: string): DecodeError | undefined {
  try {
    decodePdu(Buffer.from(hex, 'hex'));
  } catch (e) {
    if (e instanceof DecodeError) return e;
    t.fail(`non-DecodeError thrown: ${String(e)}`);
    return undefined;
  }
  t.fail(`${hex} decoded without error`);
  return undefined;
}

function encodeError(t: Test, p: unknown): DecodeError | undefined {
  try {
    encodePdu(p as Pdu);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    t.fail(`non-DecodeError thrown: ${String(e)}`);
    return undefined;
  }
  t.fail(`${JSON.stringify(p)} encoded without error`);
  return undefined;
}

t.test('malformed PDUs name the field and the offset', (t) => {
  const cases: Array<[string, string, RegExp, number]> = [
    ['empty', '', /PDU header: needs 3 octets/, 0],
    ['short header', '0000', /PDU header/, 2],
    ['length too big', '000004', /HELLO length: 4 but the PDU is 3 octets at offset 1/, 1],
    ['length too small', '02000200', /KEEPALIVE length: 2/, 1],
    ['hello with a body', '00000400', /HELLO: 1 trailing octet at offset 3/, 3],
    ['keepalive with a body', '020005abcd', /KEEPALIVE: 2 trailing octets at offset 3/, 3],
    ['unknown length mismatch', '42000500', /PDU length: 5 at offset 1 but the PDU is 4/, 1],
    ['ack missing hint', '0300070100000', /ACK error hint: needs 2 octets at offset 6, only 1 left/, 6],
    ['open truncated attributes', '010015a1b2c3d40011223344556677889905010200', /OPEN attributes: needs 5 octets at offset 18/, 18],
    ['open trailing', '010017a1b2c3d4001122334455667788990201020000ff', /OPEN: 1 trailing octet at offset 22/, 22],
    ['ipv4 count beyond data', '0400050001', /IPV4_ENCAPSULATION entry 0 flags: needs 1 octet at offset 5/, 5],
    ['ipv4 trailing', '04000600007f', /IPV4_ENCAPSULATION: 1 trailing octet at offset 5/, 5],
    ['ipv4 prefix 33', '04000b0001800a00000121', /IPV4_ENCAPSULATION entry 0 prefix length: 33 is over 32 at offset 10/, 10],
    ['ipv6 prefix 129', '05001700018020010db800000000000000000000000181', /entry 0 prefix length: 129 is over 128 at offset 22/, 22],
    ['mpls-ipv4 second entry prefix 40', '060016000200010000010a00000120' + '00000a00000128', /entry 1 prefix length: 40 is over 32 at offset 21/, 21],
    ['mpls label truncated', '06000800010002' + '00', /MPLS_IPV4_ENCAPSULATION entry 0 label 0: needs 3 octets at offset 7/, 7],
    ['ack of HELLO', '0300080000000000', /ACK acked type: 0 is never acked at offset 3/, 3],
    ['ack of KEEPALIVE', '0300080200000000', /never acked/, 3],
    ['ack of ACK', '0300080300000000', /never acked/, 3],
    ['NO_ERROR with code', '0300080100010000', /ACK error code: 1 with error type NO_ERROR at offset 4/, 4],
    ['NO_ERROR with hint', '0300080100000001', /ACK error hint: 1 with error type NO_ERROR at offset 6/, 6],
    ['vendor too short', 'ff00070000000', /VENDOR enterprise type: needs 1 octet at offset 7/, 7],
  ];
  for (const [name, hex, re, offset] of cases) {
    const e = decodeError(t, hex.length % 2 ? hex + '0' : hex);
    if (e === undefined) continue;
    t.equal(e.reason, 'pdu', `${name}: reason`);
    t.match(e.message, re, `${name}: message ${e.message}`);
    t.equal(e.offset, offset, `${name}: offset`);
    t.notMatch(e.message, /\n/, `${name}: one line`);
  }
  t.end();
});

t.test('decode detail', (t) => {
  t.strictSame(decodePdu(Buffer.from('0300080700000000', 'hex')), { type: 'ACK', ackType: 7, errorType: 0, errorCode: 0, errorHint: 0 });
  t.strictSame(decodePdu(Buffer.from('030008c800000000', 'hex')), {
    type: 'ACK', ackType: 200, errorType: 0, errorCode: 0, errorHint: 0,
  }, 'ACK of an unknown type is allowed (it may be a future acked type)');
  const reserved = decodePdu(Buffer.from('04000b00013f0a00000118', 'hex'));
  t.strictSame(reserved, {
    type: 'IPV4_ENCAPSULATION',
    encaps: [{ address: '10.0.0.1', prefixLength: 24, primary: false, loopback: false }],
  }, 'reserved flag bits are ignored');
  t.strictSame(decodePdu(Buffer.from('420003', 'hex')), { type: 'UNKNOWN', typeCode: 0x42, raw: '420003' });
  const open = decodePdu(Buffer.from('010016a1b2c3d400112233445566778899000002abcd', 'hex'));
  t.equal((open as { auth?: string }).auth, 'abcd', 'non-empty auth is exposed');
  t.end();
});

t.test('encoding refuses values that cannot be sent', (t) => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['nonce length', { type: 'OPEN', nonce: 'a1', localId: '00112233445566778899', attributes: '' }, /OPEN nonce: 1 octets, must be 4/],
    ['nonce not hex', { type: 'OPEN', nonce: 'zzzzzzzz', localId: '00112233445566778899', attributes: '' }, /OPEN nonce: "zzzzzzzz" is not hex/],
    ['attributes over 255', { type: 'OPEN', nonce: '00000000', localId: '00112233445566778899', attributes: '00'.repeat(256) }, /at most 255/],
    ['ack type over 255', { type: 'ACK', ackType: 256, errorType: 0, errorCode: 0, errorHint: 0 }, /ACK acked type/],
    ['ack of HELLO', { type: 'ACK', ackType: 0, errorType: 0, errorCode: 0, errorHint: 0 }, /never acked/],
    ['error code 4096', { type: 'ACK', ackType: 1, errorType: 1, errorCode: 4096, errorHint: 0 }, /ACK error code/],
    ['NO_ERROR hint', { type: 'ACK', ackType: 1, errorType: 0, errorCode: 0, errorHint: 1 }, /NO_ERROR/],
    ['bad ipv4', { type: 'IPV4_ENCAPSULATION', encaps: [{ address: '10.0.0.256', prefixLength: 8, primary: false, loopback: false }] }, /entry 0 address: "10.0.0.256" is not an IPv4/],
    ['ipv6 in ipv4', { type: 'IPV4_ENCAPSULATION', encaps: [{ address: '::1', prefixLength: 8, primary: false, loopback: false }] }, /not an IPv4/],
    ['bad ipv6', { type: 'IPV6_ENCAPSULATION', encaps: [{ address: '1::2::3', prefixLength: 8, primary: false, loopback: false }] }, /not an IPv6/],
    ['prefix 33', { type: 'IPV4_ENCAPSULATION', encaps: [{ address: '10.0.0.1', prefixLength: 33, primary: false, loopback: false }] }, /over 32/],
    ['label 2 octets', { type: 'MPLS_IPV4_ENCAPSULATION', encaps: [{ address: '10.0.0.1', prefixLength: 8, primary: false, loopback: false, labels: ['0001'] }] }, /label 0: 2 octets, must be 3/],
    ['label not hex', { type: 'MPLS_IPV4_ENCAPSULATION', encaps: [{ address: '10.0.0.1', prefixLength: 8, primary: false, loopback: false, labels: ['00000g'] }] }, /not hex/],
    ['vendor data odd', { type: 'VENDOR', enterpriseNumber: 1, enterpriseType: 1, data: 'abc' }, /VENDOR data/],
    ['unknown type name', { type: 'NOPE' }, /not known/],
    ['unknown raw mismatch', { type: 'UNKNOWN', typeCode: 9, raw: '0a0003' }, /UNKNOWN raw/],
    ['too long', { type: 'VENDOR', enterpriseNumber: 1, enterpriseType: 1, data: '00'.repeat(65536) }, /16-bit Length/],
  ];
  for (const [name, p, re] of cases) {
    const e = encodeError(t, p);
    if (e !== undefined) t.match(e.message, re, `${name}: ${e.message}`);
  }
  t.end();
});
