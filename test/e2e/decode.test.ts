// `lsoe decode` end to end: the real binary on real and synthetic captures.
import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { jsonLines, runLsoe } from '../helpers/run-cli.js';
import { loadReferenceVectors, repoRoot, vectorsDir } from '../helpers/vectors.js';
import { SAMPLE_PDUS } from '../helpers/pdu-samples.js';
import { writeCaptureFile } from '../../src/io/capture-writer.js';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { encodePdu } from '../../src/proto/pdu/index.js';

const exchange = path.join(vectorsDir(), 'lsoed-exchange.pcap');
const tmp = mkdtempSync(path.join(tmpdir(), 'lsoe-decode-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

t.test('the lsoed capture decodes to 62 PDUs and no errors', async (t) => {
  const res = runLsoe(['decode', '--ethertype', '0x8885', '--json', exchange]);
  t.equal(res.code, 0, res.stderr);
  const recs = jsonLines(res.stdout);
  t.equal(recs.length, 62);
  t.equal(recs.filter((r) => 'error' in r).length, 0);
  for (const r of recs) {
    t.same(Object.keys(r).sort(), ['dst', 'frames', 'ifname', 'length', 'pdu', 'src', 'time', 'vlan'], 'stable keys');
  }
  const types = new Set(recs.map((r) => r.pdu.type));
  t.same([...types].sort(), [
    'ACK', 'HELLO', 'IPV4_ENCAPSULATION', 'IPV6_ENCAPSULATION', 'KEEPALIVE',
    'MPLS_IPV4_ENCAPSULATION', 'MPLS_IPV6_ENCAPSULATION', 'OPEN',
  ]);
  const big = recs.find((r) => r.pdu.type === 'IPV6_ENCAPSULATION' && r.frames > 1);
  t.ok(big, 'the multi-frame IPv6 encapsulation is reassembled');
  t.equal(big!.pdu.encaps.length, 122);
  t.ok(big!.pdu.encaps.every((e: any) => Array.isArray(e.labels) === false), 'non-MPLS entries carry no labels');
  const open = recs.find((r) => r.pdu.type === 'OPEN');
  t.same(open!.pdu, { type: 'OPEN', nonce: 'fa3a25d7', localId: '0102030405060708090a', attributes: '' });
});

t.test('with the default EtherType the lsoed capture is all non-LSOE', async (t) => {
  const res = runLsoe(['decode', '--summary', '--json', exchange]);
  t.equal(res.code, 0);
  const [summary] = jsonLines(res.stdout);
  t.equal(summary!.summary.pdus, 0);
  t.equal(summary!.summary.nonLsoeFrames, summary!.summary.frames);
});

t.test('--summary counts per type, sender and errors', async (t) => {
  const res = runLsoe(['decode', '--ethertype', '0x8885', '--summary', '--json', exchange]);
  t.equal(res.code, 0);
  const recs = jsonLines(res.stdout);
  t.equal(recs.length, 1);
  const s = recs[0]!.summary;
  t.equal(s.pdus, 62);
  t.equal(s.frames, 63);
  t.equal(s.errors, 0);
  t.equal(Object.values(s.byType as Record<string, number>).reduce((a, b) => a + b, 0), 62);
  t.same(Object.keys(s.bySender).sort(), ['3e:05:18:43:4a:9c', 'b6:c0:9d:07:a7:78']);
});

const golden = readFileSync(path.join(repoRoot(), 'test/golden/lsoed-exchange.jsonl'), 'utf8');

t.test('decode --json reproduces the golden records of the lsoed capture exactly', async (t) => {
  const res = runLsoe(['decode', '--ethertype', '0x8885', '--json', exchange]);
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stdout, golden, 'every record, octet for octet');
  t.equal(golden.split('\n').filter(Boolean).length, 62);
});

t.test('the golden records agree with tshark on when, from whom and to whom', async (t) => {
  const ts = spawnSync('tshark', ['-r', exchange, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'eth.src', '-e', 'eth.dst'], { encoding: 'utf8' });
  if (ts.error) {
    t.comment('tshark is not installed: skipped');
    return;
  }
  // Each record is stamped with the frame that completed its PDU.
  const frames = ts.stdout.trim().split('\n').map((l) => l.split('\t'));
  t.equal(frames.length, 63);
  for (const r of jsonLines(golden)) {
    const f = frames.find(([time]) => Math.abs(Number(time) - r.time) < 1e-6);
    t.ok(f && f[1] === r.src && f[2] === r.dst, `${r.time} ${r.src} > ${r.dst} ${r.pdu.type}`);
  }
});

t.test('filters by type and MAC', async (t) => {
  const res = runLsoe(['decode', '--ethertype', '0x8885', '--json', '-t', 'open', '-t', 'ack', '--src', 'B6-C0-9D-07-A7-78', exchange]);
  t.equal(res.code, 0);
  const recs = jsonLines(res.stdout);
  const expected = jsonLines(golden).filter((r) => ['OPEN', 'ACK'].includes(r.pdu.type) && r.src === 'b6:c0:9d:07:a7:78');
  t.equal(expected.length, 6, 'the capture has 6 such PDUs');
  t.same(recs, expected, 'exactly those records');
  const bad = runLsoe(['decode', '-t', 'bogus', exchange]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^lsoe: decode: --type: unknown PDU type 'bogus'/);
  const badMac = runLsoe(['decode', '--dst', 'nope', exchange]);
  t.equal(badMac.code, 2);
  t.match(badMac.stderr, /^lsoe: decode: --dst: invalid MAC address 'nope'/);
});

t.test('human output: one line per PDU, -v frames, -x hex', async (t) => {
  const res = runLsoe(['decode', '--ethertype', '0x8885', exchange]);
  t.equal(res.code, 0);
  const lines = res.stdout.trim().split('\n');
  t.equal(lines.length, 62);
  t.match(lines[2]!, /b6:c0:9d:07:a7:78 > 3e:05:18:43:4a:9c OPEN nonce fa3a25d7 id 01:02:03:04:05:06:07:08:09:0a/);
  const v = runLsoe(['decode', '--ethertype', '0x8885', '-v', '-x', '-t', 'ipv6', exchange]);
  t.match(v.stdout, /frame 1 \(last\) length \d+ checksum 0x[0-9a-f]{8}/);
  t.match(v.stdout, /0x0000: {2}05 /);
});

t.test('every reference vector via --hex; bad frames report their reason', async (t) => {
  const vf = loadReferenceVectors();
  const hexFile = path.join(tmp, 'frames.hex');
  writeFileSync(hexFile, '# reference frames\n' + vf.vectors.flatMap((v) => v.frames).join('\n') + '\n');
  const res = runLsoe(['decode', '--hex', '--json', hexFile]);
  t.equal(res.code, 0, res.stderr);
  const recs = jsonLines(res.stdout);
  t.equal(recs.length, vf.vectors.length);
  recs.forEach((r, i) => {
    t.equal(r.time, null, 'hex input has no time');
    t.equal(r.pdu.type, vf.vectors[i]!.expect.type, vf.vectors[i]!.name);
  });
  for (const bad of vf.bad) {
    const r = runLsoe(['decode', '--hex', '--json', bad.frame]);
    t.equal(r.code, 0, 'a bad frame is reported, not fatal');
    const [rec] = jsonLines(r.stdout);
    t.equal(rec!.error.reason, bad.reason, bad.name);
    t.type(rec!.error.offset, 'number');
    t.type(rec!.error.message, 'string');
  }
  const stdin = runLsoe(['decode', '--hex', '--json'], { input: vf.vectors[0]!.frames[0] + '\n' });
  t.equal(jsonLines(stdin.stdout).length, 1, 'hex frames on stdin');
  const junk = runLsoe(['decode', '--hex', hexFile, 'zz-not-hex']);
  t.equal(junk.code, 1);
});

t.test('pcapng with interface names and a VLAN tag', async (t) => {
  const vf = loadReferenceVectors();
  const open = Buffer.from(vf.vectors.find((v) => v.name === 'open')!.frames[0]!, 'hex');
  // 802.1Q tag inserted after the MACs
  const tagged = Buffer.concat([open.subarray(0, 12), Buffer.from('81000064', 'hex'), open.subarray(12)]);
  const file = path.join(tmp, 'tagged.pcapng');
  writeFileSync(file, pcapng('swp7', [tagged, Buffer.concat([tagged, Buffer.alloc(20)])]));
  const res = runLsoe(['decode', '--json', file]);
  t.equal(res.code, 0, res.stderr);
  const recs = jsonLines(res.stdout);
  t.equal(recs.length, 2, 'padding after the LSOE frame is ignored');
  t.equal(recs[0]!.ifname, 'swp7');
  t.same(recs[0]!.pdu, vf.vectors.find((v) => v.name === 'open')!.expect);
  const human = runLsoe(['decode', file]);
  t.match(human.stdout, /swp7 02:00:00:00:00:01 > 02:00:00:00:00:02 OPEN/);
});

t.test('unreadable inputs: one line naming the file, exit 1, output so far kept', async (t) => {
  const missing = runLsoe(['decode', path.join(tmp, 'missing.pcap')]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /^lsoe: decode: cannot read \/.*missing\.pcap: no such file\n$/);
  // a --hex input's file-system error is worded the same way
  const missingHex = runLsoe(['decode', '--hex', path.join(tmp, 'missing.hex')]);
  t.equal(missingHex.code, 1);
  t.match(missingHex.stderr, /^lsoe: decode: cannot read \/.*missing\.hex: no such file\n$/);
  const dirHex = runLsoe(['decode', '--hex', tmp]);
  t.equal(dirHex.code, 1);
  t.equal(dirHex.stderr, `lsoe: decode: cannot read ${tmp}: is a directory\n`);
  const foreign = path.join(tmp, 'foreign.pcap');
  writeFileSync(foreign, 'hello, not a capture\n');
  const f = runLsoe(['decode', foreign]);
  t.equal(f.code, 1);
  t.match(f.stderr, /^lsoe: .*foreign\.pcap: not a pcap or pcapng file/);
  t.notMatch(f.stderr, /\n\s+at /, 'no stack trace');
  const whole = readFileSync(exchange);
  const cut = path.join(tmp, 'cut.pcap');
  writeFileSync(cut, whole.subarray(0, whole.length - 10));
  const c = runLsoe(['decode', '--ethertype', '0x8885', '--json', cut]);
  t.equal(c.code, 1);
  t.match(c.stderr, /cut\.pcap: truncated/);
  t.ok(jsonLines(c.stdout).length >= 60, 'records before the damage are printed');
  t.equal(c.stderr.trim().split('\n').length, 1, 'one line');
  const usage = runLsoe(['decode', '--ethertype', 'zz', exchange]);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /^lsoe: decode: --ethertype: 'zz' is not an EtherType/);
});

