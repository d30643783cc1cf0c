// ByteWriter's number spellings must be String()'s, octet for octet: record
// JSON is compared with JSON.stringify elsewhere, but capture times take a
// fast path of their own (seconds()), so it is held here to String() over
// the cases that path takes, the ones it must leave to String(), and its edges.
// The encapsulation entry writers (addresses, their tails, MPLS labels) are held
// to address.ts's formatters and to the room their callers ensure.
import t from 'tap';
import { formatIPv4, formatIPv6 } from '../../src/proto/pdu/address.js';
import { ascii, ByteWriter, TAIL_OCTETS, TAIL_WORDS } from '../../src/render/byte-writer.js';
import { seededRandom } from '../helpers/fake-clock.js';

const w = new ByteWriter(() => undefined);

function spelled(write: (w: ByteWriter) => void): string {
  w.pos = 0;
  // an address, its tail's nine words and more
  w.ensure(160);
  write(w);
  return w.buf.toString('latin1', 0, w.pos);
}

t.test('seconds() spells capture times as String() does', async (t) => {
  const rand = seededRandom(11);
  const cases: number[] = [
    1_700_000_000, 1_700_000_000.5, 1_700_000_000.000001, 1_700_000_000.999999, 1_700_000_000.1, 1_700_000_000.0001,
    2 ** 20, 2 ** 20 + 1e-6, 2 ** 31 - 1e-6, 2 ** 31, 2 ** 31 + 0.000001, 2 ** 32 - 0.000001, 2 ** 32, 2 ** 32 + 0.5,
    // Outside the fast path: String() must still be what comes out.
    0, 0.5, 1e-7, 12.345678, 2 ** 20 - 1e-6, 1e21, 1.5e300, Number.MAX_VALUE, Number.MIN_VALUE, -1_700_000_000.25,
  ];
  for (let i = 0; i < 40_000; i++) {
    const sec = Math.floor(rand() * 2 ** 32);
    // As the capture reader computes them: microsecond and nanosecond pcap, pcapng.
    cases.push(sec + Math.floor(rand() * 1e6) / 1e6);
    cases.push(sec + Math.floor(rand() * 1e9) / 1e9);
    cases.push(sec + (Math.floor(rand() * 1e6) * 1000) / 1e9);
    cases.push(sec + Math.floor(rand() * 1e4) / 1e4);
  }
  let wrong = 0;
  for (const n of cases) {
    const got = spelled((w) => w.seconds(n));
    if (got !== String(n) && wrong++ < 5) t.fail(`seconds(${String(n)}) wrote ${got}`);
  }
  t.equal(wrong, 0, `${cases.length} times spelled as String() spells them`);
});

t.test('seconds() repeats a second from its copy of the digits, whatever was written before', async (t) => {
  // The whole seconds are kept from one record to the next: a 7-digit second
  // after a 10-digit one, and back, must leave no digit of the other behind.
  const times = [4_294_967_295.75, 1_048_576.25, 1_048_576.5, 1_048_576, 4_294_967_295.000001, 4_294_967_295, 1_700_000_000.25, 1_048_576.999999];
  for (const n of times) t.equal(spelled((w) => w.seconds(n)), String(n));
  // and after other text in the same buffer, at an odd position
  w.pos = 0;
  w.ensure(128);
  w.byte(0x7b);
  w.seconds(1_048_576.5);
  w.byte(0x2c);
  w.seconds(1_048_576.5);
  t.equal(w.buf.toString('latin1', 0, w.pos), '{1048576.5,1048576.5');
});

t.test('uint() and u8() spell integers as String() does', async (t) => {
  for (const n of [0, 1, 9, 10, 99, 100, 65535, 65536, 1_000_000, 2 ** 31, 2 ** 32 - 1]) t.equal(spelled((w) => w.uint(n)), String(n));
  for (let b = 0; b < 256; b++) if (spelled((w) => w.u8(b)) !== String(b)) t.fail(`u8(${b})`);
});

