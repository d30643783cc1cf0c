// A throwaway system group and users for socket permission tests, removed at teardown
// (also when the test fails). Names carry the pid and a random suffix so parallel runs
// never collide.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface TempAccounts {
  group: string;
  member: string;
  outsider: string;
}

export function createTempAccounts(t: { teardown(fn: () => unknown): void }): TempAccounts {
  const tag = `${process.pid}${randomBytes(2).toString('hex')}`;
  const acc = { group: `lsoeg${tag}`, member: `lsoem${tag}`, outsider: `lsoeo${tag}` };
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => {
    for (const u of [acc.member, acc.outsider]) {
      try {
        run('userdel', [u]);
      } catch {
        /* never created */
      }
    }
    try {
      run('groupdel', [acc.group]);
    } catch {
      /* never created */
    }
  });
  run('groupadd', ['--system', acc.group]);
  run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '--groups', acc.group, acc.member]);
  run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', acc.outsider]);
  return acc;
}
