// The packet-socket link on real veth pairs in namespaces (root only; skipped when
// the addon is not built). Each link runs in a probe process inside its namespace
// (test/helpers/link-probe.ts, "kind":"packet"). Checked with the kernel's own
// views: `ip maddr show` for the HELLO group membership (veth delivers multicast
// whether joined or not, so reception alone proves nothing), `ip -d link` for
// promiscuity.
import t from 'tap';
import { endpointLinkKind } from '../../src/io/endpoint-link.js';
import { createNetns, createVethPair, rootOrSkip, type Netns } from '../helpers/netns.js';
import { startProbe } from '../helpers/probe-client.js';

const HELLO_DST = '01:80:c2:00:00:0e';

async function groups(ns: Netns, ifname: string): Promise<string> {
  return (await ns.ip(['maddr', 'show', 'dev', ifname])).stdout;
}

async function promiscuity(ns: Netns, ifname: string): Promise<number> {
  return (JSON.parse((await ns.ip(['-d', '-j', 'link', 'show', 'dev', ifname])).stdout) as Array<{ promiscuity: number }>)[0]!.promiscuity;
}

t.test('packet-socket links', async (t) => {
  if (!rootOrSkip(t)) return;
  if (endpointLinkKind() !== 'packet-socket') {
    t.plan(0, 'the packet-socket addon is not built (scripts/build-native)');
    return;
  }
  const [a, b] = await createVethPair(t, await createNetns(t, 'pa'), await createNetns(t, 'pb'));
  t.notMatch(await groups(a.ns, a.ifname), HELLO_DST, 'the group is not joined before');
  const pa = await startProbe(t, a.ns, { kind: 'packet', ifname: a.ifname });
  const pb = await startProbe(t, b.ns, { kind: 'packet', ifname: b.ifname });
  t.match(pa.events()[0], { event: 'ready', mac: a.mac });

  t.test('joins the HELLO group without promiscuous mode', async (t) => {
    t.match(await groups(a.ns, a.ifname), HELLO_DST, '`ip maddr show` lists the group');
    t.equal(await promiscuity(a.ns, a.ifname), 0, 'not promiscuous');
  });

  t.test('multicast and unicast for us arrive; own frames and frames for other stations do not', async (t) => {
    pa.send(HELLO_DST, '0080000b00000000000001');
    const hello = await pb.until((e) => e.event === 'frame');
    t.match(hello, { ifname: b.ifname, dst: HELLO_DST, src: a.mac, ethertype: 0x88b5 });
    t.equal(hello.raw.length / 2, 60, 'padded to 60 octets');
    pa.send('02:00:00:00:99:99', '02'); // for nobody here: veth still hands it up, as 'other host'
    pa.send(b.mac, '04');
    await pb.until((e) => e.event === 'frame' && e.payload.startsWith('04'));
    t.same(
      pb.frames().map((f) => f.payload.slice(0, 2)),
      ['00', '04'],
      'b got the HELLO and its unicast only',
    );
    t.same(pa.frames(), [], 'a never sees what it sent');
  });

  t.test('a flap: one link-down notice, then frames flow again on the same link', async (t) => {
    await a.ns.ip(['link', 'set', a.ifname, 'down']);
    await pa.until((e) => e.event === 'error' && e.code === 'link-down');
    await a.ns.ip(['link', 'set', a.ifname, 'up']);
    // until both ends have carrier, frames can be lost: retry a few times
    for (let i = 0; i < 50 && !pa.frames().some((f) => f.payload.startsWith('06')); i++) {
      pb.send(a.mac, '06');
      await new Promise((r) => setTimeout(r, 100));
    }
    t.ok(
      pa.frames().some((f) => f.payload.startsWith('06')),
      'received after the flap',
    );
    t.equal(pa.events().filter((e) => e.event === 'error' && e.fatal).length, 0, 'nothing fatal');
    t.match(await groups(a.ns, a.ifname), HELLO_DST, 'still a member');
  });

  t.test('closing releases the group; a deleted interface is a fatal "vanished"', async (t) => {
    pb.command({ close: true });
    await pb.proc.exited;
    t.notMatch(await groups(b.ns, b.ifname), HELLO_DST, 'b left the group when it closed');
    await a.ns.ip(['link', 'del', a.ifname]);
    const gone = await pa.until((e) => e.event === 'error' && e.code === 'vanished');
    t.equal(gone.fatal, true);
  });
});
