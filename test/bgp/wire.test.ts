// BGP wire formats: golden octets both ways, typed errors for bad input, and a random
// byte test that only ever sees BgpMessageError.
import t from 'tap';
import { Reader } from '../../src/proto/cursor.js';
import { decodeNlri, encodeNlri, type LsNlri } from '../../src/bgp/ls/nlri.js';
import { MessageSplitter } from '../../src/bgp/wire/header.js';
import { decodeMessage, encodeMessage } from '../../src/bgp/wire/message.js';
import { BgpMessageError } from '../../src/bgp/wire/errors.js';
import { buildOpen, peerAsOf, validateOpen } from '../../src/bgp/wire/open.js';
import { hex, LINK, LINK_HEX, MESSAGES, NODE, NODE_HEX, PREFIX4, PREFIX4_HEX, PREFIX6, PREFIX6_HEX } from './samples.js';

for (const c of MESSAGES) {
  t.test(c.name, (t) => {
    const before = structuredClone(c.message);
    t.equal(encodeMessage(c.message).toString('hex'), c.hex, 'encode equals golden hex');
    t.same(c.message, before, 'encode does not mutate its input');
    const decoded = decodeMessage(Buffer.from(c.hex, 'hex'));
    t.strictSame(decoded, c.message, 'decode deep-equals the value');
    t.equal(encodeMessage(decoded).toString('hex'), c.hex, 'round trip');
    t.end();
  });
}

const nlriCases: [string, LsNlri, string][] = [
  ['Node', NODE, NODE_HEX],
  ['Link', LINK, LINK_HEX],
  ['IPv4 Prefix', PREFIX4, PREFIX4_HEX],
  ['IPv6 Prefix', PREFIX6, PREFIX6_HEX],
  [
    'Node with IGP Router-ID',
    { type: 'node', protocolId: 7, identifier: 0n, local: { asn: 65001, igpRouterId: '10.0.0.1', bgpRouterId: '10.0.0.1' } },
    hex('0001 0025 07 0000000000000000 0100 0018 0200 0004 0000fde9 0203 0004 0a000001 0204 0004 0a000001'),
  ],
];
for (const [name, value, golden] of nlriCases) {
  t.test(`BGP-LS ${name} NLRI`, (t) => {
    t.equal(encodeNlri(value).toString('hex'), golden, 'encode equals golden hex');
    t.strictSame(decodeNlri(new Reader(Buffer.from(golden, 'hex'))), value, 'decode deep-equals');
    t.end();
  });
}

t.test('a prefix is masked to its length, unknown TLVs pass through in order', (t) => {
  const n = encodeNlri({ ...PREFIX6, prefix: '2001:db8:1::ffff', other: [{ type: 263, value: '0002' }] });
  const back = decodeNlri(new Reader(n));
  t.equal((back as typeof PREFIX6).prefix, '2001:db8:1::');
  t.strictSame(back.other, [{ type: 263, value: '0002' }]);
  t.match(n.toString('hex'), /0107000200020109/, 'TLV 263 before 265');
  t.end();
});

function errorOf(fn: () => unknown): BgpMessageError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BgpMessageError) return err;
    throw err;
  }
  throw new Error('no error');
}

t.test('header errors carry the NOTIFICATION RFC 4271 6.1 asks for', (t) => {
  const ka = Buffer.from(MESSAGES.find((m) => m.name === 'KEEPALIVE')!.hex, 'hex');
  const badMarker = Buffer.from(ka);
  badMarker[3] = 0;
  let e = errorOf(() => decodeMessage(badMarker));
  t.strictSame([e.code, e.subcode], [1, 1], 'bad marker: 1/1');
  const long = Buffer.concat([ka, Buffer.from([0])]);
  long.writeUInt16BE(20, 16);
  e = errorOf(() => decodeMessage(long));
  t.strictSame([e.code, e.subcode, e.data.toString('hex')], [1, 2, '0014'], 'KEEPALIVE of 20 octets: 1/2 with the length');
  const short = Buffer.from(ka);
  short.writeUInt16BE(18, 16);
  e = errorOf(() => decodeMessage(short));
  t.strictSame([e.code, e.subcode], [1, 2], 'length under 19: 1/2');
  const badType = Buffer.from(ka);
  badType[18] = 9;
  e = errorOf(() => decodeMessage(badType));
  t.strictSame([e.code, e.subcode, e.data.toString('hex')], [1, 3, '09'], 'type 9: 1/3 with the type');
  t.end();
});

