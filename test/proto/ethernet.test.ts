import t from 'tap';
import { DecodeError } from '../../src/proto/errors.js';
import {
  buildEthernet,
  DEFAULT_ETHERTYPE,
  HELLO_MULTICAST,
  macToString,
  normalizeMac,
  parseEthernet,
  parseMac,
} from '../../src/proto/ethernet.js';

const hello = Buffer.from('0180c200000e02000000000188b50080000bea89ca1c000003', 'hex');

t.equal(HELLO_MULTICAST, '01:80:c2:00:00:0e');
t.equal(DEFAULT_ETHERTYPE, 0x88b5);

t.test('parse an untagged frame', (t) => {
  const e = parseEthernet(hello);
  t.equal(e.dst, HELLO_MULTICAST);
  t.equal(e.src, '02:00:00:00:00:01');
  t.equal(e.ethertype, 0x88b5);
  t.equal(e.payload.toString('hex'), '0080000bea89ca1c000003');
  t.strictSame(e.vlanTags, []);
  t.end();
});

t.test('VLAN tags are skipped', (t) => {
  // 802.1ad outer (VID 100), 802.1Q inner (VID 5, PCP 3), then 0x9100 (VID 4095)
  const tagged = Buffer.concat([
    hello.subarray(0, 12),
    Buffer.from('88a8006481006005' + '91000fff', 'hex'),
    hello.subarray(12),
  ]);
  const e = parseEthernet(tagged);
  t.equal(e.ethertype, 0x88b5);
  t.strictSame(e.vlanTags, [100, 5, 4095]);
  t.equal(e.payload.toString('hex'), '0080000bea89ca1c000003');
  t.end();
});

t.test('truncated headers', (t) => {
  for (const b of [Buffer.alloc(0), hello.subarray(0, 13), Buffer.from('0180c200000e0200000000018100', 'hex'), Buffer.from('0180c200000e020000000001810000058100', 'hex')]) {
    let reason: string | undefined;
    try {
      parseEthernet(b);
    } catch (e) {
      reason = e instanceof DecodeError ? e.reason : 'not a DecodeError';
    }
    t.equal(reason, 'truncated', `${b.length} octets`);
  }
  // exactly the header with an empty payload is fine
  t.equal(parseEthernet(hello.subarray(0, 14)).payload.length, 0);
  t.end();
});

t.test('build', (t) => {
  const payload = Buffer.from('0080000bea89ca1c000003', 'hex');
  t.equal(buildEthernet(HELLO_MULTICAST, '02-00-00-00-00-01', 0x88b5, payload).toString('hex'), hello.toString('hex'));
  t.throws(() => buildEthernet('nope', '02:00:00:00:00:01', 0x88b5, payload), DecodeError);
  t.throws(() => buildEthernet(HELLO_MULTICAST, '02:00:00:00:00', 0x88b5, payload), DecodeError);
  t.throws(() => buildEthernet(HELLO_MULTICAST, HELLO_MULTICAST, 0x10000, payload), DecodeError);
  t.end();
});

t.test('MAC text', (t) => {
  t.equal(macToString(Buffer.from('00aabbccddeeff', 'hex'), 1), 'aa:bb:cc:dd:ee:ff');
  t.equal(parseMac('01-80-C2-00-00-0E')?.toString('hex'), '0180c200000e');
  t.equal(parseMac('aa:bb:cc:dd:ee:ff')?.toString('hex'), 'aabbccddeeff');
  t.equal(parseMac('AABBCCDDEEFF')?.toString('hex'), 'aabbccddeeff');
  t.equal(normalizeMac('01-80-C2-00-00-0E'), '01:80:c2:00:00:0e');
  for (const bad of ['', 'aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:ff:00', 'aa:bb-cc:dd:ee:ff', 'aa:bb:cc:dd:ee:fg', 'a:b:c:d:e:f', ' aa:bb:cc:dd:ee:ff']) {
    t.equal(parseMac(bad), null, `rejects ${JSON.stringify(bad)}`);
  }
  t.end();
});

t.test('buildEthernet pads to minLength with zeros in the one buffer; frames never share octets', (t) => {
  const payload = Buffer.from([0, 0x80, 0, 0x0b, 1, 2, 3, 4, 2, 0, 3]);
  const short = buildEthernet('02:00:00:00:00:0b', '02:00:00:00:00:0a', 0x88b5, payload);
  t.equal(short.length, 14 + payload.length, 'no padding asked');
  const padded = buildEthernet('02:00:00:00:00:0b', '02:00:00:00:00:0a', 0x88b5, payload, 60);
  t.equal(padded.length, 60);
  t.same(padded.subarray(0, short.length), short, 'the same frame');
  t.ok(padded.subarray(short.length).every((b) => b === 0), 'zero padding');
  // the parsed MACs are kept between calls: a frame written over must not change the next
  padded.fill(0xff);
  t.same(buildEthernet('02:00:00:00:00:0b', '02:00:00:00:00:0a', 0x88b5, payload), short);
  t.same(buildEthernet('02-00-00-00-00-0B', '02:00:00:00:00:0a', 0x88b5, payload).subarray(0, 6), Buffer.from('02000000000b', 'hex'), 'any spelling');
  t.throws(() => buildEthernet('nope', '02:00:00:00:00:0a', 0x88b5, payload), /destination MAC/);
  t.end();
});
