// More local addresses than one PDU carries: announce what fits (primary, loopbacks,
// then the rest), warn once per interface, count, never flap the sessions (issue 9).
import t from 'tap';
import { MemorySegment } from '../../src/io/memory-link.js';
import { FakeClock } from '../../src/daemon/clock.js';
import { fitList, fitOnePdu, MAX_PDU_LENGTH } from '../../src/daemon/encaps-fit.js';
import { encodePdu } from '../../src/proto/pdu/index.js';
import type { Encapsulation } from '../../src/proto/types.js';
import { iface, loIface, makeNode, run } from './harness.js';

function v4(i: number): string {
  return `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`;
}
function entry(i: number, flags: Partial<Encapsulation> = {}): Encapsulation {
  return { address: v4(i), prefixLength: 32, primary: false, loopback: false, ...flags };
}

t.test('fitList keeps primary, then loopbacks, then the first others, within one PDU', (t) => {
  const small = [entry(1, { primary: true }), entry(2)];
  t.same(fitList('IPV4_ENCAPSULATION', small), small, 'a list that fits is left as it is');
  // 12,000 entries: the primary and two loopbacks at the end, where a plain cut would lose them
  const big = [...Array.from({ length: 12_000 }, (_, i) => entry(i + 10)), entry(5, { loopback: true }), entry(6, { loopback: true }), entry(1, { primary: true })];
  const fitted = fitList('IPV4_ENCAPSULATION', big);
  t.equal(fitted.length, 10_921, 'as many 6-octet entries as a 65535-octet PDU holds');
  t.same(fitted.slice(0, 4).map((e) => e.address), ['10.0.0.1', '10.0.0.5', '10.0.0.6', '10.0.0.10']);
  t.equal(fitted.at(-1)!.address, v4(10 + 10_917), 'then the others in their order');
  const pdu = encodePdu({ type: 'IPV4_ENCAPSULATION', encaps: fitted } as never);
  t.ok(pdu.length <= MAX_PDU_LENGTH, `encodes to ${pdu.length} octets`);
  t.ok(pdu.length + 6 > MAX_PDU_LENGTH, 'and one more entry would not fit');
  const all = fitOnePdu({ IPV4_ENCAPSULATION: big, IPV6_ENCAPSULATION: [], MPLS_IPV4_ENCAPSULATION: [], MPLS_IPV6_ENCAPSULATION: [] });
  t.equal(all.notAnnounced, 12_003 - 10_921);
  t.same(all.cut, ['IPV4_ENCAPSULATION']);
  t.same(fitOnePdu(all.table).table, all.table, 'fitting again changes nothing (stable)');
  t.end();
});

t.test('a daemon with too many addresses announces what fits, warns once, keeps its session', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const addrs = Array.from({ length: 11_500 }, (_, i) => `${v4(i + 1)}/32`);
  const A = { ifname: 'eth0', mac: '02:00:00:00:00:0a', localId: '0a0a0a0a0a0a0a0a0a0a' };
  const a = makeNode(clock, segment, { ...A, addrs });
  const b = makeNode(clock, segment, {
    ifname: 'eth1',
    mac: '02:00:00:00:00:0b',
    localId: '0b0b0b0b0b0b0b0b0b0b',
    addrs: ['192.168.0.1/31'],
    flags: { 'max-encapsulations-per-type': '10921' },
  });
  const table = () => [iface(A.ifname, A.mac, addrs), loIface(['127.0.0.1/8', '192.0.2.1/32'])];
  a.setTable(table());
  await run(clock, 3);
  t.same(b.core.sessions().map((s) => s.state), ['open']);
  const learned = b.core.learnedEncaps().find((l) => l.type === 'IPV4_ENCAPSULATION')!.encaps;
  t.equal(learned.length, 10_921, 'the peer learned what fits one PDU');
  t.same(learned.slice(0, 2).map((e) => [e.address, e.primary, e.loopback]), [['10.0.0.1', true, false], ['192.0.2.1', false, true]]);
  const warnings = () => a.log.lines.filter((l) => l.level === 'warning' && /do not fit one PDU/.test(l.message));
  t.equal(warnings().length, 1, 'warned');
  // the first table (makeNode's, no loopback) left 11,500 − 10,921 out; the second, with a loopback, one more
  t.match(warnings()[0]!.message, /^eth0: 579 local encapsulation\(s\) do not fit one PDU \(IPV4_ENCAPSULATION\)/);
  const counted = a.core.counters().localEncapsNotAnnounced;
  t.equal(counted, 579 + 580, 'counted, once per announcement made');

  // the same table read again (a kernel event elsewhere), and one more address
  const downs = () => a.events.filter((e) => e.event === 'session-down').length + b.events.filter((e) => e.event === 'session-down').length;
  a.setTable(table());
  addrs.push('10.200.0.1/32');
  a.setTable(table());
  await run(clock, 5);
  t.equal(downs(), 0, 'no session went down');
  t.same([a.core.sessions()[0]!.state, b.core.sessions()[0]!.state], ['open', 'open']);
  t.equal(a.core.counters().localEncapsNotAnnounced, counted, 'an unchanged announcement is not counted again');
  t.equal(warnings().length, 1, 'still one warning');
  a.core.stop();
  b.core.stop();
});
