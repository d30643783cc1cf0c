// decode's tcpdump-habit flags through the real binary: -r, -c, --time, -e, VLAN IDs
// kept (text with -v, JSON vlan), several EtherTypes at once; the time columns and
// VLAN IDs checked against tcpdump reading the same capture.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeCaptureFile } from '../../src/io/capture-writer.js';
import { jsonLines, runLsoe } from '../helpers/run-cli.js';
import { repoRoot } from '../helpers/vectors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lsoe-decode-flags-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const HELLO = '0080000bea89ca1c000003'; // one LSOE frame holding a HELLO
const A = '020000000001';
const B = '020000000002';
const frame = (src: string, tags: string, ethertype: string) => Buffer.from(`0180c200000e${src}${tags}${ethertype}${HELLO}`, 'hex');
// 0x88b5 untagged, 0x8885 from B, 0x88b5 in QinQ (802.1ad 200 outside, 802.1Q 100 inside), 0x88b5 again
const FRAMES = [
  { time: 1000.0, frame: frame(A, '', '88b5') },
  { time: 1000.25, frame: frame(B, '', '8885') },
  { time: 1001.5, frame: frame(A, '88a800c881000064', '88b5') },
  { time: 1004.000001, frame: frame(A, '', '88b5') },
];
const file = path.join(dir, 'mixed.pcap');
await writeCaptureFile(file, FRAMES);

