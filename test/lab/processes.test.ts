import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive, isLabProcess, readPid, stopPids, writePid } from '../../src/lab/processes.js';

t.test('a process belongs to a lab only by an argument in its state directory', async (t) => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '/run/x-lab/ab/s.sock'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  const pid = child.pid!;
  t.ok(isLabProcess(pid, '/run/x-lab/ab'));
  t.notOk(isLabProcess(pid, '/run/x-lab/a'), 'lab a is not lab ab');
  t.notOk(isLabProcess(pid, '/run/x-lab/abc'));
  await stopPids([pid]);
  t.notOk(isAlive(pid), 'stopped');
  t.notOk(isLabProcess(pid, '/run/x-lab/ab'), 'a dead process belongs to nobody');
});

t.test('PID files', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lsoe-lab-pid-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writePid(path.join(dir, 'x.pid'), 4242);
  t.equal(readPid(path.join(dir, 'x.pid')), 4242);
  t.equal(readPid(path.join(dir, 'missing.pid')), null);
});
