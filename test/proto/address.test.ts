import t from 'tap';
import { isIPv6 } from 'node:net';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../src/proto/pdu/address.js';

function v6(hex: string): string {
  return formatIPv6(Buffer.from(hex.replace(/ /g, ''), 'hex'), 0);
}
function parse6(text: string): string | null {
  const out = Buffer.alloc(16);
  return parseIPv6(text, out, 0) ? out.toString('hex') : null;
}

t.test('RFC 5952 formatting', (t) => {
  t.equal(v6('20010db8 00000000 00000000 00000001'), '2001:db8::1', 'longest zero run shortened, leading zeros dropped');
  t.equal(v6('00000000 00000000 00000000 00000000'), '::');
  t.equal(v6('00000000 00000000 00000000 00000001'), '::1');
  t.equal(v6('fe800000 00000000 00000000 00000000'), 'fe80::');
  t.equal(v6('20010db8 00000001 00010001 00010001'), '2001:db8:0:1:1:1:1:1', 'a single zero group is not shortened');
  t.equal(v6('20010db8 00000000 00010000 00000001'), '2001:db8::1:0:0:1', 'first of two equal runs');
  t.equal(v6('20010000 00000001 00000000 00000001'), '2001:0:0:1::1', 'longer run wins over the first');
  t.equal(v6('20010DB8 ABCD0000 00000000 0000000A'.toLowerCase()), '2001:db8:abcd::a', 'lowercase');
  t.equal(v6('00000000 00000000 0000ffff c0000201'), '::ffff:192.0.2.1', 'IPv4-mapped keeps the dotted quad');
  t.end();
});

t.test('IPv6 parsing', (t) => {
  t.equal(parse6('2001:db8:0::1'), '20010db8000000000000000000000001', 'non-canonical input');
  t.equal(parse6('2001:DB8::1'), '20010db8000000000000000000000001');
  t.equal(parse6('::'), '0'.repeat(32));
  t.equal(parse6('1:2:3:4:5:6:7:8'), '00010002000300040005000600070008');
  t.equal(parse6('::ffff:192.0.2.1'), '00000000000000000000ffffc0000201');
  t.equal(parse6('1::'), '0001' + '0'.repeat(28));
  for (const bad of ['', ':', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::', '1:::2', ':1::', '1.2.3.4::', '::1.2.3', '1:2:3:4:5:6:7::8:9']) {
    t.equal(parse6(bad), null, `rejects ${JSON.stringify(bad)}`);
    t.equal(isIPv6(bad), false, `node agrees ${JSON.stringify(bad)} is invalid`);
  }
  t.end();
});

t.test('format and parse agree with node:net on a sample', (t) => {
  let bad = 0;
  const b = Buffer.alloc(16);
  for (let i = 0; i < 2000; i++) {
    // sparse groups so that zero runs of every length occur
    for (let g = 0; g < 8; g++) b.writeUInt16BE((i >> g) & 1 ? ((i * 2654435761) >>> (g * 2)) & 0xffff : 0, g * 2);
    const text = formatIPv6(b, 0);
    if (!isIPv6(text) || parse6(text) !== b.toString('hex')) bad++;
  }
  t.equal(bad, 0);
  t.end();
});

t.test('IPv4', (t) => {
  t.equal(formatIPv4(Buffer.from([10, 0, 0, 1]), 0), '10.0.0.1');
  const out = Buffer.alloc(4);
  t.equal(parseIPv4('192.0.2.255', out, 0), true);
  t.equal(out.toString('hex'), 'c00002ff');
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.x', '', '1..2.3', '-1.2.3.4', '1.2.3.4 ']) {
    t.equal(parseIPv4(bad, out, 0), false, `rejects ${JSON.stringify(bad)}`);
  }
  t.end();
});
