// `lsoe sessions` against real daemons in network namespaces.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { connectControl } from '../../src/ctl/client.js';
import { jsonLines } from '../helpers/run-cli.js';
import { rootOrSkip, runLsoeIn, spawnLsoe, LSOE_BIN_PATH, uniqueName } from '../helpers/netns.js';
import { eventually } from '../daemon/e2e-helpers.js';
import { RawLineClient } from '../ctl/raw-client.js';
import { createTempAccounts } from '../ctl/temp-account.js';
import { ID_A, ID_B, makePair } from './lsoe-pair.js';

t.test('sessions: JSON and table match both ends; --watch --json follows up and down', async (t) => {
  if (!rootOrSkip(t)) return;
  const p = await makePair(t);
  const da = await p.startA();
  const watch = spawnLsoe(t, p.nsA, ['sessions', '--watch', '--json', '--socket', da.socket]);
  await da.waitLog((l) => /subscribed to events/.test(l.msg));

  await p.startB();
  await watch.waitFor((out) => jsonLines(out).some((e) => e.event === 'session-up'));
  const heardAt = Date.now();
  const up = jsonLines(watch.stdout).find((e) => e.event === 'session-up')!;
  t.match(up, { event: 'session-up', ifname: p.a.ifname, peerMac: p.b.mac, peerId: ID_B });
  const lag = heardAt - Date.parse(up.time as string);
  // The figure is the (within a second); the bound is generous for a loaded machine
  // (5.5 s was seen at load 13 with the whole suite running beside other work), yet below
  // what a view that re-queried every ten seconds or so would need to be sure of it.
  t.comment(`session-up reached the watcher ${lag} ms after the daemon stamped it`);
  t.ok(lag < 10_000, `session-up reached the watcher ${lag} ms after the daemon stamped it (bound 10 s)`);

  const ja = await runLsoeIn(p.nsA, ['sessions', '--json', '--socket', da.socket]);
  t.equal(ja.code, 0, ja.stderr);
  const [sa, ...moreA] = jsonLines(ja.stdout);
  t.same(moreA, [], 'one session on A');
  t.match(sa, { ifname: p.a.ifname, peerMac: p.b.mac, peerId: ID_B, state: 'open', counters: { retransmits: Number, errors: Number } });
  t.same(Object.keys(sa!).sort(), ['counters', 'ifname', 'lastHeard', 'peerId', 'peerMac', 'since', 'state', 'until']);
  t.equal(sa!.until, null, 'until is null unless held down');
  t.equal(new Date(sa!.since).toISOString(), sa!.since, 'since is ISO 8601');
  t.ok(sa!.counters.txPdus > 0 && sa!.counters.rxPdus > 0, 'PDUs went both ways');

  const jb = await runLsoeIn(p.nsB, ['sessions', '--json', '--socket', `${p.dir}/b.sock`]);
  t.match(jsonLines(jb.stdout), [{ ifname: p.b.ifname, peerMac: p.a.mac, peerId: ID_A, state: 'open' }], 'B sees A the same way');

  const table = await runLsoeIn(p.nsA, ['sessions', '--socket', da.socket]);
  t.equal(table.code, 0);
  const row = table.stdout.split('\n').find((l) => l.includes(p.b.mac)) ?? '';
  t.match(row, new RegExp(`${p.a.ifname} .*${p.b.mac} .*${ID_B.match(/../g)!.join(":")} .*open .*\\d+s .*ago .*\\d+/\\d+ `));
  const summary = await runLsoeIn(p.nsA, ['sessions', '--summary', '--socket', da.socket]);
  t.match(summary.stdout, /^1 session: 1 open, 0 opening\n/);
  const filtered = await runLsoeIn(p.nsA, ['sessions', '--json', '--peer', '02:00:00:00:00:99', '--socket', da.socket]);
  t.same({ code: filtered.code, stdout: filtered.stdout }, { code: 0, stdout: '' });

  // Link down closes the session at once; the watcher hears it.
  await p.nsA.ip(['link', 'set', p.a.ifname, 'down']);
  await watch.waitFor((out) => jsonLines(out).some((e) => e.event === 'session-down'));
  t.match(
    jsonLines(watch.stdout).find((e) => e.event === 'session-down'),
    { ifname: p.a.ifname, peerMac: p.b.mac },
  );
  const after = await runLsoeIn(p.nsA, ['sessions', '--json', '--socket', da.socket]);
  t.same({ code: after.code, stdout: after.stdout }, { code: 0, stdout: '' }, 'no sessions: no lines');
});

