// pipe-size.ts: decode's output pipe made 1 MiB through the addon's pipeSize
// (fcntl F_SETPIPE_SZ), and every way it can be refused answered with a
// negative errno, never an exception: decode ignores the answer and writes on.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAddon } from '../../src/io/native-addon.js';
import { PIPE_SIZE, widenPipe, writeNowait } from '../../src/render/pipe-size.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'lsoe-pipe-size-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
const built = typeof nativeAddon<{ pipeSize?: unknown }>()?.pipeSize === 'function';

function fifo(): number {
  const file = path.join(tmp, `fifo-${Math.random().toString(36).slice(2)}`);
  spawnSync('mkfifo', [file]);
  return openSync(file, 'r+');
}

t.test('a pipe is made 1 MiB', { skip: !built && 'the addon is not built' }, async (t) => {
  const fd = fifo();
  t.equal(widenPipe(fd, 0), 64 * 1024, "Linux's default");
  t.equal(widenPipe(fd), PIPE_SIZE);
  t.equal(widenPipe(fd, 0), PIPE_SIZE, 'and stays so');
  closeSync(fd);
});

t.test('not a pipe: EBADF, nothing thrown', { skip: !built && 'the addon is not built' }, async (t) => {
  const fd = openSync(path.join(tmp, 'file'), 'w');
  t.equal(widenPipe(fd), -9);
  closeSync(fd);
});

const setpriv = spawnSync('setpriv', ['--version']).status === 0;

t.test('above pipe-max-size without CAP_SYS_RESOURCE: EPERM, the pipe as it was', { skip: (!built && 'the addon is not built') || (!setpriv && 'no setpriv') }, async (t) => {
  const max = Number(readFileSync('/proc/sys/fs/pipe-max-size', 'utf8'));
  const module = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/render/pipe-size.js');
  const script = `import { widenPipe } from ${JSON.stringify(module)};
import { openSync } from 'node:fs';
const fd = openSync(process.argv[1], 'r+');
console.log(widenPipe(fd, ${2 * max}), widenPipe(fd, 0));`;
  const file = path.join(tmp, 'fifo-eperm');
  spawnSync('mkfifo', [file]);
  // The capability gone from the bounding set: even root is then held to pipe-max-size.
  const r = spawnSync('setpriv', ['--bounding-set', '-sys_resource', '--inh-caps', '-sys_resource', process.execPath, '--input-type=module', '-e', script, file], { encoding: 'utf8' });
  t.equal(r.stderr, '');
  t.equal(r.stdout, `-1 ${64 * 1024}\n`, 'EPERM, still 64 KiB');
});

t.test('a write that does not wait, into a pipe as a shell makes it: what fits, then EAGAIN', { skip: !built && 'the addon is not built' }, async (t) => {
  const module = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/render/pipe-size.js');
  const done = path.join(tmp, 'nowait-done');
  const script = `import { writeNowait } from ${JSON.stringify(module)};
import { writeFileSync } from "node:fs";
const a = writeNowait(1, Buffer.alloc(100000, 1));
const b = writeNowait(1, Buffer.alloc(10, 2));
process.stderr.write(a + " " + b);
writeFileSync(${JSON.stringify(done)}, "");`;
  // The reader reads only once both writes are made: the pipe (64 KiB) stays as full as they leave it.
  const reader = `while [ ! -e "${done}" ]; do sleep 0.02; done; wc -c`;
  const r = spawnSync('bash', ['-c', `"$0" --input-type=module -e "$1" | { ${reader}; }`, process.execPath, script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const [a, b] = r.stderr.trim().split(' ').map(Number);
  if (a === -95) {
    // This kernel cannot write a pipe with RWF_NOWAIT (EOPNOTSUPP; decode then writes in the
    // background): each write refused the same way, and nothing reached the pipe.
    t.equal(b, -95, 'the second write refused alike');
    t.equal(r.stdout.trim(), '0', 'nothing written');
    return;
  }
  t.equal(a, 64 * 1024, 'a 64 KiB pipe takes 64 KiB of 100,000 octets, at once');
  t.equal(b, -11, 'full: EAGAIN, nothing written');
  t.equal(r.stdout.trim(), String(64 * 1024), 'the reader got those octets and no more');
});

t.test('a write that does not wait, on what cannot take one: a negative errno, nothing thrown', { skip: !built && 'the addon is not built' }, async (t) => {
  const file = path.join(tmp, 'fifo-ro');
  spawnSync('mkfifo', [file]);
  const w = openSync(file, 'r+');
  const ro = openSync(file, 'r');
  t.equal(writeNowait(ro, Buffer.alloc(1)), -9, 'not open for writing: EBADF');
  const answer = writeNowait(w, Buffer.alloc(1));
  t.ok(answer === 1 || answer === -95, `a named FIFO: written, or EOPNOTSUPP where the kernel cannot (${answer})`);
  closeSync(ro);
  closeSync(w);
});
