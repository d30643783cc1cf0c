// The operator's commands against two real daemons in namespaces: neighbors, counters,
// config, version, clear over the admin socket, and what the daemon warns about.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { connectControl, ControlError } from '../../src/ctl/client.js';
import { jsonLines } from '../helpers/run-cli.js';
import { assertSchema, schemaErrors } from '../helpers/schema.js';
import { createNetns, createVethPair, LSOE_BIN_PATH, rootOrSkip, runLsoeIn, spawnLsoe } from '../helpers/netns.js';
import { eventually } from '../daemon/e2e-helpers.js';
import { ID_A, ID_B, makePair } from './lsoe-pair.js';

const colon = (id: string) => id.match(/../g)!.join(':');

t.test('neighbors, counters, config, version and clear through the real binary', async (t) => {
  if (!rootOrSkip(t)) return;
  const p = await makePair(t, { addrB: ['10.9.0.2/31'] });
  const da = await p.startA(['-i', 'nosuch9']);
  await p.startB();
  await eventually(async () => (await da.sessions()).some((s) => s.state === 'open'), 20000, 'the session to open');
  await eventually(async () => (await da.learned()).length > 0, 20000, 'B\'s addresses to arrive');
  const sock = ['--socket', da.socket];

  t.ok(
    da.proc.stderr.includes("interface 'nosuch9' matches no interface"),
    'the daemon warned at start about an -i that matches nothing',
  );
  const summary = await runLsoeIn(p.nsA, ['sessions', '--summary', ...sock]);
  t.match(summary.stdout, /^warning: interface 'nosuch9' \(from -i or the configuration\) matches no interface\n1 session: 1 open/);
  const sumJson = jsonLines((await runLsoeIn(p.nsA, ['sessions', '--summary', '--json', ...sock])).stdout);
  t.same(sumJson[0]!.unmatchedInterfaces, ['nosuch9']);

  // neighbors: a table, details and JSON; the Local ID spelled as octets in text
  const table = await runLsoeIn(p.nsA, ['neighbors', ...sock], { env: { ...process.env, COLUMNS: '200' } });
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout, /^Interface +Peer MAC +Local ID +State +For +Flaps +Primary address +Last down\n/);
  t.match(table.stdout, new RegExp(`${p.a.ifname} +${p.b.mac} +${colon(ID_B)} +open +\\d+s +0 +10\\.9\\.0\\.2/31 +-`));
  t.notMatch(table.stdout, /[│─┼]/, 'no rule lines');
  const narrow = await runLsoeIn(p.nsA, ['neighbours', ...sock], { env: { ...process.env, COLUMNS: '80' } });
  for (const line of narrow.stdout.trimEnd().split('\n')) t.ok(line.length <= 80, `fits 80 columns: ${line}`);
  t.match(narrow.stdout, new RegExp(`${p.a.ifname} +${p.b.mac} +${colon(ID_B)} +open +\\d+s +0\n`), 'the narrow layout keeps interface, MAC, ID, state, time and flaps');
  t.notMatch(narrow.stdout, /Primary address|Last down/, 'and drops the address and last-down columns');
  const details = await runLsoeIn(p.nsA, ['neighbors', '--details', '-i', p.a.ifname, ...sock]);
  t.match(details.stdout, new RegExp(`^Interface ${p.a.ifname} \\(${p.a.mac}\\): link up, LSOE running, 1 neighbour\\n  Neighbour ${p.b.mac}\\n    Local ID +${colon(ID_B)}\\n`));
  t.match(details.stdout, /IPv4 +10\.9\.0\.2\/31 \(primary\)/);
  const [ifa, ...others] = jsonLines((await runLsoeIn(p.nsA, ['neighbors', '--json', ...sock])).stdout, 'neighbors');
  t.same(others, []);
  t.match(ifa, { ifname: p.a.ifname, mac: p.a.mac, up: true, running: true });
  t.match(ifa!.neighbors, [{ peerMac: p.b.mac, peerId: ID_B, state: 'open', flaps: 0, lastDown: null, ipv4: [{ address: '10.9.0.2', prefixLength: 31, primary: true }] }]);

  const counters = jsonLines((await runLsoeIn(p.nsA, ['counters', '--json', ...sock])).stdout, 'counters');
  t.equal(counters.length, 1);
  t.ok(counters[0]!.daemon.sessionsUp >= 1 && counters[0]!.daemon.pdusReceived > 0, 'daemon-wide counters');
  t.match(counters[0]!.interfaces, [{ ifname: p.a.ifname, up: true, open: 1 }]);
  const ctext = await runLsoeIn(p.nsA, ['counters', ...sock]);
  t.match(ctext.stdout, /^Counter +Value\n/);
  t.match(ctext.stdout, /\nsessionsUp +\d+\n/);

  const config = await runLsoeIn(p.nsA, ['config', ...sock]);
  t.match(config.stdout, /^\[lsoed\]\n/);
  t.match(config.stdout, new RegExp(`\\nlocal-id = ${ID_A}\\n`));
  t.match(config.stdout, /\nethertype = 0x88b5\n/);
  t.match(jsonLines((await runLsoeIn(p.nsA, ['config', '--json', ...sock])).stdout, 'config')[0], { 'local-id': ID_A, 'hello-interval': Number });
  const version = jsonLines((await runLsoeIn(p.nsA, ['version', '--json', ...sock])).stdout, 'version')[0];
  t.same(version, { client: '0.1.0', daemon: '0.1.0' });
  const noDaemon = await runLsoeIn(p.nsA, ['version', '--socket', `${p.dir}/none.sock`]);
  t.equal(noDaemon.code, 1);
  t.match(noDaemon.stdout, /^client: lsoe 0\.1\.0\ndaemon: -\n$/);
  t.match(noDaemon.stderr, /^lsoe: version: no daemon listening/);
  const noDaemonJson = await runLsoeIn(p.nsA, ['version', '--json', '--socket', `${p.dir}/none.sock`]);
  t.same(jsonLines(noDaemonJson.stdout, 'version'), [{ client: '0.1.0', daemon: null }], 'no daemon: the key stays, null');

  // clear: only on the admin socket, 0600; the session comes back, counted as a flap
  const admin = `${p.dir}/a-admin.sock`;
  t.equal(statSync(admin).mode & 0o777, 0o600, 'the admin socket is 0600');
  t.equal(statSync(da.socket).mode & 0o777, 0o660, 'the control socket stays 0660');
  const c = await connectControl(da.socket);
  // the control socket's answers behind these commands, as docs/schema/control.schema.json says
  assertSchema('control#neighborsResult', await c.request('neighbors'));
  const selection = await c.request<{ patterns: string[]; unmatched: string[] }>('interfaces.selection');
  assertSchema('control#selectionResult', selection);
  t.same(selection.unmatched, ['nosuch9']);
  t.ok(selection.patterns.includes('nosuch9'), 'the patterns given');
  assertSchema('control#bgpResult', await c.request('bgp'));
  assertSchema('control#configResult', await c.request('config'));
  const refused = await c.request('clear', {}).then(
    () => null,
    (err: unknown) => err,
  );
  t.ok(refused instanceof ControlError && /admin socket only/.test(refused.message), 'the control socket refuses clear');
  t.equal(refused instanceof ControlError && refused.remoteCode, 'forbidden', 'coded forbidden');
  t.equal(schemaErrors('control#errorResponse', { id: 1, error: { code: 'forbidden', message: 'x' } }), null, 'a code control.schema.json lists');
  c.close();
  const cleared = await runLsoeIn(p.nsA, ['clear', '-i', p.a.ifname, ...sock]);
  t.equal(cleared.code, 0, cleared.stderr);
  t.equal(cleared.stdout, `1 session cleared on ${p.a.ifname}\n`);
  const none = await runLsoeIn(p.nsA, ['clear', '--peer', '02:00:00:00:00:99', '--json', ...sock]);
  t.same(jsonLines(none.stdout, 'clear'), [{ cleared: 0 }]);
  await eventually(async () => (await da.sessions()).some((s) => s.state === 'open'), 20000, 'the session to open again');
  const after = jsonLines((await runLsoeIn(p.nsA, ['neighbors', '--json', ...sock])).stdout, 'neighbors')[0]!;
  t.match(after.neighbors, [{ peerMac: p.b.mac, state: 'open', flaps: 1, lastDown: { reason: 'admin' } }]);
});

