// Who may use the control socket: root, and members of the configured group; anyone else
// gets a one-line "permission denied" and exit 1.
import t from 'tap';
import { spawn } from 'node:child_process';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { startControlServer } from '../../src/ctl/server.js';
import { LSOE_BIN, jsonLines, type CliResult } from '../helpers/run-cli.js';
import { InMemoryDaemonCore, session } from './in-memory-core.js';
import { createTempAccounts } from './temp-account.js';
import { tempSocketPath } from './tmp-socket.js';

function runAs(user: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    // `env -i`: nothing of the test runner's environment (its NODE_OPTIONS hooks write
    // under the repository, which the unprivileged user may not) reaches the client.
    const child = spawn('runuser', ['-u', user, '--', 'env', '-i', 'NO_COLOR=1', process.execPath, LSOE_BIN, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

t.test('group members can query, others are refused clearly', async (t) => {
  const acc = createTempAccounts(t);
  const core = new InMemoryDaemonCore();
  core.sessionList = [session({ ifname: 'eth1', peerMac: '02:00:00:00:00:01' })];
  const sock = tempSocketPath(t);
  chmodSync(path.dirname(sock), 0o755); // like /run/lsoe: traversable, the socket guards access
  const server = await startControlServer(core, { path: sock, group: acc.group });
  t.teardown(() => server.close());

  const member = await runAs(acc.member, ['sessions', '--json', '--socket', sock]);
  t.equal(member.code, 0, member.stderr);
  t.same(jsonLines(member.stdout), core.sessionList);

  const outsider = await runAs(acc.outsider, ['sessions', '--json', '--socket', sock]);
  t.same(outsider, {
    code: 1,
    stdout: '',
    stderr: `lsoe: sessions: permission denied on ${sock} (run as root or as a member of the socket's group)\n`,
  });
  // An outsider's --local does not pretend there is no daemon.
  const local = await runAs(acc.outsider, ['encaps', '--local', '--socket', sock]);
  t.equal(local.code, 1);
  t.match(local.stderr, /permission denied/);
});
