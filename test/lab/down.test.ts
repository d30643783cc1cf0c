// `labDown` on state directories alone (no namespaces of these names exist), and the
// lines `lab down` prints from its result.
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { downFailure, downSummary, labDown, type DownResult } from '../../src/lab/down.js';
import { uniqueLabName } from './lab-helpers.js';

t.test('the state root goes with the last lab, and stays while another lab has files', async (t) => {
  const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'lsoe-lab-down-')), 'lsoe-lab');
  t.teardown(() => rmSync(path.dirname(root), { recursive: true, force: true }));
  const [a, b] = [uniqueLabName('da'), uniqueLabName('db')];
  for (const lab of [a, b]) {
    mkdirSync(path.join(root, lab), { recursive: true });
    writeFileSync(path.join(root, lab, 'collector.log'), 'x\n');
  }
  const first = await labDown(a, root);
  t.match(first, { name: a, daemons: 0, children: 0, collector: false, namespaces: 0, removedDir: true, namespacesLeft: [], processesLeft: [] });
  t.notOk(existsSync(path.join(root, a)));
  t.ok(existsSync(path.join(root, b)), 'the other lab keeps its files');
  t.ok(existsSync(root), 'and the root stays');
  await labDown(b, root);
  t.notOk(existsSync(root), 'the empty root is removed with the last lab');
  const nothing = await labDown(b, root);
  t.equal(downSummary(nothing), `lab ${b}: nothing to stop`);
  t.equal(downFailure(nothing), null);
});

t.test('what `lab down` says', async (t) => {
  const base: DownResult = {
    name: 'x', daemons: 12, children: 12, collector: true, gobgpd: false, namespaces: 12, removedDir: true, namespacesLeft: [], processesLeft: [],
  };
  t.equal(downSummary(base), 'lab x: stopped 12 daemons and the collector, removed 12 namespaces and its files');
  t.equal(downSummary({ ...base, daemons: 1, collector: false, namespaces: 1 }), 'lab x: stopped 1 daemon, removed 1 namespace and its files');
  t.equal(downSummary({ ...base, gobgpd: true, namespaces: 13 }), 'lab x: stopped 12 daemons, the collector and gobgpd, removed 13 namespaces and its files');
  t.equal(downFailure(base), null);
  t.equal(
    downFailure({ ...base, namespaces: 10, namespacesLeft: ['lsoe-x-leaf0', 'lsoe-x-leaf1'], processesLeft: [4242] }),
    'lab x: namespaces not removed: lsoe-x-leaf0, lsoe-x-leaf1; processes still running: 4242',
  );
});
