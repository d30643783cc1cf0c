// fd-transport.ts's background writes (decode into a pipe), on a real FIFO:
// several batches in flight keep their order, a reader that stalls holds the
// producer at the bound instead of letting output pile up, every batch buffer
// goes back to the writer, and a write error comes back as one CliError.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CliError } from '../../src/cli-error.js';
import { ByteWriter } from '../../src/render/byte-writer.js';
import { FdTransport, ROOM_SLACK } from '../../src/render/fd-transport.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'lsoe-fd-transport-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

function fifo(name: string): string {
  const file = path.join(tmp, name);
  const r = spawnSync('mkfifo', [file]);
  if (r.status !== 0) throw new Error(`mkfifo: ${r.stderr}`);
  return file;
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

t.test('with room asked of the pipe: a chunk it takes whole is written at once, any other goes behind the queued ones', async (t) => {
  const file = fifo('room');
  const fd = openSync(file, 'r+');
  const rd = openSync(file, 'r');
  let room = 0;
  const asked: number[] = [];
  let released = 0;
  const transport = new FdTransport(fd, {
    background: {
      batch: BATCH,
      release: () => released++,
      room: () => {
        asked.push(room);
        return room;
      },
    },
  });
  // The pipe is empty (64 KiB free): the first chunk is written before write() returns.
  room = 64 * 1024;
  transport.write(Buffer.alloc(BATCH, 0x61));
  t.equal(transport.busy, false, 'nothing in the background');
  t.equal(released, 1, 'the buffer came back at once');
  // No room (a reader that stalls): background, and a later chunk with room waits behind it.
  room = BATCH + ROOM_SLACK - 1;
  transport.write(Buffer.alloc(BATCH, 0x62));
  t.equal(transport.busy, true, 'one less than the chunk and the slack: written in the background');
  room = 64 * 1024;
  transport.write(Buffer.alloc(BATCH, 0x63));
  t.equal(transport.busy, true, 'queued behind the one in the background, whatever the room');
  await transport.settled();
  t.equal(released, 3);
  const got = Buffer.alloc(3 * BATCH);
  let have = 0;
  while (have < got.length) have += readSync(rd, got, have, got.length - have, null);
  t.ok(got.equals(Buffer.concat([Buffer.alloc(BATCH, 0x61), Buffer.alloc(BATCH, 0x62), Buffer.alloc(BATCH, 0x63)])), 'in order');
  t.equal(asked.length, 2, 'the room is asked only when nothing is queued');
  // A small chunk before the first large one never asks (a short run does not load the addon).
  const quiet = new FdTransport(fd, { background: { batch: BATCH, release: () => undefined, room: () => t.fail('asked') as never } });
  quiet.write(Buffer.alloc(BATCH / 8, 0x64));
  t.equal(readSync(rd, Buffer.alloc(BATCH), 0, BATCH, null), BATCH / 8, 'written at once, no room asked');
  closeSync(rd);
  closeSync(fd);
});
