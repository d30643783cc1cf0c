// The mapping from the daemon's view to BGP-LS routes, the diff, and the UPDATEs it
// becomes (read back with our decoder).
import t from 'tap';
import { buildUpdates, diffRoutes } from '../../src/bgp/ls/diff.js';
import type { LinkNlri } from '../../src/bgp/ls/nlri.js';
import { routerIdOf } from '../../src/bgp/ls/router-id.js';
import { lsRoutes, type LsSettings, type LsView } from '../../src/bgp/ls/view.js';
import { decodeMessage, encodeMessage } from '../../src/bgp/wire/message.js';
import type { Encapsulation } from '../../src/proto/types.js';

const S: LsSettings = { asn: 65000, instanceId: 0n, igpRouterId: false, nodeName: 'leaf1', remoteAsn: () => 65000 };
const e = (address: string, prefixLength: number, flags = ''): Encapsulation => ({ address, prefixLength, primary: flags.includes('P'), loopback: flags.includes('L') });

function view(patch: Partial<LsView> = {}): LsView {
  return {
    routerId: '10.255.0.1',
    loopbacks: [e('10.255.0.1', 32, 'L'), e('2001:db8:ff::1', 128, 'L')],
    interfaces: [
      { ifname: 'swp1', ifindex: 7, announced: [e('192.0.2.0', 31, 'P'), e('10.255.0.1', 32, 'L'), e('2001:db8:1::', 127, 'P'), e('2001:db8:ff::1', 128, 'L')] },
      { ifname: 'swp2', ifindex: 8, announced: [e('192.0.2.2', 31, 'P'), e('192.0.2.100', 24), e('10.255.0.1', 32, 'L')] },
    ],
    sessions: [
      { ifname: 'swp1', peerMac: '02:00:00:00:00:02', learned: [e('192.0.2.1', 31, 'P'), e('10.255.0.2', 32, 'L'), e('127.0.0.1', 8, 'L'), e('2001:db8:1::1', 127, 'P'), e('fe80::1', 64, 'P')] },
      { ifname: 'swp2', peerMac: '02:00:00:00:00:03', learned: [e('192.0.2.3', 31, 'P'), e('2001:db8:ff::3', 128, 'L')] },
    ],
    ...patch,
  };
}

t.test('router-id: lowest usable loopback IPv4', (t) => {
  t.equal(routerIdOf([e('127.0.0.1', 8, 'L'), e('10.0.0.9', 32, 'L'), e('10.0.0.10', 32, 'L'), e('9.0.0.1', 32, 'P')]), '10.0.0.9');
  t.equal(routerIdOf([e('169.254.1.1', 32, 'L'), e('0.1.2.3', 32, 'L')]), null);
  t.end();
});

t.test('node, prefixes, one link; a peer without a loopback IPv4 is held back', (t) => {
  const { routes, heldBack } = lsRoutes(view(), S);
  const list = [...routes.values()];
  const types = list.map((r) => r.nlri.type).sort();
  // prefixes: loopback v4 + v6 (type 1), swp1 v4 + v6 and swp2 v4 primaries (type 2); 192.0.2.100/24 is neither
  t.strictSame(types, ['ipv4-prefix', 'ipv4-prefix', 'ipv4-prefix', 'ipv6-prefix', 'ipv6-prefix', 'link', 'node']);
  t.strictSame(heldBack, [{ ifname: 'swp2', peerMac: '02:00:00:00:00:03' }]);
  const node = list.find((r) => r.nlri.type === 'node')!;
  t.strictSame(node.attribute, { nodeName: 'leaf1' });
  const link = list.find((r) => r.nlri.type === 'link')!;
  t.strictSame(link.nlri, {
    type: 'link', protocolId: 7, identifier: 0n,
    local: { asn: 65000, bgpRouterId: '10.255.0.1' },
    remote: { asn: 65000, bgpRouterId: '10.255.0.2' },
    linkIds: [7, 0],
    ipv4Interface: '192.0.2.0', ipv4Neighbor: '192.0.2.1',
    ipv6Interface: '2001:db8:1::', ipv6Neighbor: '2001:db8:1::1',
  } satisfies LinkNlri);
  t.strictSame(link.attribute, { linkName: 'swp1' });
  const p = list.filter((r) => r.nlri.type === 'ipv4-prefix').map((r) => r.nlri as { prefix: string; prefixLength: number; routeType: number });
  t.strictSame(p.map((x) => `${x.prefix}/${x.prefixLength} ${x.routeType}`).sort(), ['10.255.0.1/32 1', '192.0.2.0/31 2', '192.0.2.2/31 2']);
  t.end();
});

