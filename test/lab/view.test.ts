import t from 'tap';
import { makePlan } from '../../src/lab/plan.js';
import type { StoredReport } from '../../src/lab/reports.js';
import { endStatuses, type SessionsByNode } from '../../src/lab/status.js';
import { clos } from '../../src/lab/topology.js';
import { buildView, linkState } from '../../src/lab/view.js';
import { applyChange, viewStep, viewText } from '../../src/lab/view-change.js';

const plan = makePlan({ name: 'v', links: clos(1, 2), port: 1 });
const [l0, l1] = plan.links as [(typeof plan.links)[0], (typeof plan.links)[0]];

t.test('link state from its two ends', async (t) => {
  t.equal(linkState('open', 'open'), 'up');
  t.equal(linkState('down', 'down'), 'down');
  t.equal(linkState('open', 'down'), 'partial');
  t.equal(linkState('opening', 'open'), 'partial');
  // a session given up (hopeless) or held down is not trying: with no better end, the link is down
  t.equal(linkState('hopeless', 'held-down'), 'down');
  t.equal(linkState('hopeless', 'down'), 'down');
  t.equal(linkState('held-down', 'opening'), 'partial');
  t.equal(linkState('open', 'hopeless'), 'partial');
});

t.test('hopeless and held-down ends keep their state; an unknown state is down', async (t) => {
  const ends = endStatuses(plan, new Map([
    ['spine0', [
      { ifname: 'leaf0', peerMac: l0.lower.mac, peerId: null, state: 'held-down' },
      { ifname: 'leaf1', peerMac: l1.lower.mac, peerId: null, state: 'exploded' },
    ]],
    ['leaf0', [{ ifname: 'spine0', peerMac: l0.upper.mac, peerId: null, state: 'hopeless' }]],
    ['leaf1', []],
  ]));
  t.same(ends.map((e) => [e.node, e.ifname, e.state]), [
    ['spine0', 'leaf0', 'held-down'],
    ['spine0', 'leaf1', 'down'],
    ['leaf0', 'spine0', 'hopeless'],
    ['leaf1', 'spine0', 'down'],
  ]);
  t.same(buildView(plan, ends, []).links.map((l) => l.state), ['down', 'down']);
});

t.test('session ends come from the daemons, laid over the plan', async (t) => {
  const sessions: SessionsByNode = new Map([
    ['spine0', [
      { ifname: 'leaf0', peerMac: l0.lower.mac, peerId: 'aa', state: 'open', since: 's', lastHeard: 'h' },
      { ifname: 'leaf1', peerMac: l1.lower.mac, peerId: null, state: 'opening' },
    ]],
    ['leaf0', [{ ifname: 'spine0', peerMac: l0.upper.mac, peerId: 'bb', state: 'open' }]],
    ['leaf1', null],
  ]);
  const ends = endStatuses(plan, sessions);
  t.same(ends.map((e) => [e.node, e.ifname, e.peerNode, e.state, e.daemon]), [
    ['spine0', 'leaf0', 'leaf0', 'open', true],
    ['spine0', 'leaf1', 'leaf1', 'opening', true],
    ['leaf0', 'spine0', 'spine0', 'open', true],
    ['leaf1', 'spine0', 'spine0', 'down', false],
  ]);
  t.equal(ends[0]!.peerMac, l0.lower.mac);
  t.equal(ends[0]!.since, 's');
  // No session: the MAC at the other end of the wire.
  t.equal(ends[3]!.peerMac, l1.upper.mac);

  const reports: StoredReport[] = [
    { source: 'unix', switchId: plan.nodes[0]!.localId, ifname: 'leaf0', peerMac: l0.lower.mac, peerId: 'bb', type: 'IPV6', pduType: 5,
      encaps: [{ address: '2001:db8:1::2', prefixLength: 64, primary: true, loopback: false, labels: null }], heard: 'T2' },
    { source: 'unix', switchId: plan.nodes[0]!.localId, ifname: 'leaf0', peerMac: l0.lower.mac, peerId: 'bb', type: 'IPV4', pduType: 4,
      encaps: [{ address: '198.18.0.1', prefixLength: 31, primary: true, loopback: false, labels: null },
        { address: '198.19.0.2', prefixLength: 32, primary: false, loopback: true, labels: null }], heard: 'T1' },
    { source: '127.0.0.1', switchId: '0102', ifname: 'eth1', peerMac: 'aa:bb:cc:dd:ee:ff', peerId: null, type: 'MPLS_IPV4', pduType: 6,
      encaps: [{ address: '10.0.0.1', prefixLength: 31, primary: true, loopback: false, labels: ['00fa01', '000011'] }], heard: 'T3' },
  ];
  const view = buildView(plan, ends, reports);
  t.same(view.links.map((l) => l.state), ['up', 'partial']);
  t.same(view.nodes.map((n) => [n.name, n.daemon]), [['spine0', true], ['leaf0', true], ['leaf1', false]]);
  const spine = view.switches[0]!;
  t.equal(spine.node, 'spine0');
  // IPv4 before IPv6, one row per prefix, flags as the reference collector shows them.
  // Heard: the session's lastHeard ('h'), not the time of the report.
  t.same(spine.rows.map((r) => [r.ifname, r.type, r.prefix, r.flags, r.heard, r.heardFrom]), [
    ['leaf0', 'IPV4', '198.18.0.1/31', 'P', 'h', 'session'],
    ['leaf0', 'IPV4', '198.19.0.2/32', 'L', 'h', 'session'],
    ['leaf0', 'IPV6', '2001:db8:1::2/64', 'P', 'h', 'session'],
    ['leaf1', null, null, '', null, null],
  ]);
  // A switch outside the lab gets its own table; it has no session we know of, so the
  // report's time stands in and says so. Labels as the CLI shows them.
  const outside = view.switches.at(-1)!;
  t.same([outside.id, outside.node, outside.rows[0]!.labels, outside.rows[0]!.state, outside.rows[0]!.heard, outside.rows[0]!.heardFrom],
    ['0102', null, '4000 (00fa01) 1 (000011)', null, 'T3', 'report']);
});

