// Starting a lab's daemons: a daemon that cannot start is named, with the last
// lines of its log, and the others are not all started after it (bounded, in order).
// The namespaces are never created here, so `ip netns exec` fails at once for each
// daemon, as a daemon that dies at start would.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startDaemons } from '../../src/lab/daemons.js';
import { makePlan } from '../../src/lab/plan.js';
import { clos } from '../../src/lab/topology.js';

t.test('a daemon that exits at start is named with its last log lines; the rest are not started', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lsoe-lab-start-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const plan = makePlan({ name: `st${process.pid}`, links: clos(2, 6), port: 1, stateRoot: root });
  mkdirSync(plan.stateDir, { recursive: true });
  await t.rejects(startDaemons(plan, { concurrency: 2, perDaemonMs: 20_000 }), {
    message: /^daemon of (spine0|spine1) exited: .*network namespace.* \(log: /,
  });
  const started = readdirSync(plan.stateDir).filter((f) => f.endsWith('.pid')).length;
  t.ok(started <= 2, `at most the first two were started (${started} of ${plan.nodes.length})`);
});
