// `lsoe bgp` rows and headline, from a status as the control socket gives it.
import t from 'tap';
import type { PeerStatus } from '../../src/bgp/speaker.js';
import { bgpHeadline, bgpRow, BGP_HEAD } from '../../src/views/bgp-table.js';

const zero = { node: 0, link: 0, 'ipv4-prefix': 0, 'ipv6-prefix': 0 };
const peer: PeerStatus = {
  peer: '198.51.100.2:179', asn: 65000, peerAsn: 65001, state: 'established', since: '2026-11-30T05:00:00.000Z',
  peerRouterId: '198.51.100.2', localAddress: '198.51.100.1', linkState: true,
  messagesSent: { OPEN: 1, UPDATE: 7, NOTIFICATION: 0, KEEPALIVE: 3, ROUTE_REFRESH: 0 },
  messagesReceived: { OPEN: 1, UPDATE: 0, NOTIFICATION: 0, KEEPALIVE: 4, ROUTE_REFRESH: 0 },
  announced: { node: 1, link: 2, 'ipv4-prefix': 3, 'ipv6-prefix': 1 }, withdrawn: { ...zero, link: 1 },
  held: 6, connects: 1, lastError: null,
};

t.test('one row per peer, like gobgp neighbor', (t) => {
  const row = bgpRow(peer, Date.parse('2026-11-30T05:01:30.000Z'));
  t.equal(row.length, BGP_HEAD.length);
  t.strictSame(row, ['198.51.100.2:179', '65001', 'established', '1m30s', '11/5', '1/2/4', '0/1/0', '6', '-']);
  t.equal(bgpRow({ ...peer, linkState: false }, 0)[2], 'established (no BGP-LS)');
  t.equal(bgpRow({ ...peer, state: 'active', lastError: 'ECONNREFUSED' }, 0).at(-1), 'ECONNREFUSED');
  t.end();
});

t.test('headline: off, on, links held back', (t) => {
  const base = { enabled: true, routerId: '10.255.0.1', asn: 65000, routes: 7, heldBack: [], peers: [peer] };
  t.equal(bgpHeadline({ ...base, enabled: false }), 'BGP is off (no bgp-peer configured)');
  t.equal(bgpHeadline(base), 'router-id 10.255.0.1, AS 65000, 7 NLRI to announce');
  t.match(bgpHeadline({ ...base, heldBack: [{ ifname: 'swp3', peerMac: '02:00:00:00:00:03' }] }), /1 link held back \(peer announced no loopback IPv4: swp3 02:00:00:00:00:03\)/);
  t.end();
});