t.test('a view step: nothing, heard times only, the parts that changed, or whole when the shape changed', async (t) => {
  const heardAt = (h: string) => (state: string): SessionsByNode => new Map([
    ['spine0', [
      { ifname: 'leaf0', peerMac: l0.lower.mac, peerId: null, state, lastHeard: h },
      { ifname: 'leaf1', peerMac: l1.lower.mac, peerId: null, state: 'open', lastHeard: h },
    ]],
    ['leaf0', [{ ifname: 'spine0', peerMac: l0.upper.mac, peerId: null, state: 'open', lastHeard: h }]],
    ['leaf1', [{ ifname: 'spine0', peerMac: l1.upper.mac, peerId: null, state: 'open', lastHeard: h }]],
  ]);
  const view = (s: SessionsByNode, reports: StoredReport[] = []) => buildView(plan, endStatuses(plan, s), reports);
  const a = view(heardAt('2026-01-01T00:00:01.000Z')('open'));
  t.same(viewStep(null, viewText(a), a), { kind: 'whole' }, 'no view before: whole');
  t.same(viewStep(viewText(a), viewText(a), a), { kind: 'same' });
  const b = view(heardAt('2026-01-01T00:00:02.000Z')('open'));
  t.same(viewStep(viewText(a), viewText(b), b), { kind: 'heard' });
  const c = view(heardAt('2026-01-01T00:00:02.000Z')('opening'));
  const step = viewStep(viewText(a), viewText(c), c);
  if (step.kind !== 'change') throw new Error(step.kind);
  t.same(step.change.links.map(([i]) => i), [0]);
  t.same(step.change.nodes, []);
  t.same(step.change.switches.map(([i]) => i), [0], "spine0's table only");
  t.equal(step.heardToo, true, 'the other heard times moved as well');
  t.notOk('bgp' in step.change);
  t.same(applyChange(structuredClone(b), step.change), c, 'laid over the view before (heard times sent apart), it is the view after');
  const outsider: StoredReport = { switchId: '0a0b', ifname: 'eth1', peerMac: 'aa:bb:cc:dd:ee:ff', peerId: null, type: 'IPV4', pduType: null, encaps: [], heard: '2026-01-01T00:00:00.000Z', source: 's' };
  const d = view(heardAt('2026-01-01T00:00:02.000Z')('opening'), [outsider]);
  t.same(viewStep(viewText(c), viewText(d), d), { kind: 'whole' }, 'another switch: whole');
});
