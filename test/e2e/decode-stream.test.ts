// decode as people pipe it: a closed pipe ends quietly, a stalled reader
// stops the reading (memory stays flat), hex input is read line by line and
// records come out while the input is idle, and summaries stay bounded with
// many senders. Small versions; the bench measures the heavy ones.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeCaptureFile } from '../../src/io/capture-writer.js';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { encodePdu } from '../../src/proto/pdu/index.js';
import { jsonLines, LSOE_BIN, runLsoe } from '../helpers/run-cli.js';
import { repoRoot } from '../helpers/vectors.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'lsoe-decode-stream-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
const DST = '02:00:00:00:00:01';
const mac = (i: number): string => `02:${[(i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255, 0x10].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

/** A capture of `pdus` large (3-frame) IPv6 encapsulations: about 4.5 KiB of JSON each. */
async function bigCapture(file: string, pdus: number): Promise<number> {
  const encaps = Array.from({ length: 250 }, (_, i) => ({ address: `2001:db8::${i.toString(16)}`, prefixLength: 128, primary: i === 0, loopback: false }));
  const pieces = splitPdu(encodePdu({ type: 'IPV6_ENCAPSULATION', encaps }));
  const frames = [];
  for (let i = 0; i < pdus; i++) for (const p of pieces) frames.push({ time: 1_700_000_000 + i / 1000, frame: buildEthernet(DST, mac(i % 50), 0x88b5, p) });
  await writeCaptureFile(file, frames);
  return frames.length;
}

const bigFile = path.join(tmp, 'big.pcap');
const bigPdus = 4000;

t.before(async () => {
  await bigCapture(bigFile, bigPdus);
});

t.test('a closed pipe ends decode quietly with status 0', async (t) => {
  // `lsoe decode --json big.pcap | head -1`, with the statuses of both.
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${LSOE_BIN}" decode --json "${bigFile}" | head -1; echo "status $?" >&2`], { encoding: 'utf8' });
  t.equal(jsonLines(r.stdout).length, 1, 'head got its line');
  t.equal(r.stderr, 'status 0\n', 'no message, status 0');
});

/** python3 -c: runs argv[1:] with its stdout discarded, prints the child's peak RSS in KiB. */
const PEAK_RSS_KIB = 'import resource, subprocess, sys\nr = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\nprint(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\nsys.exit(r.returncode)';

/** Kilobytes from /proc/PID/status (VmRSS) and octets read from /proc/PID/io. */
function procStats(pid: number): { rssKiB: number; readBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  return { rssKiB: Number(/VmRSS:\s+(\d+)/.exec(status)![1]), readBytes: Number(/rchar:\s+(\d+)/.exec(io)![1]) };
}

