// contrib/wireshark/lsoe.lua in the real tshark: every vector and the lsoed
// capture dissect to the same fields, refusals and one-line summaries as
// `lsoe decode` prints, and random bytes never make a Lua error.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeCaptureFile } from '../../src/io/capture-writer.js';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { encodeFrame } from '../../src/proto/frame.js';
import { mulberry32, randomBytes } from '../proto/mulberry32.js';
import { jsonLines, runLsoe } from '../helpers/run-cli.js';
import { loadReferenceVectors, vectorsDir } from '../helpers/vectors.js';
import { dissectedRecords, tshark, tsharkAvailable, type DissectedRecord } from '../helpers/wireshark.js';

if (!tsharkAvailable()) {
  t.fail('tshark is not installed (scripts/setup installs it)');
  process.exit(1);
}

const tmp = mkdtempSync(path.join(tmpdir(), 'lsoe-wireshark-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
const exchange = path.join(vectorsDir(), 'lsoed-exchange.pcap');

/** What `lsoe decode --json` says about a capture, in the shape the dissector is read into. */
function decoded(file: string, ethertype: string): Omit<DissectedRecord, 'frame'>[] {
  const res = runLsoe(['decode', '--ethertype', ethertype, '--json', file]);
  if (res.code !== 0) throw new Error(`lsoe decode failed: ${res.stderr}`);
  return jsonLines(res.stdout).map((r) =>
    'error' in r
      ? { error: { reason: r.error.reason, message: r.error.message } }
      : { src: r.src, dst: r.dst, frames: r.frames, length: r.length, pdu: r.pdu },
  );
}

/** The dissector's records; `raw` gets tshark's whole output (tree text and expert messages included). */
function dissected(file: string, raw?: (text: string) => void): Omit<DissectedRecord, 'frame'>[] {
  const res = tshark(file, ['-T', 'json', '--no-duplicate-keys']);
  if (res.code !== 0) throw new Error(`tshark failed: ${res.stderr}`);
  raw?.(res.stdout + res.stderr);
  return dissectedRecords(res.stdout).map(({ frame: _frame, ...rest }) => rest);
}

/** `tshark -T fields` rows (all occurrences, comma separated), one per frame. */
function fieldRows(file: string, fields: string[], extra: string[] = []): string[][] {
  const args = ['-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', ...extra, ...fields.flatMap((f) => ['-e', f])];
  const out = tshark(file, args).stdout.replace(/\n$/, '');
  return out === '' ? [] : out.split('\n').map((l) => l.split('\t'));
}

/** `lsoe decode`'s one-line form without the time and addresses. */
function decodeSummaries(file: string, ethertype: string): string[] {
  const res = runLsoe(['decode', '--ethertype', ethertype, file]);
  return res.stdout
    .trim()
    .split('\n')
    .map((l) => l.replace(/^\S+ \S+ > \S+ /, ''));
}

/** Info of the frames that end a record (pieces that complete nothing say so and are left out). */
function recordInfos(rows: string[][], column: number): string[] {
  return rows.map((r) => r[column]!).filter((i) => !i.startsWith('fragment '));
}

// Every reference vector, good and bad, one after the other (the multi-frame
// one in order), 10 ms apart: well inside the 1 s reassembly timeout.
const vectors = loadReferenceVectors();
const vectorFile = path.join(tmp, 'vectors.pcap');
const vectorFrames = [...vectors.vectors.flatMap((v) => v.frames), ...vectors.bad.map((b) => b.frame)];
await writeCaptureFile(
  vectorFile,
  vectorFrames.map((hex, i) => ({ time: 1000 + i / 100, frame: Buffer.from(hex, 'hex') })),
);
const vectorRecords = dissected(vectorFile);
const vectorRows = fieldRows(vectorFile, ['frame.number', '_ws.col.Info', 'lsoe.frame.checksum.status', 'lsoe.fragment', 'lsoe.reassembled_in']);

t.test('every reference vector: the dissector fields equal lsoe decode --json', async (t) => {
  const mine = decoded(vectorFile, '0x88b5');
  t.equal(mine.filter((r) => r.pdu).length, vectors.vectors.length, 'lsoe decodes every good vector');
  t.same(vectorRecords, mine);
  // and the content is the vectors' own expectation, not merely agreement
  t.same(
    vectorRecords.filter((r) => r.pdu).map((r) => r.pdu),
    vectors.vectors.map((v) => v.expect),
  );
});

t.test('bad vectors raise expert info named after the reason lsoe gives', async (t) => {
  t.same(
    vectorRecords.filter((r) => r.error).map((r) => r.error!.reason),
    vectors.bad.map((b) => b.reason),
  );
  const status = vectorRows.map((r) => r[2]);
  const bad = vectors.vectors.reduce((n, v) => n + v.frames.length, 0);
  t.same(status.slice(bad), ['0', '', '', ''], 'the bad checksum is marked Bad; frames refused before it have none');
  t.ok(status.slice(0, bad).every((s) => s === '1'), 'the good frames are marked Good');
});

t.test('the Info column reads like lsoe decode', async (t) => {
  t.same(recordInfos(vectorRows, 1), decodeSummaries(vectorFile, '0x88b5'));
  t.same(recordInfos(fieldRows(exchange, ['_ws.col.Info']), 0), decodeSummaries(exchange, '0x8885'));
});

t.test('the lsoed capture (EtherType 0x8885, a two-frame PDU): same fields as lsoe decode', async (t) => {
  const theirs = dissected(exchange);
  t.same(theirs, decoded(exchange, '0x8885'));
  t.ok(theirs.some((r) => (r.frames ?? 0) > 1), 'holds a reassembled PDU');
  t.same(fieldRows(exchange, ['lsoe.pdu.type'], ['-o', 'lsoe.lsoed_ethertype:FALSE', '-Y', 'lsoe']), [], 'the 0x8885 preference turns it off');
});

t.test('the reassembled PDU links to its pieces and they back to it', async (t) => {
  const multi = vectors.vectors.findIndex((v) => v.frames.length > 1);
  const first = vectors.vectors.slice(0, multi).reduce((n, v) => n + v.frames.length, 0) + 1;
  const pieces = vectors.vectors[multi]!.frames.length;
  const last = first + pieces - 1;
  const expectPieces = Array.from({ length: pieces }, (_, i) => String(first + i)).join(',');
  t.same(vectorRows[last - 1]!.slice(3), [expectPieces, '']);
  for (let n = first; n < last; n++) t.same(vectorRows[n - 1]!.slice(3), ['', String(last)]);
});

t.test('filters people type: lsoe.encap.*, lsoe.open.*, lsoe.ack.*, lsoe.vendor.*', async (t) => {
  const filters: Array<[string, string, string]> = [
    // filter, field read from the matching frame, its value
    ['lsoe.open.nonce == a1:b2:c3:d4', 'lsoe.open.local_id', '00:11:22:33:44:55:66:77:88:99'],
    ['lsoe.ack.error_type == 2', 'lsoe.ack.type', '4'],
    ['lsoe.encap.loopback == 1 && lsoe.encap.ipv4', 'lsoe.encap.ipv4', '10.0.0.1,192.0.2.1'],
    ['lsoe.encap.ipv6 == 2001:db8::1 && lsoe.encap.label', 'lsoe.encap.label.value', '4000'],
    ['lsoe.vendor.enterprise == 32473', 'lsoe.vendor.type', '7'],
  ];
  const fields = filters.map(([, field]) => field);
  const rows = fieldRows(vectorFile, fields, ['-Y', filters.map(([f]) => `(${f})`).join(' || ')]);
  const found = filters.map((_, i) => rows.map((r) => r[i]).filter((v) => v !== '').join('|'));
  t.same(found, filters.map(([, , value]) => value));
});

// Random input: pure noise, and frames with a good header and checksum around
// PDU-ish bytes (a real type and Length, random body), from three senders, in
// pieces too, so every decoder path and the reassembly bounds are exercised.
function randomCapture(seed: number, count: number): Array<{ time: number; frame: Buffer }> {
  const rand = mulberry32(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const types = [0, 1, 2, 3, 4, 5, 6, 7, 255, 8, 100];
  const out: Array<{ time: number; frame: Buffer }> = [];
  let time = 5000;
  for (let i = 0; i < count; i++) {
    time += 0.001 + int(400_000) / 1e6 + 1e-7;
    const src = `02:00:00:00:00:0${1 + int(3)}`;
    let payload: Buffer;
    if (rand() < 0.25) {
      payload = randomBytes(rand, int(40));
    } else {
      const body = randomBytes(rand, int(48));
      const pdu = Buffer.concat([Buffer.from([types[int(types.length)]!, 0, 0]), body]);
      pdu.writeUInt16BE(rand() < 0.85 ? pdu.length : int(70), 1);
      // a small Count, so encapsulation bodies get past it
      if (pdu[0]! >= 4 && pdu[0]! <= 7 && pdu.length >= 5) pdu.writeUInt16BE(int(4), 3);
      const piece = rand() < 0.8 ? { last: true, number: 0 } : { last: rand() < 0.5, number: int(3) };
      payload = encodeFrame({ ...piece, payload: pdu });
      if (rand() < 0.05) payload[4] ^= 1;
    }
    out.push({ time, frame: buildEthernet('02:00:00:00:00:09', src, 0x88b5, payload) });
  }
  return out;
}

t.test('random bytes on the EtherType: no Lua error, same records as lsoe decode', async (t) => {
  const file = path.join(tmp, 'random.pcap');
  await writeCaptureFile(file, randomCapture(14, 1500));
  // A Lua error shows as "Lua Error: …" (tree and expert info); one caught by the
  // dissector's own guard as lsoe.expert.internal "lsoe.lua: …".
  const theirs = dissected(file, (text) => {
    t.notMatch(text, /Lua Error|lsoe\.lua:|lsoe\.expert\.internal/i, 'no Lua error anywhere');
  });
  const mine = decoded(file, '0x88b5');
  t.ok(mine.filter((r) => r.pdu).length > 100, 'many random frames decode');
  t.ok(new Set(mine.map((r) => r.error?.reason)).size >= 5, 'and many are refused for various reasons');
  t.same(theirs, mine);
});
