// Pairing half-links into the plan's links, and gobgpd's sessions laid over the dump.
import t from 'tap';
import type { LinkNlri } from '../../src/bgp/ls/nlri.js';
import { LsRib } from '../../src/bgp/ls/rib.js';
import { encodeMessage } from '../../src/bgp/wire/message.js';
import { bgpLabStatus, pruneToSessions } from '../../src/lab/bgp-links.js';
import type { GobgpNeighbor } from '../../src/lab/gobgpd.js';
import { makePlan } from '../../src/lab/plan.js';
import { clos } from '../../src/lab/topology.js';

// spine0 198.19.0.1 (mgmt .2), leaf0 198.19.0.2 (.3), leaf1 198.19.0.3 (.4);
// link 0 spine0 198.18.0.0 – leaf0 198.18.0.1, link 1 spine0 198.18.0.2 – leaf1 198.18.0.3
const plan = makePlan({ name: 'b', links: clos(1, 2), port: 1, bgp: true });

const half = (local: string, near: string, remote: string, far: string): LinkNlri => ({
  type: 'link', protocolId: 7, identifier: 0n,
  local: { asn: 65000, bgpRouterId: local }, remote: { asn: 65000, bgpRouterId: remote },
  linkIds: [2, 0], ipv4Interface: near, ipv4Neighbor: far,
});
const announce = (rib: LsRib, peer: string, time: number, ...nlri: LinkNlri[]) =>
  rib.apply(peer, time, encodeMessage({ type: 'UPDATE', withdrawn: '', attributes: [{ kind: 'mp-reach', afi: 16388, safi: 71, nextHop: [peer], nlri }], nlri: '' }));
const neighbor = (address: string, accepted: number, uptime: number | null = 100): GobgpNeighbor => ({
  address, state: uptime === null ? 'active' : 'established', received: accepted, accepted, uptime, routerId: null,
});

t.test('two halves that name each other are a link; one alone is half of one', (t) => {
  t.same(plan.nodes.map((n) => n.mgmt4), ['192.0.2.2/24', '192.0.2.3/24', '192.0.2.4/24']);
  const rib = new LsRib();
  announce(rib, '192.0.2.2', 100, half('198.19.0.1', '198.18.0.0', '198.19.0.2', '198.18.0.1'), half('198.19.0.1', '198.18.0.2', '198.19.0.3', '198.18.0.3'));
  announce(rib, '192.0.2.3', 100, half('198.19.0.2', '198.18.0.1', '198.19.0.1', '198.18.0.0'));
  // a half the plan does not know: leaf1 with an address changed by hand
  announce(rib, '192.0.2.4', 100, half('198.19.0.3', '198.18.9.9', '198.19.0.1', '198.18.0.2'));
  const s = bgpLabStatus(plan, rib, new Map([['192.0.2.2', neighbor('192.0.2.2', 2)], ['192.0.2.3', neighbor('192.0.2.3', 1)], ['192.0.2.4', neighbor('192.0.2.4', 0)]]));
  t.same(s.links.map((l) => [l.link, l.upper.node, l.upper.ifname, l.upper.inBgp, l.lower.node, l.lower.ifname, l.lower.inBgp, l.paired]), [
    [0, 'spine0', 'leaf0', true, 'leaf0', 'spine0', true, true],
    [1, 'spine0', 'leaf1', true, 'leaf1', 'spine0', false, false],
    [null, 'leaf1', null, true, 'spine0', 'leaf1', false, false],
  ]);
  t.same(s.links[2]!.upper, { node: 'leaf1', ifname: null, routerId: '198.19.0.3', address: '198.18.9.9', inBgp: true }, 'the stray half named by its router-id');
  t.same(s.peers.map((p) => [p.node, p.state, p.accepted, p.dumped, p.agrees]), [
    ['spine0', 'established', 2, 2, true],
    ['leaf0', 'established', 1, 1, true],
    ['leaf1', 'established', 0, 1, false],
  ], "gobgpd's Accepted beside the dump: leaf1 disagrees");
  t.end();
});

t.test("the dump has no session ends: gobgpd's sessions prune it", (t) => {
  const rib = new LsRib();
  announce(rib, '192.0.2.2', 100, half('198.19.0.1', '198.18.0.0', '198.19.0.2', '198.18.0.1'));
  announce(rib, '192.0.2.3', 100, half('198.19.0.2', '198.18.0.1', '198.19.0.1', '198.18.0.0'));
  announce(rib, '192.0.2.3', 110, half('198.19.0.2', '198.18.0.9', '198.19.0.1', '198.18.0.0'));
  pruneToSessions(rib, new Map([['192.0.2.3', neighbor('192.0.2.3', 1, 110)]]), 120);
  t.equal(rib.routes('192.0.2.2').length, 0, 'spine0 has no session with gobgpd (as of 120): nothing from it before then');
  t.same(rib.routes('192.0.2.3').map((n) => (n as LinkNlri).ipv4Interface), ['198.18.0.9'], "leaf0's session began at 110: only what it sent since");
  announce(rib, '192.0.2.2', 121, half('198.19.0.1', '198.18.0.0', '198.19.0.2', '198.18.0.1'));
  pruneToSessions(rib, new Map(), 120);
  t.equal(rib.routes('192.0.2.2').length, 1, 'what came after gobgpd was asked stays (it may be a new session)');
  t.end();
});
