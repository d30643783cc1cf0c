// A socket path unique to this test process, in a directory removed at teardown.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tempSocketPath(t: { teardown(fn: () => void): void }, name = 'lsoe.sock'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `lsoe-ctl-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, name);
}
