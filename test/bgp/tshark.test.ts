// tshark, a BGP-LS decoder we did not write, reads our bytes: each sample message goes
// into a pcap of one TCP stream and the `bgp.ls.*` fields must show what we encoded.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { encodeMessage } from '../../src/bgp/wire/message.js';
import { writeTcpPcap } from '../helpers/tcp-pcap.js';
import { MESSAGES, PREFIX6 } from './samples.js';

const FIELDS = [
  'bgp.type',
  'bgp.ls.nlri_type',
  'bgp.ls.nlri_node.protocol_id',
  'bgp.ls.tlv.autonomous_system.id',
  'bgp.ls.tlv.bgp_router_id.id',
  'bgp.ls.nlri_ipv4_interface_address',
  'bgp.ls.nlri_ipv4_neighbor_address',
  'bgp.ls.nlri_ipv6_interface_address',
  'bgp.ls.nlri_ipv6_neighbor_address',
  'bgp.ls.nlri_ip_reachability_prefix_ip',
  'bgp.ls.tlv.node_name_value',
  'bgp.ls.tlv.link_name_attribute_value',
  'bgp.notify.major_error',
  'bgp.open.myas',
];

const noTshark = spawnSync('tshark', ['--version']).status !== 0 ? 'tshark is not installed' : false;

t.test('tshark decodes every message and BGP-LS field we make', { skip: noTshark }, (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lsoe-bgp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'bgp.pcap');
  // tshark 4.0 stops reading an NLRI list at TLV 535 (it predates it): the IPv6 prefix
  // also goes alone, so its fields are read.
  const v6 = encodeMessage({ type: 'UPDATE', withdrawn: '', nlri: '', attributes: [{ kind: 'mp-reach', afi: 16388, safi: 71, nextHop: ['10.0.0.1'], nlri: [PREFIX6] }] });
  writeTcpPcap(file, [...MESSAGES.map((m) => Buffer.from(m.hex, 'hex')), v6]);
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', ...FIELDS.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => Object.fromEntries(l.split('|').map((v, i) => [FIELDS[i]!, v])));
  t.equal(rows.length, MESSAGES.length + 1, 'one packet per message');
  t.strictSame(rows.map((x) => x['bgp.type']), ['1', '1', '4', '3', '3', '5', '2', '2', '2', '2'], 'message types');
  t.equal(rows[0]!['bgp.open.myas'], '65001');
  t.equal(rows[1]!['bgp.open.myas'], '23456', 'AS_TRANS');
  t.equal(rows[3]!['bgp.notify.major_error'], '6', 'Cease');
  const node = rows[6]!;
  t.equal(node['bgp.ls.nlri_type'], '1', 'Node NLRI');
  t.equal(node['bgp.ls.nlri_node.protocol_id'], '7', 'Protocol-ID BGP');
  t.equal(node['bgp.ls.tlv.autonomous_system.id'], '65001');
  t.equal(node['bgp.ls.tlv.bgp_router_id.id'], '10.0.0.1');
  t.equal(node['bgp.ls.tlv.node_name_value'], 'leaf1', 'Node Name');
  const link = rows[7]!;
  t.equal(link['bgp.ls.nlri_type'], '2', 'Link NLRI');
  t.equal(link['bgp.ls.tlv.autonomous_system.id'], '65001,65001', 'both ASes, local first');
  t.equal(link['bgp.ls.tlv.bgp_router_id.id'], '10.0.0.1,10.0.0.2', 'both router-ids, local first');
  t.equal(link['bgp.ls.nlri_ipv4_interface_address'], '192.0.2.0');
  t.equal(link['bgp.ls.nlri_ipv4_neighbor_address'], '192.0.2.1');
  t.equal(link['bgp.ls.nlri_ipv6_interface_address'], '2001:db8::');
  t.equal(link['bgp.ls.nlri_ipv6_neighbor_address'], '2001:db8::1');
  t.equal(link['bgp.ls.tlv.link_name_attribute_value'], 'swp1', 'Link Name');
  t.equal(rows[8]!['bgp.ls.nlri_type'], '3', 'withdrawn IPv4 Prefix NLRI');
  t.equal(rows[8]!['bgp.ls.nlri_ip_reachability_prefix_ip'], '10.0.0.1');
  t.equal(rows[9]!['bgp.ls.nlri_type'], '4', 'IPv6 Prefix NLRI');
  t.end();
});