t.test('IGP Router-ID and a per-interface remote AS', (t) => {
  const { routes } = lsRoutes(view(), { ...S, igpRouterId: true, remoteAsn: (i) => (i === 'swp1' ? 65011 : 65000) });
  const link = [...routes.values()].find((r) => r.nlri.type === 'link')!.nlri as LinkNlri;
  t.strictSame(link.local, { asn: 65000, igpRouterId: '10.255.0.1', bgpRouterId: '10.255.0.1' });
  t.strictSame(link.remote, { asn: 65011, igpRouterId: '10.255.0.2', bgpRouterId: '10.255.0.2' });
  t.end();
});

t.test('no router-id: nothing', (t) => {
  t.equal(lsRoutes(view({ routerId: null }), S).routes.size, 0);
  t.end();
});

t.test('diff: session down withdraws its link; a primary change swaps link and prefix', (t) => {
  const before = lsRoutes(view(), S).routes;
  const down = diffRoutes(before, lsRoutes(view({ sessions: [] }), S).routes);
  t.strictSame(down.announce, []);
  t.strictSame(down.withdraw.map((r) => r.nlri.type), ['link']);
  const v = view();
  const changed: LsView = { ...v, interfaces: [{ ...v.interfaces[0]!, announced: [e('192.0.2.4', 31, 'P'), ...v.interfaces[0]!.announced.slice(1)] }, v.interfaces[1]!] };
  const d = diffRoutes(before, lsRoutes(changed, S).routes);
  t.strictSame(d.withdraw.map((r) => r.nlri.type).sort(), ['ipv4-prefix', 'link']);
  t.strictSame(d.announce.map((r) => r.nlri.type).sort(), ['ipv4-prefix', 'link']);
  t.equal((d.announce.find((r) => r.nlri.type === 'link')!.nlri as LinkNlri).ipv4Interface, '192.0.2.4');
  const renamed = diffRoutes(before, lsRoutes(view(), { ...S, nodeName: 'leaf9' }).routes);
  t.strictSame(renamed.announce.map((r) => r.nlri.type), ['node'], 'a new Node Name re-announces the node');
  t.strictSame(renamed.withdraw, []);
  t.end();
});

t.test('UPDATEs: iBGP attributes, grouped by BGP-LS attribute, never over 4096 octets', (t) => {
  const many: LsView = {
    ...view(),
    interfaces: Array.from({ length: 300 }, (_, i) => ({ ifname: `swp${i}`, ifindex: i + 10, announced: [e(`10.${i >> 8}.${i & 255}.0`, 31, 'P')] })),
    sessions: Array.from({ length: 300 }, (_, i) => ({ ifname: `swp${i}`, peerMac: '02:00:00:00:00:01', learned: [e(`10.${i >> 8}.${i & 255}.1`, 31, 'P'), e(`10.254.${i >> 8}.${i & 255}`, 32, 'L')] })),
  };
  const { routes } = lsRoutes(many, S);
  const d = diffRoutes(new Map(), routes);
  const updates = buildUpdates(d, { ebgp: false, asn: 65000, nextHop: '198.51.100.1' });
  let nlri = 0;
  let longest = 0;
  const kinds = new Set<string>();
  for (const u of updates) {
    const bytes = encodeMessage(u);
    longest = Math.max(longest, bytes.length);
    const back = decodeMessage(bytes);
    if (back.type !== 'UPDATE') throw new Error('not an UPDATE');
    kinds.add(back.attributes.map((a) => a.kind).slice(0, 4).join(' '));
    const mp = back.attributes.find((a) => a.kind === 'mp-reach');
    if (mp?.kind === 'mp-reach') nlri += mp.nlri.length;
  }
  t.ok(longest <= 4096 && longest > 3000, `the longest is ${longest} octets`);
  t.strictSame([...kinds], ['origin as-path local-pref mp-reach']);
  t.equal(nlri, routes.size, 'every route announced once');
  t.equal(updates.filter((u) => u.attributes.some((a) => a.kind === 'bgp-ls')).length, 301, 'node and each link alone (each has its own name)');
  t.ok(updates.length < 301 + 10, 'prefixes packed together');
  const w = buildUpdates({ announce: [], withdraw: [...routes.values()] }, { ebgp: true, asn: 65000, nextHop: '2001:db8::1' });
  t.ok(w.length >= 2 && w.every((u) => encodeMessage(u).length <= 4096), 'withdrawals split too');
  const e1 = buildUpdates({ announce: [...routes.values()].slice(0, 1), withdraw: [] }, { ebgp: true, asn: 65000, nextHop: '2001:db8::1' })[0]!;
  t.match(e1.attributes[1], { kind: 'as-path', segments: [{ type: 2, asns: [65000] }] }, 'eBGP: our AS, no LOCAL_PREF');
  t.notOk(e1.attributes.some((a) => a.kind === 'local-pref'));
  t.end();
});