t.test('the daemon warns about a foreign EtherType, and SIGHUP without -c says there is nothing to reload', async (t) => {
  if (!rootOrSkip(t)) return;
  const nsA = await createNetns(t, 'wa');
  const nsB = await createNetns(t, 'wb');
  const [a] = await createVethPair(t, nsA, nsB);
  const d = spawnLsoe(t, nsA, ['daemon', '--log-format', 'json', '--no-socket', '-i', a.ifname, '--ethertype', '2048']);
  await d.waitFor((err) => /belongs to IPv4/.test(err), 'stderr', 15000);
  t.match(d.stderr, /"level":"warning".*EtherType 0x0800 belongs to IPv4, not LSOE/);
  await d.waitFor((err) => new RegExp(`link up on ${a.ifname}`).test(err), 'stderr', 15000);
  d.kill('SIGHUP');
  await d.waitFor((err) => /no configuration file/.test(err), 'stderr', 15000);
  t.match(d.stderr, /SIGHUP: no configuration file \(-c\) to reload/);
  t.notMatch(d.stderr, /configuration reloaded/);
});

async function promiscuity(ns: { ip(args: string[]): Promise<{ stdout: string }> }, ifname: string): Promise<number> {
  const r = await ns.ip(['-d', '-j', 'link', 'show', ifname]);
  return (JSON.parse(r.stdout) as Array<{ promiscuity: number }>)[0]!.promiscuity;
}

