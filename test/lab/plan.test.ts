import t from 'tap';
import { bgpBatch, nodeBatch, rootBatch } from '../../src/lab/netns.js';
import {
  checkLabName, linkAddress4, linkAddress6, linkEnds, localIdOf, loopback4Of, loopback6Of, macOf, makePlan,
} from '../../src/lab/plan.js';
import { clos } from '../../src/lab/topology.js';

t.test('lab names cannot contain "-" (it ends the lab part of a namespace name)', async (t) => {
  t.equal(checkLabName('lab_1'), null);
  t.match(checkLabName('a-b'), /bad lab name 'a-b'/);
  t.match(checkLabName(''), /bad lab name/);
  t.match(checkLabName('x'.repeat(25)), /bad lab name/);
});

t.test('addresses come from test and documentation ranges, two per link', async (t) => {
  t.equal(linkAddress4(0, false), '198.18.0.0/31');
  t.equal(linkAddress4(0, true), '198.18.0.1/31');
  t.equal(linkAddress4(200, true), '198.18.1.145/31');
  t.equal(linkAddress6(31, false), '2001:db8:1:1f::1/64');
  t.equal(linkAddress6(31, true), '2001:db8:1:1f::2/64');
  t.equal(linkAddress6(0, true), '2001:db8:1::2/64');
  t.equal(loopback4Of(0), '198.19.0.1/32');
  t.equal(loopback4Of(255), '198.19.1.0/32');
  t.equal(loopback6Of(10), '2001:db8:ffff::b/128');
  t.equal(macOf(1, 2), '02:4c:00:01:00:02');
  t.equal(macOf(300, 258), '02:4c:01:2c:01:02');
});

t.test('local IDs are the node name in ASCII, zero-padded, like the reference demo', async (t) => {
  t.equal(localIdOf('spine0'), Buffer.from('spine0\0\0\0\0').toString('hex'));
  t.equal(localIdOf('leaf7'), '6c656166370000000000');
  // Too long for 10 octets: a hash, still 10 octets and still distinct.
  t.match(localIdOf('a-very-long-switch-name'), /^[0-9a-f]{20}$/);
  t.not(localIdOf('a-very-long-switch-name'), localIdOf('a-very-long-switch-name2'));
});

t.test('the plan of a 2 x 3 lab', async (t) => {
  const plan = makePlan({ name: 'p1', links: clos(2, 3), port: 9999, stateRoot: '/tmp/lab-root' });
  t.equal(plan.stateDir, '/tmp/lab-root/p1');
  t.same(plan.nodes.map((n) => n.netns), ['lsoe-p1-spine0', 'lsoe-p1-spine1', 'lsoe-p1-leaf0', 'lsoe-p1-leaf1', 'lsoe-p1-leaf2']);
  t.equal(plan.nodes[0]!.socket, '/tmp/lab-root/p1/spine0.sock');
  t.equal(plan.collector.url, 'http://127.0.0.1:9999/');
  t.equal(plan.links.length, 6);
  // Interfaces are named after the peer, as in the reference demo.
  const l = plan.links[4]!; // spine1 - leaf1
  t.same([l.upper.node, l.upper.ifname, l.lower.node, l.lower.ifname], ['spine1', 'leaf1', 'leaf1', 'spine1']);
  t.equal(l.upper.address4, '198.18.0.8/31');
  t.equal(l.lower.address4, '198.18.0.9/31');
  // Every MAC is distinct.
  const macs = plan.links.flatMap((x) => [x.upper.mac, x.lower.mac]);
  t.equal(new Set(macs).size, 12);
  const ends = linkEnds(plan);
  t.equal(ends.length, 12);
  t.same(ends.slice(0, 3).map((e) => `${e.end.node}:${e.end.ifname}>${e.peer.node}`), [
    'spine0:leaf0>leaf0', 'spine0:leaf1>leaf1', 'spine0:leaf2>leaf2',
  ]);
});

t.test('parallel links and long names fall back to eth<N>', async (t) => {
  const plan = makePlan({ name: 'p2', links: [['s', 'l'], ['s', 'l'], ['s', 'a-name-longer-than-15']], port: 1 });
  const names = plan.links.map((l) => [l.upper.ifname, l.lower.ifname]);
  t.same(names, [['eth0', 'eth0'], ['eth1', 'eth1'], ['eth2', 's']]);
});

t.test('ip batches spell out every keyword and create veths straight inside the namespaces', async (t) => {
  const plan = makePlan({ name: 'p3', links: [['b', 'a']], port: 1 });
  t.same(rootBatch(plan), [
    'netns add lsoe-p3-b',
    'netns add lsoe-p3-a',
    'link add name a address 02:4c:00:00:00:00 netns lsoe-p3-b type veth peer name b address 02:4c:00:01:00:00 netns lsoe-p3-a',
  ]);
  t.same(nodeBatch(plan, 'b'), [
    'link set dev lo up',
    'addr add 198.19.0.1/32 dev lo',
    'addr add 2001:db8:ffff::1/128 dev lo',
    'addr add 198.18.0.0/31 dev a',
    'addr add 2001:db8:1::1/64 dev a nodad',
    'link set dev a up',
  ]);
});

t.test('--bgp: gobgpd gets a namespace and a management bridge; each switch a veth on it', async (t) => {
  const plan = makePlan({ name: 'p4', links: [['b', 'mgmt']], port: 1, bgp: true });
  t.same(plan.links.map((l) => [l.upper.ifname, l.lower.ifname]), [['eth0', 'b']], "a switch called 'mgmt' does not take the management interface's name");
  t.same(rootBatch(plan).slice(3), [
    'netns add lsoe-p4-gobgpd',
    'link add name mgmt netns lsoe-p4-b type veth peer name m0 netns lsoe-p4-gobgpd',
    'link add name mgmt netns lsoe-p4-mgmt type veth peer name m1 netns lsoe-p4-gobgpd',
  ]);
  t.same(bgpBatch(plan), [
    'link set dev lo up',
    'link add name mgmt type bridge',
    'addr add 192.0.2.1/24 dev mgmt',
    'link set dev mgmt up',
    'link set dev m0 master mgmt',
    'link set dev m0 up',
    'link set dev m1 master mgmt',
    'link set dev m1 up',
  ]);
  t.same(nodeBatch(plan, 'mgmt').slice(3, 5), ['addr add 192.0.2.3/24 dev mgmt', 'link set dev mgmt up']);
  t.same(bgpBatch(makePlan({ name: 'p5', links: [['b', 'a']], port: 1 })), [], 'nothing without --bgp');
  t.throws(() => makePlan({ name: 'p6', links: [['gobgpd', 'a']], port: 1, bgp: true }), /no switch may be called 'gobgpd'/);
  const wide = Array.from({ length: 253 }, (_, i) => ['s', `l${i}`] as const);
  t.throws(() => makePlan({ name: 'p7', links: wide, port: 1, bgp: true }), /at most 253 switches/);
});
