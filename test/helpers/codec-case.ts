// One check for every codec value (after dns-packet / mqtt-packet): the encoding
// equals golden hex, decoding gives the value back, the size is encodingLength,
// two round trips are stable, encoding at an offset works, the input is untouched.
import type { Test } from 'tap';
import { CODECS, decodePdu, encodePdu, pduEncodingLength, unknown, type PduCodec } from '../../src/proto/pdu/index.js';
import type { Pdu, PduTypeName } from '../../src/proto/types.js';

export function codecFor(value: Pdu): PduCodec<Pdu> {
  return (value.type === 'UNKNOWN' ? unknown : CODECS[value.type as PduTypeName]) as PduCodec<Pdu>;
}

export function codecCase(t: Test, name: string, value: Pdu, hex: string): void {
  t.test(name, (t) => {
    const codec = codecFor(value);
    const before = structuredClone(value);
    const buf = codec.encode(value);
    t.equal(buf.toString('hex'), hex, 'encode equals golden hex');
    t.equal(encodePdu(value).toString('hex'), hex, 'encodePdu equals golden hex');
    t.same(value, before, 'encode does not mutate its input');
    t.equal(codec.encodingLength(value), buf.length, 'encodingLength equals the size');
    t.equal(pduEncodingLength(value), buf.length, 'pduEncodingLength equals the size');
    const decoded = codec.decode(Buffer.from(hex, 'hex'));
    t.strictSame(decoded, value, 'decode deep-equals the value');
    t.strictSame(decodePdu(Buffer.from(hex, 'hex')), value, 'decodePdu deep-equals the value');
    const again = codec.encode(decoded);
    t.equal(again.toString('hex'), hex, 'round trip 1');
    t.strictSame(codec.decode(again), value, 'round trip 2');
    const offset = 5;
    const big = Buffer.alloc(offset + buf.length + 3, 0xaa);
    const returned = codec.encode(value, big, offset);
    t.equal(returned, big, 'encode into a given buffer returns it');
    t.equal(big.subarray(offset, offset + buf.length).toString('hex'), hex, 'encoding at an offset');
    t.equal(big.subarray(0, offset).toString('hex'), 'aa'.repeat(offset), 'octets before the offset untouched');
    t.equal(big.subarray(offset + buf.length).toString('hex'), 'aaaaaa', 'octets after untouched');
    t.strictSame(codec.decode(big, offset, offset + buf.length), value, 'decode at an offset');
    t.end();
  });
}