t.test('how the daemon receives the HELLO group, as lsoe-daemon(8) says: joined (packet socket) or promiscuous (libpcap)', async (t) => {
  if (!rootOrSkip(t)) return;
  const nsA = await createNetns(t, 'pa');
  const nsB = await createNetns(t, 'pb');
  const [a, b] = await createVethPair(t, nsA, nsB);
  const before = await promiscuity(nsA, a.ifname);
  const joined = async () => (await nsA.ip(['maddr', 'show', 'dev', a.ifname])).stdout.includes('01:80:c2:00:00:0e');
  t.notOk(await joined(), 'not a member before');
  const d = spawnLsoe(t, nsA, ['daemon', '--no-socket', '-i', a.ifname, '--local-id', ID_A], { stopGraceMs: 5000 });
  await d.waitFor(new RegExp(`link up on ${a.ifname}`), 'stderr', 15000);
  // a peer, so that A's text log speaks of its Local ID: spelt as in every text output, never raw hex
  const peer = spawnLsoe(t, nsB, ['daemon', '--no-socket', '-i', b.ifname, '--local-id', ID_B], { stopGraceMs: 5000 });
  await d.waitFor(new RegExp(`session up with ${b.mac}`), 'stderr', 20000);
  t.match(d.stderr, new RegExp(`starting .*localId=${colon(ID_A)}`));
  t.match(d.stderr, new RegExp(`session open with ${colon(ID_B)}`));
  t.match(d.stderr, new RegExp(`session up with ${b.mac} on ${a.ifname}.* peerId=${colon(ID_B)}`));
  t.notMatch(d.stderr, new RegExp(`${ID_A}|${ID_B}`), 'no Local ID in raw hex');
  await peer.stop();
  const kind = /capture=(packet-socket|libpcap)/.exec(d.stderr)?.[1];
  t.ok(kind !== undefined, `the start line says which capture (${kind})`);
  if (kind === 'packet-socket') {
    await eventually(joined, 15000, 'the HELLO group to be joined');
    t.equal(await promiscuity(nsA, a.ifname), before, 'no promiscuous mode while it runs');
  } else {
    await eventually(async () => (await promiscuity(nsA, a.ifname)) > before, 15000, 'promiscuous mode (libpcap cannot join a group)');
  }
  await d.stop();
  t.equal(await promiscuity(nsA, a.ifname), before, 'promiscuity back as it was once the daemon is gone');
  t.notOk(await joined(), 'and no membership left');
});

t.test('without privilege: the hint names the systemd way, never setcap on node', async (t) => {
  if (!rootOrSkip(t)) return;
  const r = spawnSync('setpriv', [
    '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all',
    'env', '-i', `PATH=${process.env.PATH}`, process.execPath, LSOE_BIN_PATH, 'daemon', '--no-socket',
  ], { encoding: 'utf8', timeout: 60000 });
  t.equal(r.status, 1);
  t.match(r.stderr, /^lsoe: daemon: raw Ethernet needs root or CAP_NET_RAW \(try sudo; for a service, AmbientCapabilities=CAP_NET_RAW in its systemd unit/);
  t.notMatch(r.stderr, /setcap/);
});