t.test('a reader that stalls stops the reading, and gets everything after', async (t) => {
  const size = statSync(bigFile).size;
  // bin/lsoe as a program, as users run it: with the launcher's malloc tunables for decode
  const child = spawn(LSOE_BIN, ['decode', '--json', bigFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pause();
  // Nobody reads for a while: decode must wait, not read on and queue output.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const stalled = procStats(child.pid!);
  t.ok(stalled.readBytes < size / 2, `read ${stalled.readBytes} of ${size} octets while stalled`);
  t.ok(stalled.rssKiB < 128 * 1024, `RSS ${stalled.rssKiB} KiB while stalled`);
  let lines = 0;
  let tail = '';
  child.stdout.on('data', (c: Buffer) => {
    const parts = (tail + c.toString()).split('\n');
    tail = parts.pop()!;
    lines += parts.length;
  });
  child.stdout.resume();
  const code = await new Promise((resolve) => child.on('close', resolve));
  t.equal(code, 0);
  t.equal(lines, bigPdus, 'every record once the reader reads');
});

/** Whether the addon (with pipeSize) is built: decode then widens its output pipe. */
function addonWidens(): boolean {
  try {
    const addon = createRequire(import.meta.url)(path.join(repoRoot(), 'native/build/packet_socket.node')) as { pipeSize?: unknown };
    return typeof addon.pipeSize === 'function';
  } catch {
    return false;
  }
}

/**
 * decode writing into a real pipe (a FIFO, as `| reader` gives: not the socketpair
 * of Node's child stdio) read by python after `stallS` seconds; resolves with what
 * python read, the pipe's size it saw at the end, decode's status and its RSS and
 * octets read (KiB) during the stall.
 */
async function decodeIntoPipe(file: string, stallS: number): Promise<{ out: Buffer; pipeSize: number; code: number | null; stalled: { rssKiB: number; readBytes: number } }> {
  const fifo = path.join(tmp, `fifo-${stallS}-${path.basename(file)}`);
  rmSync(fifo, { force: true });
  spawnSync('mkfifo', [fifo]);
  // python says when it has the FIFO open (else, should decode be done first, its open would wait for good).
  const py = `import fcntl, os, sys, time\nf = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)\nos.write(1, b'open\\n')\nos.set_blocking(f, True)\ntime.sleep(${stallS})\nd = b''.join(iter(lambda: os.read(f, 1 << 20), b''))\nsys.stderr.write(str(fcntl.fcntl(f, 1032)))\nsys.stdout.buffer.write(d)\n`;
  const reader = spawn('python3', ['-c', py, fifo], { stdio: ['ignore', 'pipe', 'pipe'] });
  const got: Buffer[] = [];
  let size = '';
  reader.stderr.on('data', (c: Buffer) => (size += c.toString()));
  const readerDone = new Promise((resolve) => reader.on('close', resolve));
  await new Promise<void>((resolve) => reader.stdout.once('data', () => resolve()));
  reader.stdout.on('data', (c: Buffer) => got.push(c));
  // O_RDWR: the FIFO's write end for decode's fd 1 (with no reader, O_WRONLY would wait).
  const fd = openSync(fifo, 'r+');
  // bin/lsoe as a program, as users run it: with the launcher's malloc tunables for decode
  const child = spawn(LSOE_BIN, ['decode', '--json', file], { stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  await new Promise((resolve) => setTimeout(resolve, (stallS * 1000) / 2));
  const stalled = procStats(child.pid!);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  await readerDone;
  return { out: Buffer.concat(got), pipeSize: Number(size), code, stalled };
}

t.test('into a real pipe whose reader stalls: decode waits with little memory, then everything in order', async (t) => {
  const size = statSync(bigFile).size;
  const r = await decodeIntoPipe(bigFile, 3);
  t.ok(r.stalled.readBytes < size / 2, `read ${r.stalled.readBytes} of ${size} octets while stalled`);
  t.ok(r.stalled.rssKiB < 128 * 1024, `RSS ${r.stalled.rssKiB} KiB while stalled`);
  t.equal(r.code, 0);
  const want = spawnSync(process.execPath, [LSOE_BIN, 'decode', '--json', bigFile], { maxBuffer: 256 * 1024 * 1024 }).stdout;
  t.equal(r.out.length, want.length, 'as many octets as into a file');
  t.ok(r.out.equals(want), 'the same octets, in order');
  if (addonWidens()) t.equal(r.pipeSize, 1024 * 1024, 'the pipe was made 1 MiB (F_SETPIPE_SZ)');
  else t.equal(r.pipeSize, 64 * 1024, 'no addon: the pipe as it was');
});

t.test('a short output leaves the pipe as it is (written at once, never widened)', async (t) => {
  const small = path.join(tmp, 'small.pcap');
  await bigCapture(small, 3);
  const r = await decodeIntoPipe(small, 0.2);
  t.equal(r.code, 0);
  t.equal(jsonLines(r.out.toString()).length, 3);
  t.equal(r.pipeSize, 64 * 1024);
});

t.test('a pipe made non-blocking under decode (EAGAIN): the rest goes out asynchronously, whole', async (t) => {
  // Another writer of the same pipe (a sibling in `{ …; } | reader`) sets O_NONBLOCK
  // on it while decode is blocked writing into the full pipe; the reader then takes
  // 64 KiB and stalls again, so decode's next write finds the pipe full: EAGAIN.
  const lsoe = `"${process.execPath}" "${LSOE_BIN}" decode --json "${bigFile}"`;
  const nonblock = `python3 -c 'import fcntl, os, time; time.sleep(0.5); fcntl.fcntl(1, fcntl.F_SETFL, fcntl.fcntl(1, fcntl.F_GETFL) | os.O_NONBLOCK)'`;
  const script = `set -o pipefail; { ${lsoe} & ${nonblock}; wait $!; echo "decode $?" >&2; } | { sleep 1.5; dd bs=64k count=1 iflag=fullblock 2>/dev/null; sleep 1; cat; }`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  t.equal(r.stderr, 'decode 0\n', 'status 0, no message');
  const want = spawnSync(process.execPath, [LSOE_BIN, 'decode', '--json', bigFile], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  t.equal(r.stdout.length, want.stdout.length, 'as many octets as into a file');
  t.ok(r.stdout === want.stdout, 'the same output');
  t.equal(jsonLines(r.stdout).length, bigPdus);
});

t.test('SIGTERM while blocked on a stalled reader: decoded records flushed whole, status 143', async (t) => {
  const child = spawn(process.execPath, [LSOE_BIN, 'decode', '--json', bigFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const first = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await first;
  // The reader stalls: decode blocks in a write; the signal waits for it to return.
  child.stdout.pause();
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.stdout.resume();
  const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? signal)));
  t.equal(code, 143, 'ended by the signal, in its own time');
  t.equal(stderr, '', 'no message');
  t.ok(out.endsWith('\n'), 'the output ends with a whole line');
  const lines = jsonLines(out);
  t.ok(lines.length > 0 && lines.length < bigPdus, `${lines.length} of ${bigPdus} records, every one whole`);
});

t.test('SIGTERM after the reading, while the output waits for a slow reader: every record whole, status 143', async (t) => {
  // ~1.2 MB of JSON (~20 KiB a record): all of it decoded and queued (under the 2 MiB bound),
  // then decode waits for the reader, who sleeps; the signal comes meanwhile.
  const file = path.join(tmp, 'queued.pcap');
  const pdus = 60;
  await bigCapture(file, pdus);
  const script = `{ "${process.execPath}" "${LSOE_BIN}" decode --json "${file}" & echo "pid $!" >&2; wait $!; echo "status $?" >&2; } | { sleep 6; cat; }`;
  const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const deadline = Date.now() + 20_000;
  while (!/pid \d+/.test(stderr) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const pid = Number(/pid (\d+)/.exec(stderr)![1]);
  // decode has read its input well before the reader wakes up (6 s)
  await new Promise((resolve) => setTimeout(resolve, 3000));
  process.kill(pid, 'SIGTERM');
  await new Promise((resolve) => child.on('close', resolve));
  t.match(stderr, /status 143\n$/, 'ended with the signal\'s status');
  t.notMatch(stderr, /lsoe/, 'no message');
  t.ok(out.endsWith('\n'), 'the output ends with a whole line');
  t.equal(jsonLines(out).length, pdus, 'every record decoded before the signal, none cut');
});

t.test('stdout that cannot be written (a full disk): one line naming stdout, status 1', async (t) => {
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${LSOE_BIN}" decode --json "${bigFile}" > /dev/full`], { encoding: 'utf8' });
  t.equal(r.status, 1);
  t.equal(r.stderr, 'lsoe: decode: stdout: no space left on the device\n');
});

t.test('hex input is read line by line: a record comes out while stdin stays open', async (t) => {
  const frame = buildEthernet(DST, mac(1), 0x88b5, splitPdu(encodePdu({ type: 'KEEPALIVE' }))[0]!).toString('hex');
  const child = spawn(process.execPath, [LSOE_BIN, 'decode', '--hex', '--json', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const first = new Promise<void>((resolve) =>
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve();
    }),
  );
  child.stdin.write(frame + '\n');
  const timer = setTimeout(() => child.kill(), 10_000);
  await first;
  clearTimeout(timer);
  t.match(jsonLines(out), [{ src: mac(1), time: null, pdu: { type: 'KEEPALIVE' } }], 'printed before the input ended');
  child.stdin.end(frame + '\n');
  const code = await new Promise((resolve) => child.on('close', resolve));
  t.equal(code, 0);
  t.equal(jsonLines(out).length, 2);
});

t.test('a bad hex line: every frame before it is printed (its own chunk\'s too), then its error', async (t) => {
  const frame = (i: number): string => buildEthernet(DST, mac(i), 0x88b5, splitPdu(encodePdu({ type: 'KEEPALIVE' }))[0]!).toString('hex');
  // 3,000 frames (~150 KB: the bad line lands in the third 64 KiB chunk, after frames of that chunk)
  const lines = Array.from({ length: 3000 }, (_, i) => frame(i));
  const r = runLsoe(['decode', '--hex', '--json', '-'], { input: `${lines.join('\n')}\nzz\n${frame(9999)}\n` });
  t.equal(r.code, 1);
  t.equal(r.stderr, 'lsoe: decode: stdin line 3001: not a frame in hex (non-hex character)\n');
  const recs = jsonLines(r.stdout);
  t.equal(recs.length, 3000, 'every frame before the bad line, none after');
  t.equal(recs[2999]!.src, mac(2999));
  const small = runLsoe(['decode', '--hex', '-'], { input: `${frame(1)}\nzz\n` });
  t.equal(small.code, 1);
  // hex frames have no capture time: the line starts with the sender
  t.equal(small.stdout, `${mac(1)} > ${DST} KEEPALIVE\n`, 'one good line, then the bad one: the good one printed');
});

t.test('a hex line longer than any frame: refused once over 256 Ki characters, memory flat, frames before it printed', async (t) => {
  const frame = buildEthernet(DST, mac(1), 0x88b5, splitPdu(encodePdu({ type: 'KEEPALIVE' }))[0]!).toString('hex');
  // 24 MB with no newline after the first line: it was kept whole and re-split at every chunk
  // (quadratic; 20 MB took 258 MB of memory)
  const file = path.join(tmp, 'long-line.hex');
  writeFileSync(file, `${frame}\n${'0'.repeat(24 * 1024 * 1024)}`);
  const r = runLsoe(['decode', '--hex', '--json', file], { timeoutMs: 60_000 });
  t.equal(r.code, 1);
  t.equal(r.stderr, `lsoe: decode: ${file} line 2: not a frame in hex (over 262,144 characters)\n`);
  t.equal(jsonLines(r.stdout).length, 1, 'the frame before it');
  const peak = spawnSync('python3', ['-c', PEAK_RSS_KIB, LSOE_BIN, 'decode', '--hex', '--json', file], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  t.equal(peak.status, 1, peak.stderr);
  const peakKiB = Number(peak.stdout.trim().split('\n').pop());
  t.ok(peakKiB > 0 && peakKiB < 100 * 1024, `peak RSS ${peakKiB} KiB`);
  // ended by a newline in the chunk that takes it over the bound, or at the bound exactly
  for (const [digits, refused] of [[300_000, true], [262_145, true], [262_144, false]] as const) {
    const ended = runLsoe(['decode', '--hex', '--json', '-'], { input: `${frame}\n${'0'.repeat(digits)}\n${frame}\n` });
    if (refused) {
      t.equal(ended.stderr, `lsoe: decode: stdin line 2: not a frame in hex (over 262,144 characters)\n`, `${digits} digits and a newline`);
      t.equal(jsonLines(ended.stdout).length, 1, 'the frame before it, none after');
    } else {
      t.equal(ended.code, 0, `${digits} digits: a line at the bound is taken (${ended.stderr.trim()})`);
      // (a frame of zeros, EtherType 0: not LSOE, skipped)
      t.equal(jsonLines(ended.stdout).length, 2, 'the frames around it');
    }
  }
});

t.test('a FIFO and a process substitution: the same records as the file, streamed while the writer writes', async (t) => {
  const want = spawnSync(process.execPath, [LSOE_BIN, 'decode', '--json', bigFile], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  t.equal(jsonLines(want.stdout).length, bigPdus);
  const substituted = spawnSync('bash', ['-c', `"${process.execPath}" "${LSOE_BIN}" decode --json <(cat "${bigFile}")`], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  t.equal(substituted.status, 0);
  t.ok(substituted.stdout === want.stdout, 'decode <(cat file) prints what decode file prints');

  // A FIFO fed in two parts: the first part's records come out before the second is written.
  const fifo = path.join(tmp, 'capture.fifo');
  spawnSync('mkfifo', [fifo]);
  const whole = readFileSync(bigFile);
  const child = spawn(process.execPath, [LSOE_BIN, 'decode', '--json', fifo], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const writer = spawn('bash', ['-c', `exec cat > "${fifo}"`], { stdio: ['pipe', 'ignore', 'ignore'] });
  const half = Math.floor(whole.length / 2);
  writer.stdin.write(whole.subarray(0, half));
  const deadline = Date.now() + 20_000;
  while (!out.includes('\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const early = jsonLines(out.slice(0, out.lastIndexOf('\n') + 1)).length;
  t.ok(early > 0 && early < bigPdus, `${early} records out while the writer still holds the FIFO open`);
  writer.stdin.end(whole.subarray(half));
  const code = await new Promise((resolve) => child.on('close', resolve));
  t.equal(code, 0);
  t.ok(out === want.stdout, 'then every record, as from the file');
});

t.test('a FIFO whose writer stops inside a record: what the file gives, the one line naming the FIFO', async (t) => {
  const cutFile = path.join(tmp, 'cut.pcap');
  const whole = readFileSync(bigFile);
  writeFileSync(cutFile, whole.subarray(0, whole.length - 100));
  const want = spawnSync(process.execPath, [LSOE_BIN, 'decode', '--json', cutFile], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  t.equal(want.status, 1);
  const fifo = path.join(tmp, 'cut.fifo');
  spawnSync('mkfifo', [fifo]);
  const r = spawnSync('bash', ['-c', `cat "${cutFile}" > "${fifo}" & "${process.execPath}" "${LSOE_BIN}" decode --json "${fifo}"; echo "status $?" >&2; wait`], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  t.ok(r.stdout === want.stdout, 'the same records, the last PDU reported incomplete');
  t.equal(r.stderr, want.stderr.replace(cutFile, fifo) + 'status 1\n', 'the same one line, naming the FIFO; status 1');
  t.match(r.stderr, /truncated record/);
});

t.test('SIGINT with --summary: the summary of what was decoded, status 130', async (t) => {
  // A capture streamed into stdin, which stays open: decode waits for more, then ^C.
  const whole = readFileSync(bigFile);
  const child = spawn(process.execPath, [LSOE_BIN, 'decode', '--summary', '--json', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // (what decode has not read when it ends fails to be written: EPIPE, expected)
  child.stdin.on('error', () => {});
  child.stdin.write(whole.subarray(0, Math.floor(whole.length / 2)));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  child.kill('SIGINT');
  const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? signal)));
  t.equal(code, 130, 'ended by the signal');
  t.equal(stderr, '', 'no message');
  const lines = jsonLines(out);
  t.equal(lines.length, 1, 'one summary');
  const frames = lines[0]?.summary?.frames as number;
  t.ok(frames > 0 && frames < bigPdus * 3, `${frames} frames counted of the half written`);
});

t.test('--summary with 130,000 distinct senders: bounded, top rows and the rest counted, a late busy sender found', async (t) => {
  const payload = splitPdu(encodePdu({ type: 'KEEPALIVE' }))[0]!;
  const n = 130_000;
  // A real sender hidden in a spoofed-MAC flood: it starts once the table is long full and
  // sends once every 3,000 frames, so it never sends twice while ~2,048 newcomers arrive.
  const busy = '02:ff:ff:ff:ff:ff';
  let busyPdus = 0;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(buildEthernet(DST, mac(i), 0x88b5, payload).toString('hex'));
    if (i >= n / 2 && i % 3000 === 0) {
      lines.push(buildEthernet(DST, busy, 0x88b5, payload).toString('hex'));
      busyPdus++;
    }
  }
  // and one early sender sends twice more at the end
  lines.push(lines[7]!, lines[7]!);
  const truth = (sender: string): number => (sender === busy ? busyPdus : sender === mac(7) ? 3 : 1);
  const file = path.join(tmp, 'senders.hex');
  writeFileSync(file, lines.join('\n') + '\n');
  const text = runLsoe(['decode', '--hex', '--summary', file], { timeoutMs: 60_000 });
  t.equal(text.code, 0, text.stderr);
  // Peak RSS of bin/lsoe run as a program (the launcher's malloc tunables apply), from wait4's rusage.
  const peak = spawnSync('python3', ['-c', PEAK_RSS_KIB, LSOE_BIN, 'decode', '--hex', '--summary', file], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  t.equal(peak.status, 0, peak.stderr);
  const peakKiB = Number(peak.stdout.trim().split('\n').pop());
  t.ok(peakKiB > 0 && peakKiB < 128 * 1024, `peak RSS ${peakKiB} KiB`);
  t.match(text.stdout, `${lines.length} frames, ${lines.length} PDUs, 0 errors`);
  // More senders than are tracked at once: the counts shown are flagged as lower bounds.
  t.match(text.stdout, new RegExp(`sender \\(130,001\\)\\s+PDUs\\n${busy}\\s+≥ \\d+\\n`), 'the busy sender first');
  t.match(text.stdout, `… and ${(n + 1 - 20).toLocaleString('en-US')} more`);
  const rows = text.stdout.split('\n').filter((l) => /^02:[0-9a-f:]{14}/.test(l));
  t.equal(rows.length, 20, 'twenty sender rows');
  const json = runLsoe(['decode', '--hex', '--summary', '--json', file], { timeoutMs: 60_000 });
  const s = jsonLines(json.stdout)[0]!.summary;
  t.equal(s.senders, n + 1);
  t.equal(Object.keys(s.bySender).length, 20);
  t.equal(s.sendersNotListed, n + 1 - 20);
  t.equal(s.senderCountsAreLowerBounds, true);
  const shown = Object.entries(s.bySender as Record<string, number>);
  t.equal(shown[0]![0], busy, 'the busy sender first in JSON too');
  t.ok(shown[0]![1] >= busyPdus / 2, `${shown[0]![1]} of its ${busyPdus} PDUs counted`);
  for (const [sender, pdus] of shown) if (pdus > truth(sender)) t.fail(`${sender}: ${pdus} shown, more than its ${truth(sender)}`);
});
