// The pure pieces behind the tables: durations, labels, flags, ordering, counts, and the
// daemon-less --local computation.
import t from 'tap';
import { formatAgo, formatDuration } from '../../src/render/duration.js';
import { flagsText, labelText, learnedRows } from '../../src/views/encaps-table.js';
import { sessionRow, sortSessions, summarise, upFor } from '../../src/views/sessions-table.js';
import { announcedFromTable } from '../../src/views/encaps-local-offline.js';
import { parseMacOption } from '../../src/views/peer-filter.js';
import { buildConfig } from '../../src/daemon/config.js';
import type { NetInterface } from '../../src/io/interfaces.js';
import { session } from './in-memory-core.js';

t.test('durations', async (t) => {
  t.same([0, 59.9, 60, 187, 3600, 3725, 86399, 90000, -5].map(formatDuration), [
    '0s', '59s', '1m00s', '3m07s', '1h00m', '1h02m', '23h59m', '1d01h', '0s',
  ]);
  const now = Date.parse('2026-11-21T00:01:00Z');
  t.equal(formatAgo('2026-11-21T00:00:30Z', now), '30s ago');
  t.equal(formatAgo(null, now), '-');
  t.equal(formatAgo('not a time', now), '-');
});

t.test('labels and flags', async (t) => {
  t.equal(labelText('00fa01'), '4000 (00fa01)');
  t.equal(labelText('03e821'), '16002 (03e821)');
  t.equal(labelText('fffff0'), '1048575 (fffff0)');
  t.equal(labelText('abcd'), 'abcd', 'not 3 octets: shown as it is');
  t.equal(flagsText({ address: 'x', prefixLength: 1, primary: true, loopback: true }), 'PL');
  t.equal(flagsText({ address: 'x', prefixLength: 1, primary: false, loopback: false }), '-');
  t.same(
    learnedRows([{ ifname: 'e', peerMac: 'm', peerId: null, type: 'IPV6_ENCAPSULATION', encaps: [] }]),
    [],
    'an empty list gives no rows',
  );
});

t.test('sessions: order, rows and counts', async (t) => {
  const now = Date.parse('2026-11-21T00:10:00Z');
  const list = [
    session({ ifname: 'eth10', peerMac: '02:00:00:00:00:01', state: 'open' }),
    session({ ifname: 'eth2', peerMac: '02:00:00:00:00:02', state: 'opening', since: '2026-11-21T00:09:00Z' }),
    session({ ifname: 'eth2', peerMac: '02:00:00:00:00:01', state: 'open', since: '2026-11-21T00:07:55Z' }),
  ];
  t.same(
    sortSessions(list).map((s) => `${s.state} ${s.ifname} ${s.peerMac.slice(-2)}`),
    ['open eth2 01', 'open eth10 01', 'opening eth2 02'],
    'open first, interfaces in natural order',
  );
  t.same(sessionRow(list[2]!, now), ['eth2', '02:00:00:00:00:01', '0102030405060708090a', 'open', '2m05s', '9m55s ago', '10/11', '1']);
  t.equal(upFor(list[1]!, now), '-', 'an opening session is not up');
  t.same(summarise(list), {
    sessions: 3,
    open: 2,
    opening: 1,
    hopeless: 0,
    heldDown: 0,
    interfaces: [
      { ifname: 'eth2', open: 1, opening: 1, hopeless: 0, heldDown: 0 },
      { ifname: 'eth10', open: 1, opening: 0, hopeless: 0, heldDown: 0 },
    ],
  });
  const more = [...list, { ...list[0]!, state: 'hopeless' as const }, { ...list[0]!, ifname: 'eth3', state: 'held-down' as const }];
  t.match(summarise(more), { sessions: 5, open: 2, opening: 1, hopeless: 1, heldDown: 1 }, 'hopeless and held-down counted apart');
  t.same(sortSessions(more).map((s) => s.state).slice(-2), ['hopeless', 'held-down'], 'after open and opening');
});

t.test('--peer takes the usual MAC spellings and refuses others', async (t) => {
  t.equal(parseMacOption('--peer', 'AA-BB-CC-DD-EE-0F'), 'aa:bb:cc:dd:ee:0f');
  t.throws(() => parseMacOption('--peer', 'aa:bb:cc'), { exitCode: 2, message: /--peer: 'aa:bb:cc' is not a MAC address/ });
});

function iface(over: Partial<NetInterface> & Pick<NetInterface, 'name'>): NetInterface {
  return {
    index: 1,
    mac: '02:00:00:00:00:01',
    adminUp: true,
    lowerUp: true,
    up: true,
    loopback: false,
    mtu: 1500,
    linkType: 'ether',
    addresses: [],
    ...over,
  };
}

t.test('--local without a daemon: the daemon rules for interfaces, its addresses', async (t) => {
  const table: NetInterface[] = [
    iface({
      name: 'lo',
      loopback: true,
      linkType: 'loopback',
      mac: '00:00:00:00:00:00',
      addresses: [
        { family: 'inet', address: '127.0.0.1', prefixLength: 8, scope: 'host', secondary: false, tentative: false },
        { family: 'inet', address: '192.0.2.1', prefixLength: 32, scope: 'global', secondary: false, tentative: false },
      ],
    }),
    iface({
      name: 'eth1',
      addresses: [
        { family: 'inet', address: '10.0.0.0', prefixLength: 31, scope: 'global', secondary: false, tentative: false },
        { family: 'inet6', address: 'fe80::1', prefixLength: 64, scope: 'link', secondary: false, tentative: false },
      ],
    }),
    iface({ name: 'eth2', up: false, lowerUp: false }),
    iface({ name: 'tun0', mac: null, linkType: 'none' }),
  ];
  const out = announcedFromTable(table, buildConfig({ flags: { 'mpls-ipv4-encapsulation': '192.0.2.1/32 label 16001' } }));
  t.same(
    out.map((a) => [a.ifname, a.type, a.encaps.map((e) => `${e.address}/${e.prefixLength}${flagsText(e)}${e.labels ? ' ' + e.labels.join(' ') : ''}`)]),
    [
      ['eth1', 'IPV4_ENCAPSULATION', ['10.0.0.0/31P', '192.0.2.1/32L']],
      ['eth1', 'IPV6_ENCAPSULATION', []],
      ['eth1', 'MPLS_IPV4_ENCAPSULATION', ['192.0.2.1/32- 03e811']],
      ['eth1', 'MPLS_IPV6_ENCAPSULATION', []],
    ],
    'only up Ethernet interfaces; loopback addresses added with L; link-local left out',
  );
  const explicit = announcedFromTable(table, buildConfig({ flags: { interface: 'eth*' } }));
  t.same([...new Set(explicit.map((a) => a.ifname))], ['eth1'], 'a down interface announces nothing');
});
