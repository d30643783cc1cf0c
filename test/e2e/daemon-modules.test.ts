// The daemon loads only what its configuration needs (issue 10, start-up): without a
// bgp-peer it never loads the BGP speaker, without metrics-listen never the metrics
// service nor prom-client, yet answers the `bgp` question; configured, it loads both.
// Checked on the real bin/lsoe (the bundle) with a module probe (test/helpers/module-log.ts).
import path from 'node:path';
import t from 'tap';
import { startDaemon, tempDir, waitReady } from '../daemon/e2e-helpers.js';
import { addr } from '../helpers/bgp-e2e.js';
import { filesDefining, loadedFiles, moduleLogEnv } from '../helpers/loaded-modules.js';
import { createNetns, createVethPair, rootOrSkip } from '../helpers/netns.js';
import { connectControl } from '../../src/ctl/client.js';
import type { BgpStatus } from '../../src/daemon/bgp-northbound.js';

async function bgpStatus(socket: string): Promise<BgpStatus> {
  const c = await connectControl(socket);
  try {
    return await c.request<BgpStatus>('bgp');
  } finally {
    c.close();
  }
}

t.test('a daemon without BGP or metrics loads neither; configured, it loads both', async (t) => {
  if (!rootOrSkip(t)) return;
  const dir = tempDir(t);
  const [a, b] = [await createNetns(t, 'moda'), await createNetns(t, 'modb')];
  const [ab, ba] = await createVethPair(t, a, b);
  await a.ip(['link', 'set', 'lo', 'up']);
  await addr(a, 'lo', '10.255.0.1/32');

  const plainLog = path.join(dir, 'plain.modules');
  const plain = startDaemon(t, a, dir, 'plain', ['--interface', ab.ifname], moduleLogEnv(plainLog));
  await waitReady(plain);
  const status = await bgpStatus(plain.socket);
  t.strictSame(status, { enabled: false, routerId: '10.255.0.1', asn: null, routes: 0, heldBack: [], peers: [] }, 'the bgp question is answered without the speaker');
  const plainFiles = loadedFiles(plainLog);
  t.ok(filesDefining(plainFiles, 'Daemon').length > 0, 'the probe saw the daemon core load');
  t.comment(`daemon without BGP or metrics, ready: ${plainFiles.length} files loaded`);
  t.strictSame(filesDefining(plainFiles, 'BgpSpeaker'), [], 'no BGP speaker');
  t.strictSame(filesDefining(plainFiles, 'BgpNorthbound'), [], 'no BGP northbound');
  t.strictSame(filesDefining(plainFiles, 'MetricsService'), [], 'no metrics service');
  t.strictSame(plainFiles.filter((f) => f.includes('/node_modules/prom-client/')), [], 'no prom-client');
  await plain.proc.stop();

  const fullLog = path.join(dir, 'full.modules');
  const full = startDaemon(
    t,
    b,
    dir,
    'full',
    ['--interface', ba.ifname, '--metrics', '9717', '--bgp-asn', '65000', '--bgp-peer', '198.51.100.2', '--bgp-router-id', '10.255.0.2'],
    moduleLogEnv(fullLog),
  );
  await b.ip(['link', 'set', 'lo', 'up']);
  await addr(b, 'lo', '10.255.0.2/32');
  await waitReady(full);
  await full.waitLog((l) => /metrics on http/.test(l.msg)); // after the control socket
  const fullFiles = loadedFiles(fullLog);
  t.comment(`daemon with BGP and metrics, ready: ${fullFiles.length} files loaded`);
  t.ok(filesDefining(fullFiles, 'BgpSpeaker').length > 0, 'a bgp-peer loads the BGP speaker');
  t.ok(filesDefining(fullFiles, 'MetricsService').length > 0, 'metrics-listen loads the metrics service');
  t.match(await bgpStatus(full.socket), { enabled: true, asn: 65000, peers: [{ peer: '198.51.100.2:179' }] }, 'and BGP runs');
});