t.test('the ink view in tmux shows the session, follows events and quits on q', async (t) => {
  if (!rootOrSkip(t)) return;
  const p = await makePair(t);
  const da = await p.startA();
  await p.startB();
  // Generous waits throughout: under a full parallel test run, starting node and ink in
  // tmux can take seconds. Nothing here depends on how fast anything happens.
  const SLOW = 20000;
  await eventually(async () => (await da.sessions()).some((s) => s.state === 'open'), SLOW, 'the session to open');

  const server = uniqueName('lsoetmux', 30);
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', server, ...args], { encoding: 'utf8' });
  t.teardown(() => void tmux('kill-server'));
  const cmd = `ip netns exec ${p.nsA.name} ${process.execPath} ${LSOE_BIN_PATH} sessions --watch --socket ${da.socket}; echo "exit status $?"; sleep 600`;
  const started = tmux('new-session', '-d', '-x', '160', '-y', '30', '-s', 'w', cmd);
  t.equal(started.status, 0, started.stderr);
  const pane = () => tmux('capture-pane', '-p', '-t', 'w').stdout ?? '';

  // First the view's first render (its header and key hint: input is live from then on),
  // then its first answer from the daemon.
  await eventually(() => /lsoe sessions:/.test(pane()) && /q quits/.test(pane()), SLOW, 'the view to render');
  await eventually(
    () => pane().includes(p.b.mac) && /lsoe sessions: 1 \(1 open/.test(pane()),
    SLOW,
    'the view to show the session',
  );
  const shown = pane();
  t.comment(shown.trimEnd());
  t.match(shown, /lsoe sessions: 1 \(1 open, 0 opening\)/);
  t.match(shown, new RegExp(`${p.a.ifname} +${p.b.mac} +${ID_B.match(/../g)!.join(':')} +open`));

  // KEEPALIVEs are no event, yet the live view shows what a fresh query shows: the PDU
  // counts grow and "last heard" stays recent (it went stale before, a healthy peer
  // looking as if it were dying).
  const pdus = () => /(\d+)\/(\d+)/.exec(pane().split('\n').find((l) => l.includes(p.b.mac)) ?? '')?.[0] ?? '';
  const first = pdus();
  t.not(first, '', 'the row shows PDUs tx/rx');
  await eventually(() => pdus() !== first && pdus() !== '', SLOW, 'the PDU counts to change without any event');
  await new Promise((r) => setTimeout(r, 4000));
  const heard = /(\d+)s ago/.exec(pane().split('\n').find((l) => l.includes(p.b.mac)) ?? '');
  t.ok(heard !== null && Number(heard[1]) <= 3, `last heard stays fresh after 4 s of no events (${heard?.[0]})`);

  // An event (link down) redraws the view without anything typed.
  await p.nsA.ip(['link', 'set', p.a.ifname, 'down']);
  // The event line shows at once; the table follows when the re-read answers.
  await eventually(() => /session-down/.test(pane()) && /lsoe sessions: 0 /.test(pane()), SLOW, 'the view to show session-down');
  t.match(pane(), /no sessions/);

  tmux('send-keys', '-t', 'w', 'q');
  await eventually(() => /exit status \d+/.test(pane()), SLOW, 'the view to quit');
  t.match(pane(), /exit status 0/);
});

t.test('bad requests and vanished clients leave the daemon serving', async (t) => {
  if (!rootOrSkip(t)) return;
  const p = await makePair(t);
  const da = await p.startA();
  await p.startB();
  await eventually(async () => (await da.sessions()).length === 1, 15000, 'a session');

  const junk = await RawLineClient.connect(da.socket);
  junk.send('{"id":1,"method":\n');
  t.match(await junk.next(), { id: null, error: { code: 'parse-error' } });
  junk.send('{"id":2,"method":"reboot"}\n');
  t.match(await junk.next(), { id: 2, error: { code: 'unknown-method' } });
  junk.send('x'.repeat(200 * 1024) + '\n');
  t.match(await junk.next(), { error: { code: 'request-too-long' } });
  junk.send('\u0000\u00ff garbage\n');
  t.match(await junk.next(), { error: { code: 'parse-error' } });
  t.match(await junk.request('version', 3), { id: 3, result: { version: String } });
  junk.close();

  // Subscribers that vanish, half-way through a request or without reading anything.
  for (let i = 0; i < 10; i++) {
    const c = await RawLineClient.connect(da.socket);
    c.send('{"id":1,"method":"subscribe"}\n{"id":2,"method":"sessions"}\n{"id":3,"meth');
    c.close();
  }
  const quiet = await connectControl(da.socket);
  await quiet.request('subscribe');
  quiet.close();
  // Events flow to those gone clients: the link goes down and up again.
  await p.nsA.ip(['link', 'set', p.a.ifname, 'down']);
  await p.nsA.ip(['link', 'set', p.a.ifname, 'up']);
  await eventually(async () => (await da.sessions()).some((s) => s.state === 'open'), 15000, 'the session to reopen');

  const r = await runLsoeIn(p.nsA, ['sessions', '--json', '--socket', da.socket]);
  t.equal(r.code, 0, r.stderr);
  t.match(jsonLines(r.stdout), [{ peerMac: p.b.mac, state: 'open' }]);
  t.equal(da.proc.child.exitCode, null, 'the daemon is still running');
});

t.test('a non-root member of the socket group can query; others are refused', async (t) => {
  if (!rootOrSkip(t)) return;
  const acc = createTempAccounts(t);
  const p = await makePair(t);
  const da = await p.startA(['--socket-group', acc.group]);
  await p.startB();
  await eventually(async () => (await da.sessions()).some((s) => s.state === 'open'), 15000, 'the session to open');

  const runAs = (user: string, args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('runuser', ['-u', user, '--', 'env', '-i', 'NO_COLOR=1', process.execPath, LSOE_BIN_PATH, ...args]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const member = await runAs(acc.member, ['sessions', '--json', '--socket', da.socket]);
  t.equal(member.code, 0, member.stderr);
  t.match(jsonLines(member.stdout), [{ ifname: p.a.ifname, peerMac: p.b.mac, peerId: ID_B, state: 'open' }]);
  const memberEncaps = await runAs(acc.member, ['encaps', '--json', '--socket', da.socket]);
  t.equal(memberEncaps.code, 0, memberEncaps.stderr);

  const outsider = await runAs(acc.outsider, ['sessions', '--socket', da.socket]);
  t.same(outsider, {
    code: 1,
    stdout: '',
    stderr: `lsoe: sessions: permission denied on ${da.socket} (run as root or as a member of the socket's group)\n`,
  });
});