t.test('quotedHex3List() writes three-octet values as JSON.stringify of their hex, joined, then its end', async (t) => {
  const src = Buffer.alloc(3 * 4 + 2);
  const random = seededRandom(3);
  const END = ']},{"address":"';
  const end = ascii(END, 2);
  let checked = 0;
  // every value in each octet of a single label (the others random), then random lists of 0 to 4, at offsets 0 and 2
  for (let k = 0; k < 3 * 256 + 4000; k++) {
    for (let i = 0; i < src.length; i++) src[i] = Math.floor(random() * 256);
    if (k < 3 * 256) src[2 + Math.floor(k / 256)] = k % 256;
    const count = k < 3 * 256 ? 1 : k % 5;
    for (const at of [0, 2]) {
      const labels = Array.from({ length: count }, (_, j) => JSON.stringify(src.toString('hex', at + 3 * j, at + 3 * j + 3)));
      const expected = labels.join(',') + END;
      if (spelled((w) => w.quotedHex3List(src, at, count, end)) !== expected) t.fail(`quotedHex3List of ${expected}`);
      checked++;
    }
  }
  t.equal(checked, 2 * (3 * 256 + 4000));
});

/** A tail as the JSON sink's: constant text written in TAIL_WORDS words after the address. */
const TAIL_TEXT = '","prefixLength":128,"primary":false,"loopback":false},{"address":"';
const TAIL = ascii(TAIL_TEXT, TAIL_WORDS);

t.test('ipv4() spells every octet in every position as formatIPv4 does, then its tail', async (t) => {
  const addr = new Uint8Array(6);
  let wrong = 0;
  for (let b = 0; b < 256; b++) {
    for (let i = 0; i < 4; i++) {
      addr.set([1, 2, 3, 4, 5, 6]);
      addr[1 + i] = b;
      const want = `${formatIPv4(addr, 1)}${TAIL_TEXT}`;
      const got = spelled((w) => w.ipv4(addr, 1, TAIL));
      if (got !== want && wrong++ < 5) t.fail(`ipv4 wrote ${got}, formatIPv4 ${want}`);
    }
  }
  t.equal(wrong, 0, '256 values in 4 positions');
});

t.test('ipv6() spells every 16-bit group, and every zero run, as formatIPv6 does, then its tail', async (t) => {
  const addr = new Uint8Array(16);
  let wrong = 0;
  // Every value in every position class (first, after a group, after "::"),
  // beside groups of 1 so no other zero run forms.
  for (let g = 0; g < 65536; g++) {
    for (let i = 0; i < 8; i++) {
      const v = i % 2 === 0 ? g : i === 5 ? 0 : 1;
      addr[2 * i] = v >>> 8;
      addr[2 * i + 1] = v & 0xff;
    }
    const want = formatIPv6(addr, 0);
    const got = spelled((w) => w.ipv6(addr, 0, TAIL));
    if (got !== want + TAIL_TEXT && wrong++ < 5) t.fail(`ipv6 wrote ${got}, formatIPv6 ${want}`);
  }
  // Every mask of zero groups (every placement of "::", ties included).
  for (let mask = 0; mask < 256; mask++) {
    for (let i = 0; i < 8; i++) {
      addr[2 * i] = mask & (1 << i) ? 0 : 0x20;
      addr[2 * i + 1] = mask & (1 << i) ? 0 : i + 1;
    }
    const want = formatIPv6(addr, 0);
    const got = spelled((w) => w.ipv6(addr, 0, TAIL));
    if (got !== want + TAIL_TEXT && wrong++ < 5) t.fail(`mask ${mask}: ipv6 wrote ${got}, formatIPv6 ${want}`);
  }
  // IPv4-mapped (::ffff:a.b.c.d keeps its dotted quad), and its near misses (::fffe:…, ::1:ffff:…).
  for (let b = 0; b < 256; b++) {
    for (const [g5, g4] of [[0xffff, 0], [0xfffe, 0], [0xffff, 1]] as const) {
      addr.fill(0);
      addr[8] = g4 >>> 8;
      addr[9] = g4 & 0xff;
      addr[10] = g5 >>> 8;
      addr[11] = g5 & 0xff;
      addr.set([b, 1, 2, 255 - b], 12);
      const want = formatIPv6(addr, 0);
      const got = spelled((w) => w.ipv6(addr, 0, TAIL));
      if (got !== want + TAIL_TEXT && wrong++ < 5) t.fail(`ipv6 wrote ${got}, formatIPv6 ${want}`);
    }
  }
  t.equal(wrong, 0, '65,536 groups, 256 zero masks, 768 IPv4-mapped and near');
});

