// pipe-size.ts: decode's output pipe made 1 MiB through the addon's pipeSize
// (fcntl F_SETPIPE_SZ), and every way it can be refused answered with a
// negative errno, never an exception: decode ignores the answer and writes on.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAddon } from '../../src/io/native-addon.js';
import { PIPE_SIZE, pipeRoom, widenPipe } from '../../src/render/pipe-size.js';

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

t.test("a pipe's room: its size less what is queued in it", { skip: !built && 'the addon is not built' }, async (t) => {
  const fd = fifo();
  t.equal(pipeRoom(fd), 64 * 1024, 'empty');
  writeSync(fd, Buffer.alloc(1000));
  t.equal(pipeRoom(fd), 64 * 1024 - 1000);
  widenPipe(fd);
  t.equal(pipeRoom(fd), PIPE_SIZE - 1000, 'widened');
  closeSync(fd);
  const file = openSync(path.join(tmp, 'file-room'), 'w');
  t.equal(pipeRoom(file), -9, 'not a pipe: EBADF, nothing thrown');
  closeSync(file);
});
