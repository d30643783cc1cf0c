// BGP messages and their golden octets, written by hand from RFC 4271, 4760, 5492,
// 6793, 2918 and 9552 (spaces only for reading). Shared by the codec and tshark tests.
import type { LinkNlri, NodeNlri, PrefixNlri } from '../../src/bgp/ls/nlri.js';
import type { BgpMessage } from '../../src/bgp/wire/message.js';

export const hex = (s: string): string => s.replace(/\s+/g, '');
const MARKER = 'ff'.repeat(16);

export const NODE: NodeNlri = { type: 'node', protocolId: 7, identifier: 0n, local: { asn: 65001, bgpRouterId: '10.0.0.1' } };
export const NODE_HEX = hex('0001 001d 07 0000000000000000 0100 0010 0200 0004 0000fde9 0204 0004 0a000001');

export const LINK: LinkNlri = {
  type: 'link',
  protocolId: 7,
  identifier: 0n,
  local: { asn: 65001, bgpRouterId: '10.0.0.1' },
  remote: { asn: 65001, bgpRouterId: '10.0.0.2' },
  linkIds: [3, 0],
  ipv4Interface: '192.0.2.0',
  ipv4Neighbor: '192.0.2.1',
  ipv6Interface: '2001:db8::',
  ipv6Neighbor: '2001:db8::1',
};
export const LINK_HEX = hex(`0002 0075 07 0000000000000000
  0100 0010 0200 0004 0000fde9 0204 0004 0a000001
  0101 0010 0200 0004 0000fde9 0204 0004 0a000002
  0102 0008 00000003 00000000
  0103 0004 c0000200  0104 0004 c0000201
  0105 0010 20010db8000000000000000000000000
  0106 0010 20010db8000000000000000000000001`);

export const PREFIX4: PrefixNlri = { type: 'ipv4-prefix', protocolId: 7, identifier: 0n, local: { asn: 65001, bgpRouterId: '10.0.0.1' }, prefix: '10.0.0.1', prefixLength: 32, routeType: 1 };
export const PREFIX4_HEX = hex('0003 002b 07 0000000000000000 0100 0010 0200 0004 0000fde9 0204 0004 0a000001 0109 0005 20 0a000001 0217 0001 01');

export const PREFIX6: PrefixNlri = { type: 'ipv6-prefix', protocolId: 7, identifier: 5n, local: { asn: 65001, bgpRouterId: '10.0.0.1' }, prefix: '2001:db8:1::', prefixLength: 64, routeType: 2 };
export const PREFIX6_HEX = hex('0004 002f 07 0000000000000005 0100 0010 0200 0004 0000fde9 0204 0004 0a000001 0109 0009 40 20010db800010000 0217 0001 02');

export const MESSAGES: { name: string; message: BgpMessage; hex: string }[] = [
  {
    name: 'OPEN, 2-octet AS, our three capabilities',
    message: {
      type: 'OPEN', version: 4, myAs: 65001, holdTime: 90, bgpId: '10.0.0.1',
      capabilities: [{ kind: 'multiprotocol', afi: 16388, safi: 71 }, { kind: 'route-refresh' }, { kind: 'four-octet-as', asn: 65001 }],
    },
    hex: hex(`${MARKER} 002d 01  04 fde9 005a 0a000001 10  02 0e  0104 4004 0047  0200  4104 0000fde9`),
  },
  {
    name: 'OPEN, 4-octet AS behind AS_TRANS, an unknown capability',
    message: {
      type: 'OPEN', version: 4, myAs: 23456, holdTime: 0, bgpId: '192.0.2.9',
      capabilities: [{ kind: 'four-octet-as', asn: 4200000000 }, { kind: 'unknown', code: 70, value: '' }],
    },
    hex: hex(`${MARKER} 0027 01  04 5ba0 0000 c0000209 0a  02 08  4104 fa56ea00  4600`),
  },
  { name: 'KEEPALIVE', message: { type: 'KEEPALIVE' }, hex: hex(`${MARKER} 0013 04`) },
  { name: 'NOTIFICATION Cease/administrative shutdown', message: { type: 'NOTIFICATION', code: 6, subcode: 2, data: '' }, hex: hex(`${MARKER} 0015 03 06 02`) },
  { name: 'NOTIFICATION with data', message: { type: 'NOTIFICATION', code: 2, subcode: 1, data: '0004' }, hex: hex(`${MARKER} 0017 03 02 01 0004`) },
  { name: 'ROUTE-REFRESH BGP-LS', message: { type: 'ROUTE_REFRESH', afi: 16388, safi: 71 }, hex: hex(`${MARKER} 0017 05 4004 00 47`) },
  {
    name: 'UPDATE: iBGP, Node NLRI, Node Name',
    message: {
      type: 'UPDATE', withdrawn: '', nlri: '',
      attributes: [
        { kind: 'origin', value: 0 },
        { kind: 'as-path', segments: [] },
        { kind: 'local-pref', value: 100 },
        { kind: 'mp-reach', afi: 16388, safi: 71, nextHop: ['10.0.0.1'], nlri: [NODE] },
        { kind: 'bgp-ls', value: { nodeName: 'leaf1' } },
      ],
    },
    hex: hex(`${MARKER} 005e 02 0000 0047
      40 01 01 00   40 02 00   40 05 04 00000064
      80 0e 2a 4004 47 04 0a000001 00 ${NODE_HEX}
      80 1d 09 0402 0005 6c65616631`),
  },
  {
    name: 'UPDATE: eBGP AS_PATH, Link NLRI, Link Name',
    message: {
      type: 'UPDATE', withdrawn: '', nlri: '',
      attributes: [
        { kind: 'origin', value: 0 },
        { kind: 'as-path', segments: [{ type: 2, asns: [65001] }] },
        { kind: 'mp-reach', afi: 16388, safi: 71, nextHop: ['2001:db8::9'], nlri: [LINK] },
        { kind: 'bgp-ls', value: { linkName: 'swp1' } },
      ],
    },
    // MP_REACH value: 4 + 16 next hop + 1 + 121 NLRI = 142 (0x8e)
    hex: hex(`${MARKER} 00c0 02 0000 00a9
      40 01 01 00   40 02 06 02 01 0000fde9
      80 0e 8e 4004 47 10 20010db8000000000000000000000009 00 ${LINK_HEX}
      80 1d 08 044a 0004 73777031`),
  },
  {
    name: 'UPDATE: MP_UNREACH of two prefixes',
    message: {
      type: 'UPDATE', withdrawn: '', nlri: '',
      attributes: [{ kind: 'mp-unreach', afi: 16388, safi: 71, nlri: [PREFIX4, PREFIX6] }],
    },
    // 3 + 47 + 51 = 101 (0x65)
    hex: hex(`${MARKER} 007f 02 0000 0068 80 0f 65 4004 47 ${PREFIX4_HEX} ${PREFIX6_HEX}`),
  },
];
