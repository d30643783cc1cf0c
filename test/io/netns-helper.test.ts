// The namespace helper other tests stand on: unique, short names; veth ends
// only inside the namespaces; everything gone after teardown.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { execCommand, createNetns, createVethPair, rootOrSkip, spawnInNetns, uniqueName } from '../helpers/netns.js';

t.test('names are unique and fit the 15-character interface limit', async (t) => {
  const names = Array.from({ length: 50 }, () => uniqueName('veth-with-a-long-tag'));
  t.equal(new Set(names).size, 50);
  t.ok(names.every((n) => n.length <= 15 && /^[a-zA-Z0-9]+$/.test(n)), names[0]);
  t.ok(uniqueName('ns', 40).startsWith('ns'), 'the tag is kept when there is room');
});

t.test('a namespace pair with a veth between them, cleaned up by teardown', async (t) => {
  if (!rootOrSkip(t)) return;
  let names: string[] = [];
  let hostLinks = '';
  await t.test('inner', async (t) => {
    const a = await createNetns(t, 'ha');
    const b = await createNetns(t, 'hb');
    names = [a.name, b.name];
    const [ea, eb] = await createVethPair(t, a, b);
    hostLinks = (await execCommand('ip', ['-o', 'link'])).stdout;
    t.notMatch(hostLinks, ea.ifname, 'no veth end in the host namespace');
    t.match((await a.exec('ip', ['-o', 'link'])).stdout, ea.ifname);
    t.match((await b.exec('ip', ['-j', 'link', 'show', eb.ifname])).stdout, /"LOWER_UP"/, 'both ends up');
    t.match(ea.mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    const sleeper = spawnInNetns(t, a, 'sleep', ['600']);
    t.equal(sleeper.child.exitCode, null);
  });
  const left = (await execCommand('ip', ['netns', 'list'])).stdout;
  for (const n of names) t.notMatch(left, n, `${n} deleted`);
});

t.test('stop(): SIGTERM first, SIGKILL after the grace time; a namespace is deleted with what still runs in it', async (t) => {
  if (!rootOrSkip(t)) return;
  let orphan = 0;
  await t.test('inner', async (t) => {
    const ns = await createNetns(t, 'st');
    const polite = spawnInNetns(t, ns, 'sh', ['-c', 'trap "exit 7" TERM; echo up; while :; do sleep 0.05; done']);
    const stubborn = spawnInNetns(t, ns, 'sh', ['-c', 'trap "" TERM; echo up; while :; do sleep 0.05; done']);
    await polite.waitFor('up');
    await stubborn.waitFor('up');
    t.same(await polite.stop(5000), { code: 7, signal: null }, 'SIGTERM was enough');
    t.same(await stubborn.stop(200), { code: null, signal: 'SIGKILL' }, 'SIGTERM ignored: killed');
    // A child whose parent has exited stays in the namespace.
    const parent = spawnInNetns(t, ns, 'sh', ['-c', 'sleep 600 >/dev/null 2>&1 & echo $!']);
    await parent.exited;
    orphan = Number(parent.stdout.trim());
    t.ok(orphan > 0);
  });
  // Killed: gone, or a zombie until whoever inherited it reaps it.
  let state = 'gone';
  try {
    state = readFileSync(`/proc/${orphan}/stat`, 'utf8').replace(/^.*\) /s, '')[0]!;
  } catch {
    // reaped
  }
  t.match(state, /^(gone|Z)$/, 'the orphan was killed with its namespace');
});