t.test('stdin by default and with "-"', async (t) => {
  const input = readFileSync(exchange);
  for (const args of [[], ['-']]) {
    const res = runLsoe(['decode', '--ethertype', '0x8885', '--json', ...args], { input });
    t.equal(res.code, 0);
    t.equal(jsonLines(res.stdout).length, 62);
  }
});

// --json writes most PDUs straight from their octets (render/json-bytes.ts);
// --type sends every PDU through decodePdu instead. Both must print the same.
t.test('--json fast path prints exactly what the decodePdu path prints', async (t) => {
  const vf = loadReferenceVectors();
  const macs = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03'];
  const frames: Buffer[] = [
    ...vf.vectors.flatMap((v) => v.frames.map((h) => Buffer.from(h, 'hex'))),
    ...vf.bad.map((b) => Buffer.from(b.frame, 'hex')),
  ];
  const pdus = SAMPLE_PDUS.map(encodePdu);
  // Bent copies: extra octets, a short Length, an over-long prefix length.
  for (const p of pdus.slice()) {
    const longer = Buffer.concat([p, Buffer.from([0xaa])]);
    longer.writeUInt16BE(longer.length, 1);
    pdus.push(longer, p.subarray(0, p.length - 1));
    if (p[0] === 4) pdus.push(Buffer.from(p.toString('hex').replace(/1f$/, '21'), 'hex'));
  }
  // Enough big PDUs for several megabytes of output (many flushes).
  const big = SAMPLE_PDUS.find((p) => p.type === 'IPV6_ENCAPSULATION')!;
  for (let i = 0; i < 300; i++) pdus.push(encodePdu(big));
  pdus.forEach((p, i) => {
    for (const f of splitPdu(p)) frames.push(buildEthernet(macs[(i + 1) % 3]!, macs[i % 3]!, 0x88b5, f));
  });
  const file = path.join(tmp, 'mix.pcap');
  await writeCaptureFile(file, frames.map((frame, i) => ({ time: 1_700_000_000 + i / 8, frame })));
  const everyType = ['hello', 'open', 'keepalive', 'ack', 'ipv4', 'ipv6', 'mpls_ipv4', 'mpls_ipv6', 'vendor', 'unknown'].flatMap((x) => ['-t', x]);
  for (const extra of [[], ['--mac', macs[1]!], ['--src', macs[2]!, '--dst', macs[0]!]]) {
    const fast = runLsoe(['decode', '--json', ...extra, file]);
    const slow = runLsoe(['decode', '--json', ...extra, ...everyType, file]);
    t.equal(fast.code, 0, fast.stderr);
    t.equal(slow.code, 0, slow.stderr);
    const recs = jsonLines(fast.stdout);
    t.ok(recs.some((r) => 'error' in r) && recs.some((r) => r.frames > 1), `${extra.join(' ') || 'no filter'}: errors and multi-frame PDUs`);
    t.ok(fast.stdout === slow.stdout, `${extra.join(' ') || 'no filter'}: identical output (${recs.length} lines)`);
  }
  t.ok(runLsoe(['decode', '--json', file]).stdout.length > 4 << 20, 'more than 4 MiB of output');
  // pcapng (interface names) and hex input (no times) too.
  const ng = path.join(tmp, 'mix.pcapng');
  writeFileSync(ng, pcapng('sw"p1', frames.slice(0, 400)));
  t.ok(runLsoe(['decode', '--json', ng]).stdout === runLsoe(['decode', '--json', ...everyType, ng]).stdout, 'pcapng: identical');
  const hexFile = path.join(tmp, 'mix.hex');
  writeFileSync(hexFile, frames.slice(0, 400).map((f) => f.toString('hex')).join('\n') + '\n');
  t.ok(runLsoe(['decode', '--hex', '--json', hexFile]).stdout === runLsoe(['decode', '--hex', '--json', ...everyType, hexFile]).stdout, 'hex: identical');
});

