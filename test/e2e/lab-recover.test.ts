// `lsoe lab up` after a crash cleans the leftovers first, and labs with
// different names run side by side.
import t from 'tap';
import { existsSync } from 'node:fs';
import { labDown, labNamespacePids } from '../../src/lab/down.js';
import { stateDirOf } from '../../src/lab/plan.js';
import { isAlive, readPid } from '../../src/lab/processes.js';
import { readPlan } from '../../src/lab/state.js';
import type { EndStatus } from '../../src/lab/status.js';
import { rootOrSkip } from '../helpers/netns.js';
import { freePort, labNamespaces, lsoe, parseJsonLines, processesMentioning, uniqueLabName } from '../lab/lab-helpers.js';

const openEnds = async (name: string): Promise<number> =>
  parseJsonLines<EndStatus>((await lsoe(['lab', 'status', '--name', name, '--json'])).stdout).filter((e) => e.state === 'open').length;

t.test('up after a crash, and two labs at once', async (t) => {
  if (!rootOrSkip(t)) return;
  const a = uniqueLabName('ra');
  const b = uniqueLabName('rb');
  t.teardown(() => labDown(a));
  t.teardown(() => labDown(b));
  const [portA, portB] = [await freePort(), await freePort()];

  const upA = await lsoe(['lab', 'up', '--spines', '1', '--leaves', '2', '--name', a, '--port', String(portA), '--wait']);
  t.equal(upA.code, 0, upA.stderr);
  // A second `up` of a running lab is refused, not a silent restart.
  const twice = await lsoe(['lab', 'up', '--spines', '1', '--leaves', '2', '--name', a, '--port', String(portA)]);
  t.equal(twice.code, 1);
  t.match(twice.stderr, /is already up/);

  // Crash: every process of lab a killed outright, namespaces and files left behind.
  const plan = readPlan(stateDirOf(a))!;
  for (const file of [plan.collector.pidFile, ...plan.nodes.map((n) => n.pidFile)]) {
    const pid = readPid(file);
    if (pid !== null) process.kill(pid, 'SIGKILL');
  }
  t.equal((await labNamespaces(a)).length, 3, 'namespaces left by the crash');

  const reup = await lsoe(['lab', 'up', '--spines', '1', '--leaves', '2', '--name', a, '--port', String(portA), '--wait']);
  t.equal(reup.code, 0, reup.stderr);
  t.match(reup.stderr, /removing leftovers/);
  t.equal(await openEnds(a), 4);

  // A second lab beside it, with the same node names.
  const upB = await lsoe(['lab', 'up', '--spines', '1', '--leaves', '1', '--name', b, '--port', String(portB), '--wait']);
  t.equal(upB.code, 0, upB.stderr);
  t.equal(await openEnds(b), 2);
  t.equal(await openEnds(a), 4, 'lab a unaffected');

  const insideA = [...(await labNamespacePids(a)).values()].flat();
  t.ok(insideA.length > 3, 'the daemons of lab a and their children');
  t.equal((await lsoe(['lab', 'down', '--name', a])).code, 0);
  t.same(await labNamespaces(a), []);
  t.same(processesMentioning(stateDirOf(a)), []);
  t.same(insideA.filter(isAlive), [], 'nothing that ran inside lab a is left');
  t.equal(await openEnds(b), 2, 'lab b still up after lab a is down');
  t.equal((await lsoe(['lab', 'down', '--name', b])).code, 0);
  t.same(await labNamespaces(b), []);
  t.notOk(existsSync(stateDirOf(b)));
  const nothing = await lsoe(['lab', 'down', '--name', b]);
  t.equal(nothing.code, 0);
  t.match(nothing.stdout, /nothing to stop/);
});
