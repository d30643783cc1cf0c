import t from 'tap';
import { buildReport, pythonJson } from '../../src/daemon/report.js';
import { normalizeId, parseReport, ReportStore, typeName } from '../../src/lab/reports.js';

// What our daemon POSTs (built by its own report code), as it goes on the wire.
const wire = (type: 'IPV4_ENCAPSULATION' | 'MPLS_IPV6_ENCAPSULATION', encaps: { address: string; prefixLength: number; primary: boolean; loopback: boolean; labels?: string[] }[]): unknown =>
  JSON.parse(
    pythonJson(
      buildReport({
        localId: '7370696e653000000000',
        sessionNumber: 7,
        ifname: 'leaf0',
        peerMac: '02:4c:00:02:00:00',
        peerId: '6c656166300000000000',
        peerAttributes: null,
        type,
        encaps,
      }),
    ),
  );

t.test('a report from our daemon is read with every field', async (t) => {
  const parsed = parseReport(wire('IPV4_ENCAPSULATION', [{ address: '198.18.0.1', prefixLength: 31, primary: true, loopback: false }]));
  if (!parsed.ok) throw new Error(parsed.error);
  t.same(parsed.report, {
    switchId: '7370696e653000000000',
    ifname: 'leaf0',
    peerMac: '02:4c:00:02:00:00',
    peerId: '6c656166300000000000',
    type: 'IPV4',
    pduType: 4,
    encaps: [{ address: '198.18.0.1', prefixLength: 31, primary: true, loopback: false, labels: null }],
  });
  t.same(parsed.unique, ['73:70:69:6e:65:30:00:00:00:00', 'leaf0', '02:4c:00:02:00:00', '6c:65:61:66:30:00:00:00:00:00', 'IPV4ENCAPSULATION']);
  const mpls = parseReport(wire('MPLS_IPV6_ENCAPSULATION', [{ address: '2001:db8::1', prefixLength: 128, primary: false, loopback: true, labels: ['00fa01'] }]));
  t.ok(mpls.ok && mpls.report.type === 'MPLS_IPV6' && mpls.report.encaps[0]!.labels![0] === '00fa01');
});

t.test('PDU names of both spellings map to one type name', async (t) => {
  t.equal(typeName('IPV6ENCAPSULATION', undefined), 'IPV6');
  t.equal(typeName('MPLSIPV4ENCAPSULATION', undefined), 'MPLS_IPV4');
  t.equal(typeName('MPLS_IPV6_ENCAPSULATION', undefined), 'MPLS_IPV6');
  t.equal(typeName('whatever', 5), 'IPV6');
  t.equal(normalizeId('0B:0c-0D'), '0b0c0d');
});

t.test('bad reports are refused with the field named', async (t) => {
  t.match(parseReport([1]), { ok: false, error: /JSON object/ });
  t.match(parseReport({ ifname: 'x' }), { ok: false, error: /my_switch_id/ });
  t.match(parseReport({ my_switch_id: 'a', ifname: 'x', peer_macaddr: 'm', encaps: 3 }), { ok: false, error: /^encaps/ });
  t.match(parseReport({ my_switch_id: 'a', ifname: 'x', peer_macaddr: 'm', encaps: [{ ipaddr: 1 }] }), { ok: false, error: /^encaps\[0\]/ });
});

t.test('the store keeps the latest report per source and unique key; empty encaps withdraw', async (t) => {
  const store = new ReportStore();
  const at = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  store.add(wire('IPV4_ENCAPSULATION', [{ address: '198.18.0.1', prefixLength: 31, primary: true, loopback: false }]), 'unix', at(1));
  store.add(wire('IPV4_ENCAPSULATION', [{ address: '198.18.0.3', prefixLength: 31, primary: true, loopback: false }]), 'unix', at(2));
  t.equal(store.all().length, 1);
  t.equal(store.all()[0]!.encaps[0]!.address, '198.18.0.3');
  t.equal(store.all()[0]!.heard, '2026-01-01T00:00:02.000Z');
  // The same report from another source is another row (the reference keys by client too).
  store.add(wire('IPV4_ENCAPSULATION', []), '127.0.0.1', at(3));
  t.equal(store.all().length, 2);
  store.add(wire('IPV4_ENCAPSULATION', []), 'unix', at(4));
  t.same(store.all().map((r) => r.encaps.length), [0, 0]);
  t.match(store.add({}, 'unix', at(5)), { ok: false });
});

t.test('the store is bounded: new keys beyond the limit are refused, known keys still update', async (t) => {
  const store = new ReportStore(2);
  const r = (ifname: string): unknown => ({ my_switch_id: '01', ifname, peer_macaddr: 'aa:bb:cc:dd:ee:ff', encaps: [] });
  t.match(store.add(r('a'), 's', new Date(0)), { ok: true });
  t.match(store.add(r('b'), 's', new Date(0)), { ok: true });
  t.match(store.add(r('c'), 's', new Date(0)), { ok: false, error: /holds 2 reports/ });
  t.match(store.add(r('a'), 's', new Date(1)), { ok: true });
  t.equal(store.all().length, 2);
});
