// `lsoe daemon` whose control socket cannot start exits 1 at once with one line that
// names the path and the problem (it used to log it and run on without a socket).
import { existsSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { createNetns, rootOrSkip, spawnLsoe } from '../helpers/netns.js';
import { startDaemon, tempDir, waitReady } from '../daemon/e2e-helpers.js';

/** Waits for the process to exit (a 15 s guard: a daemon that runs on fails the test). */
async function exitOf(p: ReturnType<typeof spawnLsoe>): Promise<{ code: number | null }> {
  const guard = new Promise<{ code: null }>((resolve) =>
    setTimeout(() => {
      p.kill('SIGTERM');
      resolve({ code: null });
    }, 15000).unref(),
  );
  return Promise.race([p.exited, guard]);
}

t.test('an unknown --socket-group: exit 1, one line naming the path and the group', async (t) => {
  if (!rootOrSkip(t)) return;
  const ns = await createNetns(t, 'sg');
  const dir = tempDir(t);
  const socket = path.join(dir, 'ctl.sock');
  const group = `nogroup${process.pid}`;
  const p = spawnLsoe(t, ns, ['daemon', '--log-format', 'json', '--socket', socket, '--socket-group', group]);
  const { code } = await exitOf(p);
  t.equal(code, 1, 'exit 1');
  const last = p.stderr.trimEnd().split('\n').pop();
  t.equal(
    last,
    `lsoe: daemon: cannot start the control socket ${socket}: unknown group '${group}' for the control socket (--no-socket runs without one)`,
  );
  t.notOk(/\n\s+at /.test(p.stderr), 'no stack trace');
  t.notOk(existsSync(socket), 'no socket left behind');
  t.notOk(p.stderr.includes('session'), 'nothing was started on the wire');
});

t.test('a socket path a running daemon listens on: exit 1, and the running one is untouched', async (t) => {
  if (!rootOrSkip(t)) return;
  const ns = await createNetns(t, 'sp');
  const dir = tempDir(t);
  const first = startDaemon(t, ns, dir, 'first', []);
  await waitReady(first);
  const p = spawnLsoe(t, ns, ['daemon', '--log-format', 'json', '--socket', first.socket]);
  const { code } = await exitOf(p);
  t.equal(code, 1, 'exit 1');
  t.equal(
    p.stderr.trimEnd().split('\n').pop(),
    `lsoe: daemon: cannot start the control socket ${first.socket}: another daemon is already listening on ${first.socket} (--no-socket runs without one)`,
  );
  t.same(await first.sessions(), [], 'the first daemon still answers on its socket');
  t.equal(first.proc.child.exitCode, null, 'and still runs');
});

t.test('--no-socket runs without one', async (t) => {
  if (!rootOrSkip(t)) return;
  const ns = await createNetns(t, 'sn');
  const p = spawnLsoe(t, ns, ['daemon', '--log-format', 'json', '--no-socket']);
  await p.waitFor(/ starting"/, 'stderr');
  // a daemon with a socket problem would have exited by the time it logs its start
  await new Promise((r) => setTimeout(r, 500));
  t.equal(p.child.exitCode, null, 'running');
  p.kill('SIGTERM');
  t.equal((await p.exited).code, 0, 'and exits 0 on SIGTERM');
});
