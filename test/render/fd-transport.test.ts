// fd-transport.ts's background writes (decode into a pipe), on a real FIFO:
// several batches in flight keep their order, a reader that stalls holds the
// producer at the bound instead of letting output pile up, every batch buffer
// goes back to the writer, and a write error comes back as one CliError.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CliError } from '../../src/cli-error.js';
import { ByteWriter } from '../../src/render/byte-writer.js';
import { FdTransport } from '../../src/render/fd-transport.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'lsoe-fd-transport-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

function fifo(name: string): string {
  const file = path.join(tmp, name);
  const r = spawnSync('mkfifo', [file]);
  if (r.status !== 0) throw new Error(`mkfifo: ${r.stderr}`);
  return file;
}

/** Exactly `n` octets from the read end `fd` (blocking reads until all are in). */
function readExactly(fd: number, n: number): Buffer {
  const got = Buffer.alloc(n);
  for (let have = 0; have < n; ) have += readSync(fd, got, have, n - have, null);
  return got;
}

const BATCH = 4096;
const HIGH = 4 * BATCH;

t.test('batches written in the background: in order, bounded while the reader stalls, buffers reused', async (t) => {
  const file = fifo('ordered');
  // O_RDWR: opening does not wait for a reader; the writes block once the pipe is full.
  const fd = openSync(file, 'r+');
  // The reader starts late: the pipe (64 KiB) fills and the producer must wait at the bound.
  const reader = spawn('sh', ['-c', `sleep 0.7; exec cat "${file}"`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const got: Buffer[] = [];
  reader.stdout.on('data', (c: Buffer) => got.push(c));
  const readerDone = new Promise((resolve) => reader.on('close', resolve));

  let handed = 0;
  let released = 0;
  let outstanding = 0;
  let peak = 0;
  const buffers = new Set<ArrayBufferLike>();
  const transport = new FdTransport(fd, {
    background: {
      batch: BATCH,
      high: HIGH,
      low: HIGH / 2,
      release: (chunk) => {
        released++;
        outstanding -= chunk.length;
        bytes.release(chunk);
      },
    },
  });
  const bytes = new ByteWriter(
    (chunk) => {
      handed++;
      outstanding += chunk.length;
      peak = Math.max(peak, outstanding);
      buffers.add(chunk.buffer);
      transport.write(chunk);
    },
    { batch: BATCH },
  );
  let waits = 0;
  let want = '';
  const lines = 30_000;
  for (let i = 0; i < lines; i++) {
    const line = `${i} ${'x'.repeat(i % 37)}\n`;
    want += line;
    bytes.text(line);
    if (i % 50 !== 49) continue;
    // As decode does after each batch of input: wait at the bound, else let the writes go on.
    if (transport.blocked) {
      waits++;
      await transport.drained();
    } else if (transport.busy) await new Promise((resolve) => setImmediate(resolve));
  }
  bytes.flush();
  await transport.settled();
  closeSync(fd);
  await readerDone;

  const out = Buffer.concat(got).toString();
  t.equal(out.length, want.length, 'every octet');
  t.ok(out === want, 'in order');
  t.ok(waits > 0, `the producer waited for the reader (${waits} times)`);
  // At the bound plus what one producer step (50 lines) and the batch being filled add.
  t.ok(peak <= HIGH + 2 * BATCH, `at most ${peak} octets handed over and not written (bound ${HIGH})`);
  t.ok(handed > 2 * (HIGH / BATCH), `${handed} batches, several in flight at once`);
  t.ok(released >= handed - 1, `${released} of ${handed} batches given back (a short last flush may be kept)`);
  t.ok(buffers.size <= HIGH / BATCH + 4, `${buffers.size} batch buffers in all, reused`);
});

t.test('a write that fails in the background: one CliError naming stdout, from drained() and the next write', async (t) => {
  const file = fifo('readonly');
  // A read-only descriptor: write(2) fails with EBADF.
  const fd = openSync(file, 'r+');
  const ro = openSync(file, 'r');
  const transport = new FdTransport(ro, { background: { batch: BATCH, high: BATCH, low: 0, release: () => undefined } });
  transport.write(Buffer.alloc(BATCH, 0x61));
  transport.write(Buffer.alloc(BATCH, 0x62));
  t.equal(transport.blocked, true, 'past the bound');
  await t.rejects(transport.drained(), new CliError('stdout: bad file descriptor', 1));
  t.throws(() => transport.write(Buffer.alloc(BATCH)), { message: 'stdout: bad file descriptor', exitCode: 1 });
  await t.rejects(transport.settled(), { message: 'stdout: bad file descriptor' });
  closeSync(ro);
  closeSync(fd);
});

t.test('with a write that does not wait: a chunk the pipe takes goes at once, the rest behind it in the background, in order', async (t) => {
  const file = fifo('nowait');
  const fd = openSync(file, 'r+');
  const rd = openSync(file, 'r');
  // What the pipe takes now, as the addon's writeNowait answers (a named FIFO cannot be
  // written with RWF_NOWAIT, an anonymous pipe can: test/render/pipe-size.test.ts).
  let takes = Infinity;
  const answers: number[] = [];
  let released = 0;
  const transport = new FdTransport(fd, {
    background: {
      batch: BATCH,
      release: () => released++,
      nowait: (chunk) => {
        const n = Math.min(takes, chunk.length);
        const answer = n === 0 ? -11 : writeSync(fd, chunk, 0, n);
        answers.push(answer);
        return answer;
      },
    },
  });
  transport.write(Buffer.alloc(BATCH, 0x61));
  t.equal(transport.busy, false, 'taken whole: nothing in the background');
  t.equal(released, 1, 'the buffer came back at once');
  takes = 1000;
  transport.write(Buffer.alloc(BATCH, 0x62));
  t.equal(transport.busy, true, 'taken in part: the rest is queued');
  takes = Infinity;
  transport.write(Buffer.alloc(BATCH, 0x63));
  t.equal(answers.length, 2, 'not written at once while something is queued');
  await transport.settled();
  takes = 0;
  transport.write(Buffer.alloc(BATCH, 0x64));
  t.same(answers.slice(2), [-11], 'full (EAGAIN): queued whole');
  await transport.settled();
  takes = Infinity;
  transport.write(Buffer.alloc(BATCH, 0x65));
  t.equal(answers.length, 4, 'after EAGAIN the next chunk is tried again');
  const want = Buffer.concat([0x61, 0x62, 0x63, 0x64, 0x65].map((c) => Buffer.alloc(BATCH, c)));
  t.ok(readExactly(rd, want.length).equals(want), 'every octet, in order');
  t.equal(released, 5, 'every chunk given back once written');
  closeSync(rd);
  closeSync(fd);
});

t.test('a write that does not wait and fails otherwise than EAGAIN is not tried again', async (t) => {
  const file = fifo('nowait-off');
  const fd = openSync(file, 'r+');
  const rd = openSync(file, 'r');
  let calls = 0;
  const transport = new FdTransport(fd, { background: { batch: BATCH, release: () => undefined, nowait: () => (calls++, -95) } });
  transport.write(Buffer.alloc(BATCH, 0x61));
  await transport.settled();
  transport.write(Buffer.alloc(BATCH, 0x62));
  await transport.settled();
  t.equal(calls, 1, 'EOPNOTSUPP once, then the background way only');
  t.ok(readExactly(rd, 2 * BATCH).equals(Buffer.concat([Buffer.alloc(BATCH, 0x61), Buffer.alloc(BATCH, 0x62)])), 'written all the same');
  closeSync(rd);
  closeSync(fd);
});