t.test('jsonString() writes what JSON.stringify writes, as UTF-8: every escape, and text beyond ASCII', async (t) => {
  const octets = (write: (w: ByteWriter) => void): Buffer => {
    w.pos = 0;
    write(w);
    return Buffer.from(w.buf.subarray(0, w.pos));
  };
  const rand = seededRandom(5);
  const strings = ['', 'eth0', '02:00:00:aa:00:17', 'a"b', 'back\\slash', 'é', '\u2028\u2029', '😀', '\ud800', 'x\udc00y', 'x'.repeat(300)];
  // every code unit below 0x100 alone, at the start, in the middle and at the end of plain text
  for (let c = 0; c < 0x100; c++) {
    const ch = String.fromCharCode(c);
    strings.push(ch, `${ch}swp1`, `swp${ch}1`, `swp1${ch}`);
  }
  // random strings mixing ASCII, controls, Latin-1, BMP, surrogate pairs and lone surrogates
  const units = [0x20, 0x7e, 0x00, 0x1f, 0x80, 0xff, 0x100, 0xd7ff, 0xd800, 0xdfff, 0xe000, 0xffff];
  for (let i = 0; i < 3000; i++) {
    let s = '';
    for (let n = Math.floor(rand() * 24); n > 0; n--) {
      const kind = Math.floor(rand() * 6);
      const lo = units[2 * kind]!;
      s += String.fromCharCode(lo + Math.floor(rand() * (units[2 * kind + 1]! - lo + 1)));
    }
    strings.push(s);
  }
  let wrong = 0;
  for (const s of strings) {
    const want = Buffer.from(JSON.stringify(s), 'utf8');
    for (const [name, write] of [
      ['jsonString', (w: ByteWriter) => w.jsonString(s)],
      ['recurringString', (w: ByteWriter) => w.recurringString(s)],
    ] as const) {
      const got = octets(write);
      if (!got.equals(want) && wrong++ < 5) t.fail(`${name}(${JSON.stringify(s)}) wrote ${got.toString('hex')}, JSON.stringify ${want.toString('hex')}`);
    }
  }
  t.equal(wrong, 0, `${strings.length} strings, each by both writers`);
});

t.test('recurringString() writes what jsonString() writes, first time and again, past its bound', async (t) => {
  const strings = ['02:00:00:aa:00:17', 'eth0', '', 'a"b', 'back\\slash', 'tab\there', 'é', '\u2028', 'x'.repeat(70), 'lo'];
  for (let i = 0; i < 5000; i++) strings.push(`02:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:01`);
  let wrong = 0;
  for (const pass of [1, 2]) {
    for (const s of strings) {
      const want = spelled((w) => w.jsonString(s));
      const got = spelled((w) => w.recurringString(s));
      if (got !== want && wrong++ < 5) t.fail(`pass ${pass}: recurringString(${JSON.stringify(s)}) wrote ${got}, jsonString ${want}`);
    }
  }
  t.equal(wrong, 0, `${strings.length} strings, twice`);
});

t.test('the entry writers store nothing past the room their callers ensure', async (t) => {
  // The furthest octet each may touch: the address's longest text, then TAIL_OCTETS (ipv4,
  // ipv6), or 9 octets a label and 16 (quotedHex3List). A marker shows what was stored.
  const longest = (write: (w: ByteWriter) => void): number => {
    w.pos = 0;
    w.ensure(256);
    w.buf.fill(0xee, 0, 256);
    const from = w.pos;
    write(w);
    let reach = 0;
    for (let i = 255; i >= 0; i--) {
      if (w.buf[i] !== 0xee) {
        reach = i + 1 - from;
        break;
      }
    }
    return reach;
  };
  const v6 = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + i);
  const mapped = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 255, 255, 255, 255]);
  const labels = new Uint8Array(3 * 4).fill(0xab);
  t.ok(longest((w) => w.ipv4(mapped, 12, TAIL)) <= 15 + TAIL_OCTETS, 'ipv4: 15 + TAIL_OCTETS');
  t.ok(longest((w) => w.ipv6(v6, 0, TAIL)) <= 39 + TAIL_OCTETS, 'ipv6: 39 + TAIL_OCTETS');
  t.ok(longest((w) => w.ipv6(mapped, 0, TAIL)) <= 39 + TAIL_OCTETS, 'ipv6, IPv4-mapped: 39 + TAIL_OCTETS');
  t.ok(longest((w) => w.quotedHex3List(labels, 0, 4, ascii(']}', 2))) <= 9 * 4 + 16, 'quotedHex3List: 9 a label and 16');
  // and they do store as far as their text
  t.equal(spelled((w) => w.ipv6(v6, 0, TAIL)).length, 39 + TAIL_TEXT.length);
});
