import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { CaptureError, readCapture } from '../../src/io/capture-reader.js';
import { CaptureWriter, PCAP_SNAPLEN, writeCaptureFile } from '../../src/io/capture-writer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lsoe-capw-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic frames of varied sizes, EtherType 0x88b5. */
function frames(n: number): { time: number; frame: Buffer }[] {
  return Array.from({ length: n }, (_, i) => {
    const f = Buffer.alloc(14 + 30 + ((i * 97) % 1500));
    Buffer.from([0x3e, 0x05, 0x18, 0x43, 0x4a, i & 0xff]).copy(f, 0);
    Buffer.from([0xb6, 0xc0, 0x9d, 0x07, 0xa7, 0x78]).copy(f, 6);
    f.writeUInt16BE(0x88b5, 12);
    for (let j = 14; j < f.length; j++) f[j] = (i + j * 7) & 0xff;
    return { time: 1700000000 + i * 0.25 + 0.000001, frame: f };
  });
}

const collectBytes = (s: PassThrough): Buffer[] => {
  const got: Buffer[] = [];
  s.on('data', (c: Buffer) => got.push(c));
  return got;
};

t.test('written file reads back with our reader', async (t) => {
  const file = path.join(dir, 'a.pcap');
  const input = frames(500);
  t.equal(await writeCaptureFile(file, input), 500);
  const buf = readFileSync(file);
  t.equal(buf.readUInt32LE(0), 0xa1b2c3d4, 'µs magic');
  t.equal(buf.readUInt32LE(16), PCAP_SNAPLEN);
  t.equal(buf.readUInt32LE(20), 1, 'Ethernet');
  const records = [...readCapture(buf)];
  t.equal(records.length, input.length);
  for (const [i, r] of records.entries()) {
    if (!r.frame.equals(input[i]!.frame)) t.fail(`frame ${i} differs`);
    if (Math.abs(r.time - input[i]!.time) > 1e-6) t.fail(`time ${i} differs: ${r.time}`);
  }
  t.equal(records[3]!.timeNs, 1700000000750001000n);
});

t.test('tcpdump and tshark read the written file', async (t) => {
  const file = path.join(dir, 'b.pcap');
  const input = frames(40);
  await writeCaptureFile(file, input);
  const out = execFileSync('tcpdump', ['-r', file, '-nn', '-e', '-x'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  const packets = out.split(/\n(?=\S)/).filter((p) => p.trim());
  t.equal(packets.length, input.length, 'tcpdump sees every frame');
  const p7 = packets[7]!;
  t.match(p7, /^\S+ b6:c0:9d:07:a7:78 > 3e:05:18:43:4a:07, ethertype Unknown \(0x88b5\), length (\d+):/);
  t.equal(Number(/length (\d+):/.exec(p7)![1]), input[7]!.frame.length);
  // -x dumps the bytes after the Ethernet header
  const hex = [...p7.matchAll(/^\s+0x[0-9a-f]+:\s+((?:[0-9a-f]{2,4} ?)+)/gm)].map((m) => m[1]!.replace(/\s/g, '')).join('');
  t.equal(hex, input[7]!.frame.subarray(14).toString('hex'));
  const tshark = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'eth.src', '-e', 'frame.len'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .toString()
    .trim()
    .split('\n');
  t.equal(tshark.length, input.length, 'tshark sees every frame');
  t.equal(tshark[7], `b6:c0:9d:07:a7:78\t${input[7]!.frame.length}`);
});

t.test('a Writable gets the same bytes as a file path, ended on close', async (t) => {
  const input = frames(20);
  const file = path.join(dir, 'c.pcap');
  await writeCaptureFile(file, input);
  const s = new PassThrough();
  const got = collectBytes(s);
  const w = new CaptureWriter(s);
  for (const f of input) w.writeFrame(f.time, f.frame);
  t.equal(got.length, 0, 'buffered until flush or close');
  await w.close();
  t.ok(s.writableEnded);
  t.same(Buffer.concat(got), readFileSync(file));
  t.throws(() => w.writeFrame(1, input[0]!.frame), CaptureError);
});

t.test('packetBuffered writes each frame at once', async (t) => {
  const s = new PassThrough();
  const got = collectBytes(s);
  const w = new CaptureWriter(s, { packetBuffered: true, end: false });
  const [a] = frames(1);
  await new Promise((r) => setImmediate(r));
  t.equal(Buffer.concat(got).length, 24, 'file header first');
  w.writeFrame(a!.time, a!.frame);
  await new Promise((r) => setImmediate(r));
  t.equal(Buffer.concat(got).length, 24 + 16 + a!.frame.length);
  t.equal([...readCapture(Buffer.concat(got))].length, 1);
  await w.close();
  t.notOk(s.writableEnded, 'end: false leaves the stream open');
});

t.test('timestamps round to the microsecond, carrying into seconds', async (t) => {
  const s = new PassThrough();
  const got = collectBytes(s);
  const w = new CaptureWriter(s);
  const f = frames(1)[0]!.frame;
  w.writeFrame(5.9999999, f);
  w.writeFrame(7.0000004, f);
  await w.close();
  const r = [...readCapture(Buffer.concat(got))];
  t.same(
    r.map((x) => x.timeNs),
    [6_000_000_000n, 7_000_000_000n],
  );
  t.throws(() => new CaptureWriter(new PassThrough()).writeFrame(-1, f), /bad timestamp -1/);
});

t.test('frames beyond the snaplen are cut, origLen kept', async (t) => {
  const s = new PassThrough();
  const got = collectBytes(s);
  const w = new CaptureWriter(s);
  const big = Buffer.alloc(PCAP_SNAPLEN + 100, 0xab);
  w.writeFrame(1, big);
  w.writeFrame(2, big.subarray(0, 60), undefined, 1514);
  await w.close();
  const r = [...readCapture(Buffer.concat(got))];
  t.equal(r[0]!.frame.length, PCAP_SNAPLEN);
  t.equal(r[0]!.origLen, PCAP_SNAPLEN + 100);
  t.equal(r[1]!.frame.length, 60);
  t.equal(r[1]!.origLen, 1514);
});

t.test('unwritable path and failing stream are CaptureErrors', async (t) => {
  t.throws(() => new CaptureWriter('/nonexistent/dir/x.pcap'), {
    name: 'CaptureError',
    message: 'cannot write /nonexistent/dir/x.pcap: no such directory',
  });
  const s = new PassThrough();
  const w = new CaptureWriter(s);
  s.destroy(Object.assign(new Error('broken pipe'), { code: 'EPIPE' }));
  await new Promise((r) => setImmediate(r));
  t.throws(() => w.writeFrame(1, Buffer.alloc(60)), { name: 'CaptureError', message: 'cannot write capture stream: broken pipe' });
});
