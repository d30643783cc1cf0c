// `lsoe daemon` against a real BGP-LS receiver: gobgpd in its own namespace, passive,
// family `ls`. Two daemons share an LSOE link (A–B); each peers with gobgpd over a
// veth of its own. A capture of A's BGP session is read by tshark.
import t from 'tap';
import path from 'node:path';
import { connectControl } from '../../src/ctl/client.js';
import type { BgpStatus } from '../../src/daemon/bgp-northbound.js';
import { eventually, startDaemon, tempDir, waitReady, type DaemonProc } from '../daemon/e2e-helpers.js';
import { startGobgpd } from '../helpers/gobgpd.js';
import { createNetns, createVethPair, rootOrSkip, spawnInNetns, type Netns } from '../helpers/netns.js';

async function bgpStatus(d: DaemonProc): Promise<BgpStatus> {
  const c = await connectControl(d.socket);
  try {
    return await c.request<BgpStatus>('bgp');
  } finally {
    c.close();
  }
}

async function addr(ns: Netns, ifname: string, ...cidrs: string[]): Promise<void> {
  for (const c of cidrs) await ns.ip(['addr', 'add', c, 'dev', ifname, ...(c.includes(':') ? ['nodad'] : [])]);
}

t.test('two daemons, one gobgpd: the fabric as BGP-LS', async (t) => {
  if (!rootOrSkip(t)) return;
  const dir = tempDir(t);
  const [a, b, g] = [await createNetns(t, 'bgpa'), await createNetns(t, 'bgpb'), await createNetns(t, 'bgpg')];
  const [ab, ba] = await createVethPair(t, a, b);
  const [ag, ga] = await createVethPair(t, a, g);
  const [bg, gb] = await createVethPair(t, b, g);
  await addr(a, 'lo', '10.255.0.1/32');
  await addr(b, 'lo', '10.255.0.2/32');
  await addr(a, ab.ifname, '192.0.2.0/31', '2001:db8:1::/127');
  await addr(b, ba.ifname, '192.0.2.1/31', '2001:db8:1::1/127');
  await addr(a, ag.ifname, '198.51.100.1/30');
  await addr(g, ga.ifname, '198.51.100.2/30');
  await addr(b, bg.ifname, '198.51.100.5/30');
  await addr(g, gb.ifname, '198.51.100.6/30');
  const gobgp = await startGobgpd(t, g, dir, {
    asn: 65000,
    routerId: '198.51.100.2',
    listen: ['198.51.100.2', '198.51.100.6'],
    neighbors: [{ address: '198.51.100.1', asn: 65000 }, { address: '198.51.100.5', asn: 65000 }],
  });
  await gobgp.proc.waitFor(/Add a peer configuration|gobgpd started|Peer/i, 'stdout').catch(() => undefined);
  const capture = path.join(dir, 'bgp.pcap');
  const dump = spawnInNetns(t, g, 'tcpdump', ['-i', ga.ifname, '-w', capture, '-U', 'tcp port 179']);
  await dump.waitFor(/listening/, 'stderr');
  const common = ['--keepalive-send-interval', '0.2', '--hello-interval', '1', '--bgp-asn', '65000', '--bgp-ls-igp-router-id', 'yes'];
  const da = startDaemon(t, a, dir, 'a', ['--interface', ab.ifname, '--bgp-peer', '198.51.100.2', '--bgp-ls-node-name', 'switch-a', ...common]);
  const db = startDaemon(t, b, dir, 'b', ['--interface', ba.ifname, '--bgp-peer', '198.51.100.6', '--bgp-ls-node-name', 'switch-b', ...common]);
  await waitReady(da);
  await waitReady(db);
  // node + loopback + IPv4 and IPv6 link prefixes + one link = 5 per daemon
  await eventually(async () => {
    const n = await gobgp.neighbors();
    t.comment(JSON.stringify([...n]));
    return n.get('198.51.100.1')?.accepted === 5 && n.get('198.51.100.5')?.accepted === 5;
  }, 30000, 'gobgpd to accept 5 NLRI from each daemon');
  const st = await bgpStatus(da);
  t.comment(JSON.stringify(st));
});