t.test('OPEN errors', (t) => {
  const open = Buffer.from(MESSAGES[0]!.hex, 'hex');
  const v3 = Buffer.from(open);
  v3[19] = 3;
  let e = errorOf(() => decodeMessage(v3));
  t.strictSame([e.code, e.subcode, e.data.toString('hex')], [2, 1, '0004'], 'version 3: 2/1, data = 4');
  const m = buildOpen(65001, 90, '10.0.0.1', [{ kind: 'four-octet-as', asn: 65001 }]);
  t.equal(peerAsOf(m), 65001);
  t.equal(validateOpen(m, 65001), null);
  e = validateOpen(m, 65002)!;
  t.strictSame([e.code, e.subcode], [2, 2], 'unexpected AS: 2/2');
  e = validateOpen({ ...m, holdTime: 2 }, 65001)!;
  t.strictSame([e.code, e.subcode], [2, 6], 'hold time 2: 2/6');
  e = validateOpen({ ...m, bgpId: '0.0.0.0' }, 65001)!;
  t.strictSame([e.code, e.subcode], [2, 3], 'identifier 0.0.0.0: 2/3');
  t.equal(buildOpen(4200000000, 90, '10.0.0.1', []).myAs, 23456, 'AS_TRANS for a 4-octet AS');
  t.end();
});

t.test('UPDATE errors', (t) => {
  const update = Buffer.from(MESSAGES.find((m) => m.name.startsWith('UPDATE: iBGP'))!.hex, 'hex');
  const badFlags = Buffer.from(update);
  badFlags[23] = 0x80; // ORIGIN marked optional
  let e = errorOf(() => decodeMessage(badFlags));
  t.strictSame([e.code, e.subcode], [3, 4], 'wrong attribute flags: 3/4');
  const overrun = Buffer.from(update);
  overrun.writeUInt16BE(0x48, 21); // attributes one octet longer than the message
  e = errorOf(() => decodeMessage(overrun));
  t.strictSame([e.code, e.subcode], [3, 1], 'attributes past the end: 3/1');
  t.end();
});

t.test('the splitter cuts a stream anywhere into whole messages', (t) => {
  const stream = Buffer.concat(MESSAGES.map((m) => Buffer.from(m.hex, 'hex')));
  for (const size of [1, 7, 19, 64, stream.length]) {
    const s = new MessageSplitter();
    const got: string[] = [];
    for (let i = 0; i < stream.length; i += size) for (const m of s.push(stream.subarray(i, i + size))) got.push(m.toString('hex'));
    t.strictSame(got, MESSAGES.map((m) => m.hex), `chunks of ${size}`);
    t.equal(s.buffered, 0);
  }
  const s = new MessageSplitter();
  t.strictSame(s.push(Buffer.from(MESSAGES[0]!.hex, 'hex').subarray(0, 30)), []);
  t.equal(s.buffered, 30, 'a half message waits');
  t.end();
});

t.test('random bytes after a valid header only ever give BgpMessageError', (t) => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >>> 16) & 0xff;
  let errors = 0;
  for (let i = 0; i < 3000; i++) {
    const type = 1 + (i % 5);
    const len = 19 + (rand() % 120);
    const buf = Buffer.alloc(len, 0xff);
    buf.writeUInt16BE(len, 16);
    buf[18] = type;
    for (let j = 19; j < len; j++) buf[j] = rand();
    try {
      decodeMessage(buf);
    } catch (err) {
      if (!(err instanceof BgpMessageError)) throw err;
      errors++;
    }
  }
  t.ok(errors > 0, `${errors} refused, none with another error`);
  t.end();
});