const ok = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = runLsoe(args, { env: { ...process.env, TZ: 'UTC', ...env } });
  t.equal(r.code, 0, `lsoe ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trimEnd().split('\n');
};

t.test('-r FILE reads a capture as naming it does (and sniff -r the same)', async (t) => {
  const named = ok(['decode', file]);
  t.equal(named.length, 3, 'the three 0x88b5 frames');
  t.same(ok(['decode', '-r', file]), named);
  t.same(ok(['sniff', '-r', file]), named);
});

t.test('-c N stops after N PDUs and reads no further', async (t) => {
  t.same(ok(['decode', '-c', '2', file]), ok(['decode', file]).slice(0, 2));
  // a capture whose tail is broken: without -c decode reports it (exit 1), with -c 1 it never gets there
  const broken = path.join(dir, 'broken.pcap');
  await writeCaptureFile(broken, FRAMES);
  appendFileSync(broken, Buffer.from('0102030405060708090a0b0c0d0e0f10ffff', 'hex'));
  t.equal(runLsoe(['decode', broken]).code, 1, 'the broken tail is an error when read');
  const r = runLsoe(['decode', '-c', '1', '--json', broken]);
  t.equal(r.code, 0, r.stderr);
  t.equal(jsonLines(r.stdout, 'decode').length, 1);
  t.equal(runLsoe(['decode', '-c', '0', file]).stderr, 'lsoe: decode: --count: must be at least 1\n');
});

/** tcpdump's time column (its -t family) for each packet of `capture`. */
function tcpdumpTimes(flag: string, capture: string, filter: string[] = []): string[] {
  const r = spawnSync('tcpdump', [flag, '-nn', '-r', capture, ...filter], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return r.stdout
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('\t'))
    .map((l) => (flag === '-tttt' ? l.trim().split(' ').slice(0, 2).join(' ') : l.trim().split(' ')[0]!));
}

t.test('--time date|delta|epoch|none, the first three as tcpdump -tttt, -ttt and -tt print them', async (t) => {
  const have = spawnSync('tcpdump', ['--version']).status === 0;
  const lines = (when: string) => ok(['decode', '--ethertype', '0x88b5,0x8885', '--time', when, file]);
  const column = (when: string, words: number) => lines(when).map((l) => l.split(' ').slice(0, words).join(' '));
  t.same(column('epoch', 1), ['1000.000000', '1000.250000', '1001.500000', '1004.000001']);
  t.same(column('delta', 1), ['00:00:00.000000', '00:00:00.250000', '00:00:01.250000', '00:00:02.500001'], 'the gap since the previous record');
  t.same(column('date', 2), ['1970-01-01 00:16:40.000000', '1970-01-01 00:16:40.250000', '1970-01-01 00:16:41.500000', '1970-01-01 00:16:44.000001']);
  t.same(column('clock', 1), ['00:16:40.000000', '00:16:40.250000', '00:16:41.500000', '00:16:44.000001'], 'the default: time of day');
  t.match(lines('none')[0], /^02:00:00:00:00:01 > 01:80:c2:00:00:0e HELLO$/, 'none: no time at all');
  if (!have) {
    t.comment('tcpdump is not installed: no comparison with it');
    return;
  }
  t.same(column('delta', 1), tcpdumpTimes('-ttt', file), 'delta = tcpdump -ttt');
  t.same(column('date', 2), tcpdumpTimes('-tttt', file), 'date = tcpdump -tttt');
  t.same(column('epoch', 1), tcpdumpTimes('-tt', file), 'epoch = tcpdump -tt');
  // and on the lsoed capture: 62 PDUs in 63 frames of 0x8885 (one PDU in two frames, stamped
  // with its last), among frames of other EtherTypes
  const lsoed = path.join(repoRoot(), 'examples/lsoed-exchange.pcap');
  for (const [when, flag, words] of [['epoch', '-tt', 1], ['date', '-tttt', 2]] as const) {
    const ours = ok(['decode', '--ethertype', '0x8885', '--time', when, lsoed]).map((l) => l.split(' ').slice(0, words).join(' '));
    const theirs = tcpdumpTimes(flag, lsoed, ['ether', 'proto', '0x8885']);
    t.equal(ours.length, 62);
    t.equal(theirs.length, 63);
    t.same(ours, theirs.filter((x) => ours.includes(x)), `${when}: every record stamped as tcpdump ${flag} stamps its frame`);
  }
});

t.test('VLAN IDs are kept: JSON vlan (outermost first), text with -v and -e; tcpdump sees the same tags', async (t) => {
  const recs = jsonLines(ok(['decode', '--json', file]).join('\n'), 'decode');
  t.same(recs.map((r) => r.vlan), [[], [200, 100], []]);
  const verbose = ok(['decode', '-v', file]).join('\n');
  t.match(verbose, /HELLO\n    PDU length 3, 1 frame\n    VLAN 200, 100 \(outermost first\)\n/);
  t.equal((verbose.match(/VLAN/g) ?? []).length, 1, 'only the tagged record says VLAN');
  const link = ok(['decode', '-e', '--ethertype', '0x88b5,0x8885', '--time', 'none', file]);
  t.same(link, [
    '02:00:00:00:00:01 > 01:80:c2:00:00:0e, ethertype 0x88b5: HELLO',
    '02:00:00:00:00:02 > 01:80:c2:00:00:0e, ethertype 0x8885: HELLO',
    '02:00:00:00:00:01 > 01:80:c2:00:00:0e, ethertype 0x88b5, vlan 200.100: HELLO',
    '02:00:00:00:00:01 > 01:80:c2:00:00:0e, ethertype 0x88b5: HELLO',
  ]);
  if (spawnSync('tcpdump', ['--version']).status !== 0) return;
  const td = spawnSync('tcpdump', ['-e', '-nn', '-r', file], { encoding: 'utf8' }).stdout;
  t.match(td, /vlan 200, p 0, ethertype 802\.1Q \(0x8100\), vlan 100, p 0, ethertype Unknown \(0x88b5\)/, 'tcpdump reads the same two tags in that order');
});

t.test('several EtherTypes at once; --json refuses what shapes text lines', async (t) => {
  t.same(jsonLines(ok(['decode', '--json', '--ethertype', '0x8885,0x88b5', file]).join('\n'), 'decode').map((r) => r.src), [
    '02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:01', '02:00:00:00:00:01',
  ]);
  t.same(ok(['decode', '--json', '--ethertype', '34949', file]).length, 1, 'decimal in a list too');
  for (const [args, want] of [
    [['--json', '--time', 'date'], 'lsoe: decode: --json and --time contradict each other: give one\n'],
    [['--json', '-e'], 'lsoe: decode: --json and --link contradict each other: give one\n'],
    // the summary prints no PDU, so what shapes a PDU's lines is refused with it too
    [['--summary', '-v'], 'lsoe: decode: --summary and --verbose contradict each other: give one\n'],
    [['--summary', '-x'], 'lsoe: decode: --summary and --hexdump contradict each other: give one\n'],
    [['--summary', '-e'], 'lsoe: decode: --summary and --link contradict each other: give one\n'],
    [['--summary', '--time', 'epoch'], 'lsoe: decode: --summary and --time contradict each other: give one\n'],
    [['--ethertype', '0x88b5,8885'], "lsoe: decode: --ethertype: '8885' is ambiguous: write 0x8885 (hex) or 34949 (decimal)\n"],
    [['--ethertype', '0x88b5,'], "lsoe: decode: --ethertype: '0x88b5,' has an empty item\n"],
  ] as const) {
    const r = runLsoe(['decode', ...args, file]);
    t.equal(r.code, 2, args.join(' '));
    t.equal(r.stderr, want);
  }
});

t.test('--hex: a bad frame argument is named by its position', async (t) => {
  const good = '0180c200000e02000000000188b50080000bea89ca1c000003';
  const r = runLsoe(['decode', '--hex', good, good.slice(0, -1)]);
  t.equal(r.code, 1);
  t.equal(r.stderr, 'lsoe: decode: argument 2: not a frame in hex (odd number of digits)\n');
  t.match(r.stdout, /HELLO\n$/, 'after printing what was decoded');
  // too few hex digits for a frame: taken for a file's name, and the error says why
  const short = runLsoe(['decode', '--hex', '0180c2']);
  t.equal(short.code, 1);
  t.equal(short.stderr, "lsoe: decode: cannot read 0180c2: no such file (as a frame in hex: 3 octets, fewer than an Ethernet header's 14)\n");
  const name = runLsoe(['decode', '--hex', 'frames.txt']);
  t.equal(name.stderr, 'lsoe: decode: cannot read frames.txt: no such file\n', 'a name that is no hex: no such note');
});
