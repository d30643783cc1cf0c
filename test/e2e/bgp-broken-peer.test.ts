// `lsoe daemon` with a broken BGP peer (a fake TCP server in its own namespace): the
// right NOTIFICATION, a retry, and the LSOE session never notices; and the router-id
// rule refusing a configured identifier at start.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { eventually, startDaemon, tempDir, waitReady } from '../daemon/e2e-helpers.js';
import { addr, lsoeBgp } from '../helpers/bgp-e2e.js';
import { createNetns, createVethPair, rootOrSkip, runLsoeIn, spawnNode } from '../helpers/netns.js';

const A = '198.51.100.1';
const noTools = spawnSync('sh', ['-c', 'command -v gobgpd']).status !== 0;

t.test('a broken BGP peer: NOTIFICATION, retry, and LSOE never notices', { skip: noTools ? 'gobgpd is not installed' : false }, async (t) => {
  if (!rootOrSkip(t)) return;
  const dir = tempDir(t);
  const [a, b, g] = [await createNetns(t, 'bgpa'), await createNetns(t, 'bgpb'), await createNetns(t, 'bgpg')];
  const [ab, ba] = await createVethPair(t, a, b);
  const [ag, ga] = await createVethPair(t, a, g);
  await addr(a, 'lo', '10.255.0.1/32');
  await addr(b, 'lo', '10.255.0.2/32');
  await addr(a, ag.ifname, `${A}/30`);
  await addr(g, ga.ifname, '198.51.100.2/30');
  const fake = spawnNode(t, g, path.join(import.meta.dirname, '..', 'helpers', 'fake-bgp-peer.js'), ['198.51.100.2', '179', 'bad-marker']);
  await fake.waitFor(/listening/);
  const da = startDaemon(t, a, dir, 'a', ['--interface', ab.ifname, '--keepalive-send-interval', '0.2', '--hello-interval', '1', '--bgp-asn', '65000', '--bgp-peer', '198.51.100.2']);
  const db = startDaemon(t, b, dir, 'b', ['--interface', ba.ifname, '--keepalive-send-interval', '0.2', '--hello-interval', '1']);
  await waitReady(da);
  await waitReady(db);
  await eventually(async () => (await da.sessions()).some((s) => s.state === 'open'), 15000, 'the LSOE session');
  const openSince = (await da.sessions())[0]!.since;
  // the first attempt, then a retry 5 s later
  await fake.waitFor((text) => (text.match(/"notification":\[1,1\]/g) ?? []).length >= 2, 'stdout', 30000);
  t.pass('NOTIFICATION 1/1 (connection not synchronised) on two connections');
  const [p] = await lsoeBgp(a, da);
  t.match(p, { state: /active|connect|open-sent/, lastError: /marker/ });
  t.ok(p!.connects >= 2, 'retried');
  const s = await da.sessions();
  t.strictSame(s.map((x) => [x.state, x.since]), [['open', openSince]], 'the LSOE session stayed open throughout');
});

t.test('bgp-router-id other than our lowest loopback IPv4: refused at start', async (t) => {
  if (!rootOrSkip(t)) return;
  const a = await createNetns(t, 'bgpr');
  await addr(a, 'lo', '10.255.0.1/32', '10.255.0.9/32');
  const r = await runLsoeIn(a, ['daemon', '--no-socket', '--bgp-peer', '198.51.100.2', '--bgp-asn', '65000', '--bgp-router-id', '10.255.0.9']);
  t.equal(r.code, 2);
  t.match(r.stderr, /^lsoe: daemon: bgp-router-id 10\.255\.0\.9 is refused: it must be our lowest loopback IPv4, 10\.255\.0\.1/);
  t.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack');
});
