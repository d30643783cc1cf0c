import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  CaptureError,
  parseCaptureFileSync,
  parseCaptureStream,
  readCapture,
  readCaptureBatches,
  readCaptureFileBatchesSync,
  readCaptureStreamBatches,
  type CaptureRecord,
  type PacketView,
} from '../../src/io/capture-reader.js';

// dist/test/io/x.test.js -> repo root is three levels up
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const vectorPcap = path.resolve(repoRoot, '../shared/vectors/lsoed-exchange.pcap');

// ---- builders for synthetic captures ------------------------------------

/** A deterministic Ethernet frame: dst, src, EtherType 0x88b5, then n payload octets. */
function ether(n: number, seed: number): Buffer {
  const f = Buffer.alloc(14 + n);
  Buffer.from([0x01, 0x80, 0xc2, 0, 0, 0x0e]).copy(f, 0);
  Buffer.from([0x02, 0, 0, 0, 0, seed & 0xff]).copy(f, 6);
  f.writeUInt16BE(0x88b5, 12);
  for (let i = 0; i < n; i++) f[14 + i] = (seed * 31 + i) & 0xff;
  return f;
}

interface Pkt {
  sec: number;
  frac: number;
  data: Buffer;
  origLen?: number;
}

function pcap(opts: { le: boolean; nanos: boolean; linkType: number; pkts: Pkt[] }): Buffer {
  const w32 = (b: Buffer, v: number, o: number) => (opts.le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const w16 = (b: Buffer, v: number, o: number) => (opts.le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const h = Buffer.alloc(24);
  w32(h, opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(h, 2, 4);
  w16(h, 4, 6);
  w32(h, 65535, 16);
  w32(h, opts.linkType, 20);
  const parts: Buffer[] = [h];
  for (const p of opts.pkts) {
    const r = Buffer.alloc(16);
    w32(r, p.sec, 0);
    w32(r, p.frac, 4);
    w32(r, p.data.length, 8);
    w32(r, p.origLen ?? p.data.length, 12);
    parts.push(r, p.data);
  }
  return Buffer.concat(parts);
}

/** pcapng block builder for one byte order. */
function ng(le: boolean) {
  const w32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const w16 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const pad4 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  const block = (type: number, body: Buffer): Buffer => {
    const b = pad4(body);
    const out = Buffer.alloc(12 + b.length);
    w32(out, type, 0);
    w32(out, out.length, 4);
    b.copy(out, 8);
    w32(out, out.length, out.length - 4);
    return out;
  };
  const option = (code: number, value: Buffer): Buffer => {
    const h = Buffer.alloc(4);
    w16(h, code, 0);
    w16(h, value.length, 2);
    return pad4(Buffer.concat([h, value]));
  };
  const endOpt = Buffer.alloc(4);
  return {
    shb(): Buffer {
      const body = Buffer.alloc(16);
      w32(body, 0x1a2b3c4d, 0);
      w16(body, 1, 4);
      w16(body, 0, 6);
      body.fill(0xff, 8, 16); // section length unknown (-1)
      return block(0x0a0d0d0a, body);
    },
    idb(linkType: number, o: { name?: string; tsresol?: number; tsoffset?: number } = {}): Buffer {
      const fixed = Buffer.alloc(8);
      w16(fixed, linkType, 0);
      w32(fixed, 0, 4); // snaplen 0: no limit
      const opts: Buffer[] = [];
      if (o.name !== undefined) opts.push(option(2, Buffer.from(o.name)));
      if (o.tsresol !== undefined) opts.push(option(9, Buffer.from([o.tsresol])));
      if (o.tsoffset !== undefined) {
        const v = Buffer.alloc(8);
        if (le) v.writeBigInt64LE(BigInt(o.tsoffset));
        else v.writeBigInt64BE(BigInt(o.tsoffset));
        opts.push(option(14, v));
      }
      if (opts.length) opts.push(endOpt);
      return block(1, Buffer.concat([fixed, ...opts]));
    },
    epb(ifid: number, units: bigint, data: Buffer, origLen = data.length): Buffer {
      const fixed = Buffer.alloc(20);
      w32(fixed, ifid, 0);
      w32(fixed, Number(units >> 32n), 4);
      w32(fixed, Number(units & 0xffffffffn), 8);
      w32(fixed, data.length, 12);
      w32(fixed, origLen, 16);
      // an option after the data (a comment) must not confuse the reader
      return block(6, Buffer.concat([fixed, pad4(data), option(1, Buffer.from('hi')), endOpt]));
    },
    opb(ifid: number, units: bigint, data: Buffer): Buffer {
      const fixed = Buffer.alloc(20);
      w16(fixed, ifid, 0);
      w16(fixed, 0, 2);
      w32(fixed, Number(units >> 32n), 4);
      w32(fixed, Number(units & 0xffffffffn), 8);
      w32(fixed, data.length, 12);
      w32(fixed, data.length, 16);
      return block(2, Buffer.concat([fixed, data]));
    },
    spb(data: Buffer): Buffer {
      const fixed = Buffer.alloc(4);
      w32(fixed, data.length, 0);
      return block(3, Buffer.concat([fixed, data]));
    },
    unknown(): Buffer {
      return block(0x0bad, Buffer.from('some custom block'));
    },
  };
}

function sll(packetType: number, src: Buffer, protocol: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(packetType, 0);
  h.writeUInt16BE(1, 2); // ARPHRD_ETHER
  h.writeUInt16BE(src.length, 4);
  src.copy(h, 6);
  h.writeUInt16BE(protocol, 14);
  return Buffer.concat([h, payload]);
}

function sll2(packetType: number, src: Buffer, protocol: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(protocol, 0);
  h.writeUInt32BE(3, 4); // ifindex
  h.writeUInt16BE(1, 8);
  h[10] = packetType;
  h[11] = src.length;
  src.copy(h, 12);
  return Buffer.concat([h, payload]);
}

function collect(buf: Buffer): { records: CaptureRecord[]; error: unknown } {
  const records: CaptureRecord[] = [];
  try {
    for (const r of readCapture(buf)) records.push(r);
  } catch (error) {
    return { records, error };
  }
  return { records, error: null };
}

async function collectStream(buf: Buffer, chunk: number): Promise<{ records: CaptureRecord[]; error: unknown }> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) chunks.push(Buffer.from(buf.subarray(i, i + chunk)));
  const records: CaptureRecord[] = [];
  try {
    for await (const batch of readCaptureStreamBatches(Readable.from(chunks), 'test stream')) records.push(...batch);
  } catch (error) {
    return { records, error };
  }
  return { records, error: null };
}

const summary = (rs: CaptureRecord[]) =>
  rs.map((r) => ({ ...r, frame: r.frame.toString('hex'), timeNs: r.timeNs.toString() }));

// ---- pcap -----------------------------------------------------------------

for (const le of [true, false]) {
  for (const nanos of [false, true]) {
    t.test(`pcap ${nanos ? 'ns' : 'µs'} ${le ? 'little' : 'big'}-endian`, async (t) => {
      const f1 = ether(46, 1);
      const f2 = ether(100, 2);
      const buf = pcap({
        le,
        nanos,
        linkType: 1,
        pkts: [
          { sec: 1700000000, frac: nanos ? 123456789 : 123456, data: f1 },
          { sec: 1700000001, frac: nanos ? 5 : 999999, data: f2.subarray(0, 60), origLen: f2.length },
        ],
      });
      const { records, error } = collect(buf);
      t.equal(error, null);
      t.equal(records.length, 2);
      t.same(records[0]!.frame, f1);
      t.equal(records[0]!.linkType, 1);
      t.equal(records[0]!.origLen, 60);
      t.equal(records[0]!.ifname, undefined);
      t.equal(records[0]!.timeNs, nanos ? 1700000000123456789n : 1700000000123456000n);
      t.ok(Math.abs(records[0]!.time - (nanos ? 1700000000.123456789 : 1700000000.123456)) < 1e-6);
      // caplen < origLen: the frame is what was captured, origLen the wire length
      t.same(records[1]!.frame, f2.subarray(0, 60));
      t.equal(records[1]!.origLen, 114);
      t.equal(records[1]!.timeNs, nanos ? 1700000001000000005n : 1700000001999999000n);
    });
  }
}

t.test('pcap Linux cooked SLL (113) becomes Ethernet', async (t) => {
  const mac = Buffer.from([0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);
  const payload = Buffer.from('0080000bea89ca1c000003', 'hex');
  const types = [0, 1, 2, 3, 4];
  const buf = pcap({
    le: true,
    nanos: false,
    linkType: 113,
    pkts: types.map((pt, i) => ({ sec: 10 + i, frac: 0, data: sll(pt, mac, 0x8885, payload) })),
  });
  const { records, error } = collect(buf);
  t.equal(error, null);
  t.equal(records.length, types.length);
  const dsts = records.map((r) => r.frame.subarray(0, 6).toString('hex'));
  t.same(dsts, ['000000000000', 'ffffffffffff', '010000000000', '000000000000', '000000000000']);
  for (const [i, r] of records.entries()) {
    t.equal(r.linkType, 113);
    t.equal(r.packetType, types[i]);
    t.equal(r.frame.subarray(6, 12).toString('hex'), '021122334455', 'src from the link-layer address');
    t.equal(r.frame.readUInt16BE(12), 0x8885, 'ethertype from the protocol field');
    t.same(r.frame.subarray(14), payload);
    t.equal(r.origLen, 14 + payload.length);
  }
});

t.test('pcap SLL2 (276) becomes Ethernet; short addresses are zero-padded', async (t) => {
  const payload = Buffer.from('00800010', 'hex');
  const buf = pcap({
    le: false,
    nanos: true,
    linkType: 276,
    pkts: [
      { sec: 1, frac: 0, data: sll2(2, Buffer.from('0a0b0c0d0e0f', 'hex'), 0x88b5, payload) },
      { sec: 2, frac: 0, data: sll2(1, Buffer.from('0a0b', 'hex'), 0x0800, payload) },
    ],
  });
  const { records, error } = collect(buf);
  t.equal(error, null);
  t.equal(records[0]!.frame.toString('hex'), '010000000000' + '0a0b0c0d0e0f' + '88b5' + '00800010');
  t.equal(records[1]!.frame.toString('hex'), 'ffffffffffff' + '0a0b00000000' + '0800' + '00800010');
  t.equal(records[0]!.linkType, 276);
  t.equal(records[0]!.origLen, 18);
});

t.test('SLL record shorter than its header is an error after the good ones', async (t) => {
  const buf = pcap({
    le: true,
    nanos: false,
    linkType: 113,
    pkts: [
      { sec: 1, frac: 0, data: sll(0, Buffer.alloc(6, 1), 0x88b5, Buffer.alloc(4)) },
      { sec: 2, frac: 0, data: Buffer.alloc(10) },
    ],
  });
  const { records, error } = collect(buf);
  t.equal(records.length, 1);
  t.type(error, CaptureError);
  t.match((error as Error).message, /^record 2 at offset 60: SLL header truncated \(10 of 16 bytes\)$/);
});

t.test('unsupported link type in pcap header', async (t) => {
  const { records, error } = collect(pcap({ le: true, nanos: false, linkType: 105, pkts: [] }));
  t.equal(records.length, 0);
  t.type(error, CaptureError);
  t.match((error as Error).message, /^unsupported link type 105 /);
});

// ---- pcapng ---------------------------------------------------------------

/** Two sections (the second in the other byte order), several interfaces and every packet block. */
function pcapngSample(firstLe: boolean): { buf: Buffer; frames: Buffer[] } {
  const a = ng(firstLe);
  const b = ng(!firstLe);
  const frames = [ether(50, 1), ether(60, 2), ether(70, 3), ether(80, 4), ether(90, 5), ether(40, 6)];
  const buf = Buffer.concat([
    a.shb(),
    a.idb(1, { name: 'eth7' }), // default resolution: µs
    a.unknown(),
    a.idb(1, { name: 'swp1', tsresol: 9 }), // ns
    a.epb(0, 1700000000123456n, frames[0]!),
    a.epb(1, 1700000000987654321n, frames[1]!.subarray(0, 30), frames[1]!.length),
    a.spb(frames[2]!),
    a.opb(1, 1700000002000000001n, frames[3]!),
    b.shb(), // new section: interface ids start again
    b.idb(1, { tsresol: 0x80 | 10, tsoffset: 100 }), // 2^-10 s units, +100 s
    b.unknown(),
    b.epb(0, 1024n * 5n + 512n, frames[4]!),
    b.idb(276, { name: 'any' }),
    b.epb(1, 7000000n, sll2(4, Buffer.from('021122334455', 'hex'), 0x88b5, frames[5]!.subarray(14))),
  ]);
  return { buf, frames };
}

for (const le of [true, false]) {
  t.test(`pcapng, first section ${le ? 'little' : 'big'}-endian`, async (t) => {
    const { buf, frames } = pcapngSample(le);
    const { records, error } = collect(buf);
    t.equal(error, null);
    t.equal(records.length, 6);
    t.same(
      records.map((r) => r.ifname),
      ['eth7', 'swp1', 'eth7', 'swp1', undefined, 'any'],
    );
    t.same(records[0]!.frame, frames[0]);
    t.equal(records[0]!.timeNs, 1700000000123456000n);
    t.same(records[1]!.frame, frames[1]!.subarray(0, 30));
    t.equal(records[1]!.origLen, frames[1]!.length);
    t.equal(records[1]!.timeNs, 1700000000987654321n);
    t.ok(Math.abs(records[1]!.time - 1700000000.987654321) < 1e-6);
    t.same(records[2]!.frame, frames[2], 'SPB on interface 0');
    t.equal(records[2]!.time, 0, 'SPB has no timestamp');
    t.same(records[3]!.frame, frames[3], 'obsolete packet block');
    t.equal(records[3]!.timeNs, 1700000002000000001n);
    t.same(records[4]!.frame, frames[4], 'section in the other byte order');
    t.equal(records[4]!.timeNs, 105_500_000_000n, '2^-10 resolution plus if_tsoffset');
    t.equal(records[4]!.time, 105.5);
    t.equal(records[5]!.linkType, 276);
    t.equal(records[5]!.frame.subarray(6).toString('hex'), frames[5]!.subarray(6).toString('hex').replace(/^020000000006/, '021122334455'));
    t.equal(records[5]!.packetType, 4);
  });
}

t.test('pcapng: packet on an unsupported interface fails after the good records', async (t) => {
  const a = ng(true);
  const buf = Buffer.concat([a.shb(), a.idb(1), a.idb(105), a.epb(0, 1n, ether(10, 1)), a.epb(1, 2n, ether(10, 2))]);
  const { records, error } = collect(buf);
  t.equal(records.length, 1);
  t.type(error, CaptureError);
  t.match((error as Error).message, /^unsupported link type 105 \(record 2 at offset \d+\)$/);
});

t.test('pcapng: packet for an undescribed interface', async (t) => {
  const a = ng(false);
  const { records, error } = collect(Buffer.concat([a.shb(), a.idb(1), a.epb(3, 1n, ether(10, 1))]));
  t.equal(records.length, 0);
  t.match((error as Error).message, /no interface 3 described/);
});

t.test('pcapng: corrupt block length', async (t) => {
  const a = ng(true);
  const good = Buffer.concat([a.shb(), a.idb(1), a.epb(0, 1n, ether(10, 1))]);
  const bad = Buffer.concat([good, a.epb(0, 2n, ether(10, 2))]);
  bad.writeUInt32LE(13, good.length + 4);
  const { records, error } = collect(bad);
  t.equal(records.length, 1);
  t.type(error, CaptureError);
  t.equal((error as CaptureError).offset, good.length);
  t.match((error as Error).message, `bad pcapng block length 13 (block type 0x00000006) at offset ${good.length}`);
});

// ---- streaming --------------------------------------------------------------

t.test('streaming in small chunks gives the same records as a Buffer', async (t) => {
  const cases = [
    pcapngSample(true).buf,
    pcapngSample(false).buf,
    pcap({ le: false, nanos: true, linkType: 1, pkts: [1, 2, 3].map((i) => ({ sec: i, frac: i, data: ether(i * 20, i) })) }),
  ];
  for (const buf of cases) {
    const whole = collect(buf);
    for (const size of [1, 7, 64, buf.length]) {
      const streamed = await collectStream(buf, size);
      t.equal(streamed.error, null);
      t.same(summary(streamed.records), summary(whole.records), `chunks of ${size}`);
    }
  }
});

// ---- truncation and foreign input ----------------------------------------------

t.test('truncated pcap: all whole records, then CaptureError naming the offset', async (t) => {
  const pkts = [1, 2, 3].map((i) => ({ sec: i, frac: 0, data: ether(40, i) }));
  const full = pcap({ le: true, nanos: false, linkType: 1, pkts });
  const thirdAt = 24 + 2 * (16 + 54);
  for (const cut of [thirdAt + 5, thirdAt + 16 + 10]) {
    const buf = full.subarray(0, cut);
    for (const run of [async () => collect(buf), async () => collectStream(buf, 13)]) {
      const { records, error } = await run();
      t.equal(records.length, 2);
      t.same(records[1]!.frame, pkts[1]!.data);
      t.type(error, CaptureError);
      t.equal((error as CaptureError).offset, thirdAt);
      t.equal((error as CaptureError).record, 3);
      t.match((error as Error).message, new RegExp(`^truncated record at offset ${thirdAt} \\(record 3: `));
    }
  }
});

t.test('truncated pcapng block', async (t) => {
  const { buf } = pcapngSample(true);
  const { records, error } = collect(buf.subarray(0, buf.length - 3));
  t.equal(records.length, 5);
  t.match((error as Error).message, /^truncated record at offset \d+/);
});

t.test('foreign and empty input', async (t) => {
  const text = collect(Buffer.from('hello, this is not a capture\n'));
  t.equal(text.records.length, 0);
  t.type(text.error, CaptureError);
  t.equal((text.error as Error).message, 'not a pcap or pcapng file (magic 0x68656c6c)');
  t.equal((collect(Buffer.alloc(0)).error as Error).message, 'not a pcap or pcapng file (empty input)');
  t.equal((collect(Buffer.from([0xd4, 0xc3])).error as Error).message, 'not a pcap or pcapng file (only 2 bytes)');
  t.match((collect(Buffer.from('d4c3b2a10200', 'hex')).error as Error).message, /^truncated pcap file header at offset 0 \(6 of 24 bytes\)$/);
  const badBom = ng(true).shb();
  Buffer.from('12345678', 'hex').copy(badBom, 8);
  t.match((collect(badBom).error as Error).message, /^bad pcapng byte-order magic 0x12345678 at offset 8$/);
});

// ---- files ----------------------------------------------------------------------

t.test('reference capture lsoed-exchange.pcap', async (t) => {
  const records: CaptureRecord[] = [];
  for await (const batch of readCaptureBatches(vectorPcap)) records.push(...batch);
  // the blocking reader (regular files) gives the same records; its frames live until its next batch
  const blocking: string[] = [];
  for (const batch of readCaptureFileBatchesSync(vectorPcap)) for (const r of batch) blocking.push(`${r.time} ${r.frame.toString('hex')}`);
  t.same(blocking, records.map((r) => `${r.time} ${r.frame.toString('hex')}`), 'the blocking reader: the same records');
  // tcpdump starts each packet with its timestamp (hex lines are indented): the independent count.
  const lines = execFileSync('tcpdump', ['-r', vectorPcap, '-nn'], { stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .split('\n')
    .filter((l) => /^\d/.test(l));
  t.ok(records.length > 0);
  t.equal(records.length, lines.length, 'same number of records as tcpdump');
  t.ok(records.every((r) => r.linkType === 1));
  t.ok(records.every((r) => r.frame.readUInt16BE(12) === 0x8885), 'every frame is LSOE (0x8885)');
  t.ok(records.every((r, i) => i === 0 || r.time >= records[i - 1]!.time), 'times ascend');
});

t.test('a missing file: one line naming it, from both readers', async (t) => {
  const read = async () => {
    for await (const b of readCaptureBatches('/nonexistent/x.pcap')) void b;
  };
  await t.rejects(read(), { name: 'CaptureError', message: 'cannot read /nonexistent/x.pcap: no such file' });
  t.throws(() => [...readCaptureFileBatchesSync('/nonexistent/x.pcap')], { name: 'CaptureError', message: 'cannot read /nonexistent/x.pcap: no such file' });
});

// ---- by packet: the parser's one PacketView into a sink (decode's way) ----------

/** A capture of `n` packets (times 1..n s), then, with `brokenTail`, a record header claiming 200 MB. */
function numbered(n: number, brokenTail = false): { buf: Buffer; pkts: Pkt[] } {
  const pkts = Array.from({ length: n }, (_, i) => ({ sec: i + 1, frac: 250_000, data: ether(20 + (i % 50), i) }));
  const full = pcap({ le: true, nanos: false, linkType: 1, pkts });
  if (!brokenTail) return { buf: full, pkts };
  const bad = Buffer.alloc(16);
  bad.writeUInt32LE(200_000_000, 8);
  return { buf: Buffer.concat([full, bad]), pkts };
}

function inTempFile(t: Test, buf: Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lsoe-capture-reader-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'c.pcap');
  writeFileSync(file, buf);
  return file;
}

t.test('by packet: the same packets as the records, in one reused view, batches of at most 256', async (t) => {
  const { buf, pkts } = numbered(700);
  const file = inTempFile(t, buf);
  const seen: string[] = [];
  const views = new Set<PacketView>();
  const batches: number[] = [];
  let inBatch = 0;
  const sink = {
    packet(p: PacketView) {
      views.add(p);
      inBatch++;
      // the frame is buf[start, end) of the reader's buffer, good until the call returns
      seen.push(`${p.time} ${p.origLen} ${p.buf.subarray(p.start, p.end).toString('hex')}`);
    },
  };
  for (const _ of parseCaptureFileSync(file, sink)) {
    batches.push(inBatch);
    inBatch = 0;
  }
  const records: string[] = [];
  for (const batch of readCaptureFileBatchesSync(file)) for (const r of batch) records.push(`${r.time} ${r.origLen} ${r.frame.toString('hex')}`);
  t.equal(seen.length, 700);
  t.same(seen, records, 'what the records say, packet by packet');
  t.same(seen.slice(0, 3), pkts.slice(0, 3).map((p) => `${p.sec + 0.25} ${p.data.length} ${p.data.toString('hex')}`), 'times and frames as written');
  t.equal(views.size, 1, 'one PacketView for every packet (no object per packet)');
  t.ok(batches.every((n) => n > 0 && n <= 256), `a yield after every 256 packets or fewer (${batches.join(', ')})`);
  t.equal(batches.reduce((a, b) => a + b, 0), 700);
  // a record taken from the view keeps the packet's fields (its frame is a view of the read buffer)
  const kept: CaptureRecord[] = [];
  for (const _ of parseCaptureFileSync(file, { packet: (p: PacketView) => void kept.push(p.toRecord()) })) void _;
  t.same(kept.map((r) => r.timeNs.toString()), pkts.map((p) => (BigInt(p.sec) * 1_000_000_000n + 250_000_000n).toString()), 'toRecord keeps the exact time');
});

t.test('by packet: a consumer that stops at a yield reads no further (a broken record after it is never met)', async (t) => {
  const { buf } = numbered(600, true);
  // read to the end, the broken record is an error after the 600 good packets
  let n = 0;
  t.throws(() => {
    for (const _ of parseCaptureFileSync(inTempFile(t, buf), { packet: () => void n++ })) void _;
  }, /captured length 200000000 is not plausible/);
  t.equal(n, 600, 'the good packets first');
  let got = 0;
  for (const _ of parseCaptureFileSync(inTempFile(t, buf), { packet: () => void got++ })) break;
  t.equal(got, 256, 'the file: one batch, then nothing more was parsed');
  got = 0;
  const chunks = [buf.subarray(0, 1000), buf.subarray(1000)];
  for await (const _ of parseCaptureStream(Readable.from(chunks), 'test stream', { packet: () => void got++ })) break;
  t.ok(got > 0 && got < 600, `a stream: the first chunk's packets only (${got})`);
});

t.test("by packet: a sink's own error comes out as it is, not as the input's read error", async (t) => {
  const { buf } = numbered(5);
  const file = inTempFile(t, buf);
  const failing = {
    packet: () => {
      throw Object.assign(new Error('a bug in the consumer'), { code: 'ERR_SOMETHING' });
    },
  };
  t.throws(() => {
    for (const _ of parseCaptureFileSync(file, failing)) void _;
  }, { message: 'a bug in the consumer', code: 'ERR_SOMETHING' });
  await t.rejects(async () => {
    for await (const _ of parseCaptureStream(Readable.from([buf]), 'test stream', failing)) void _;
  }, { message: 'a bug in the consumer', code: 'ERR_SOMETHING' });
  // a read error is still the input's, in one line
  t.throws(() => [...parseCaptureFileSync(path.dirname(file), failing)], { name: 'CaptureError', message: `cannot read ${path.dirname(file)}: is a directory` });
});