/** A minimal little-endian pcapng: SHB, one IDB with if_name, EPBs. */
function pcapng(ifname: string, frames: Buffer[]): Buffer {
  const block = (type: number, body: Buffer): Buffer => {
    const pad = (4 - (body.length % 4)) % 4;
    const len = 12 + body.length + pad;
    const b = Buffer.alloc(len);
    b.writeUInt32LE(type, 0);
    b.writeUInt32LE(len, 4);
    body.copy(b, 8);
    b.writeUInt32LE(len, len - 4);
    return b;
  };
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const name = Buffer.from(ifname);
  const opt = Buffer.alloc(4 + name.length + ((4 - (name.length % 4)) % 4) + 4);
  opt.writeUInt16LE(2, 0); // if_name
  opt.writeUInt16LE(name.length, 2);
  name.copy(opt, 4);
  const idb = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 4, 0]), opt]); // Ethernet, snaplen 262144
  const epbs = frames.map((f, i) => {
    const head = Buffer.alloc(20);
    head.writeUInt32LE(0, 0);
    const ts = 1_700_000_000_000_000n + BigInt(i);
    head.writeUInt32LE(Number(ts >> 32n), 4);
    head.writeUInt32LE(Number(ts & 0xffffffffn), 8);
    head.writeUInt32LE(f.length, 12);
    head.writeUInt32LE(f.length, 16);
    return block(6, Buffer.concat([head, f, Buffer.alloc((4 - (f.length % 4)) % 4)]));
  });
  return Buffer.concat([block(0x0a0d0d0a, shb), block(1, idb), ...epbs]);
}
