// Parsing `ip -j addr show` (fixtures captured from iproute2 6.1 in a network
// namespace) and turning two tables into change events. No root needed.
import t from 'tap';
import { InterfaceError, parseIpAddrJson, type NetInterface } from '../../src/io/interfaces.js';
import { diffInterfaces } from '../../src/io/interface-monitor.js';

// lo, and a veth end with a /31, a primary /24, a secondary in the same /24, IPv6 global and link-local.
const UP_TABLE = `[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"qdisc":"noqueue","operstate":"UNKNOWN","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host","label":"lo","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"::1","prefixlen":128,"scope":"host","valid_life_time":4294967295,"preferred_life_time":4294967295}]},{"ifindex":2,"link_index":2,"ifname":"x1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"9a:1d:d7:8d:04:e4","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"addr_info":[{"family":"inet","local":"10.1.2.3","prefixlen":31,"scope":"global","label":"x1","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet","local":"10.1.2.9","prefixlen":24,"scope":"global","label":"x1","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet","local":"10.1.2.10","prefixlen":24,"scope":"global","secondary":true,"label":"x1","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"2001:db8::1","prefixlen":64,"scope":"global","nodad":true,"valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"fe80::981d:d7ff:fe8d:4e4","prefixlen":64,"scope":"link","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]`;

// admin up without carrier, tentative IPv6; and an admin-down end.
const NO_CARRIER = `[{"ifindex":4,"link":"y2","ifname":"y1","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP","M-DOWN"],"mtu":1500,"qdisc":"noqueue","operstate":"LOWERLAYERDOWN","group":"default","txqlen":1000,"link_type":"ether","address":"86:b5:ac:5d:c1:7b","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[{"family":"inet6","local":"2001:db8:1::5","prefixlen":64,"scope":"global","tentative":true,"valid_life_time":4294967295,"preferred_life_time":4294967295}]},{"ifindex":3,"link":"y1","ifname":"y2","flags":["BROADCAST","MULTICAST"],"mtu":1500,"qdisc":"noop","operstate":"DOWN","group":"default","txqlen":1000,"link_type":"ether","address":"22:71:23:8b:db:d2","broadcast":"ff:ff:ff:ff:ff:ff","addr_info":[]}]`;

t.test('parses links and addresses', async (t) => {
  const [lo, x1] = parseIpAddrJson(UP_TABLE);
  t.match(lo, { name: 'lo', index: 1, mac: null, loopback: true, up: true, mtu: 65536, linkType: 'loopback' });
  t.same(lo!.addresses.map((a) => `${a.address}/${a.prefixLength} ${a.scope}`), ['127.0.0.1/8 host', '::1/128 host']);
  t.match(x1, { name: 'x1', index: 2, mac: '9a:1d:d7:8d:04:e4', loopback: false, adminUp: true, lowerUp: true, up: true, mtu: 1500 });
  t.same(
    x1!.addresses.map((a) => [a.family, a.address, a.prefixLength, a.scope, a.secondary]),
    [
      ['inet', '10.1.2.3', 31, 'global', false],
      ['inet', '10.1.2.9', 24, 'global', false],
      ['inet', '10.1.2.10', 24, 'global', true],
      ['inet6', '2001:db8::1', 64, 'global', false],
      ['inet6', 'fe80::981d:d7ff:fe8d:4e4', 64, 'link', false],
    ],
  );
});

t.test('admin up without carrier is not up; admin down is not up; tentative is flagged', async (t) => {
  const [y1, y2] = parseIpAddrJson(NO_CARRIER);
  t.match(y1, { name: 'y1', adminUp: true, lowerUp: false, up: false });
  t.equal(y1!.addresses[0]!.tentative, true);
  t.match(y2, { name: 'y2', adminUp: false, lowerUp: false, up: false, addresses: [] });
});

t.test('bad output is a one-line InterfaceError', async (t) => {
  t.throws(() => parseIpAddrJson('Device "nope" does not exist.'), InterfaceError);
  t.throws(() => parseIpAddrJson('{"ifname":"x"}'), { message: /not a JSON array/ });
  t.throws(() => parseIpAddrJson('[{"flags":[]}]'), { message: /entry 0 has no ifname/ });
});

const base = (): NetInterface[] => parseIpAddrJson(UP_TABLE);

t.test('diff: nothing changed, nothing emitted', async (t) => {
  t.same(diffInterfaces(base(), base()), []);
});

t.test('diff: link down then up', async (t) => {
  const down = base();
  down[1] = { ...down[1]!, lowerUp: false, up: false };
  t.same(
    diffInterfaces(base(), down).map((e) => [e.type, e.iface.name]),
    [['link-down', 'x1']],
  );
  t.same(
    diffInterfaces(down, base()).map((e) => [e.type, e.iface.name]),
    [['link-up', 'x1']],
  );
});

t.test('diff: address added and removed', async (t) => {
  const next = base();
  const x1 = next[1]!;
  next[1] = {
    ...x1,
    addresses: [
      ...x1.addresses.filter((a) => a.address !== '10.1.2.9'),
      { family: 'inet6', address: '2001:db8:9::1', prefixLength: 128, scope: 'global', secondary: false, tentative: false },
    ],
  };
  const events = diffInterfaces(base(), next).map((e) => [e.type, 'address' in e ? `${e.address.address}/${e.address.prefixLength}` : '']);
  t.same(events, [
    ['address-removed', '10.1.2.9/24'],
    ['address-added', '2001:db8:9::1/128'],
  ]);
});

t.test('diff: a tentative address is added when DAD ends, not before', async (t) => {
  const [y1] = parseIpAddrJson(NO_CARRIER);
  const settled = { ...y1!, addresses: y1!.addresses.map((a) => ({ ...a, tentative: false })) };
  t.same(diffInterfaces([], [y1!]).map((e) => e.type), ['added']);
  t.same(
    diffInterfaces([y1!], [settled]).map((e) => e.type),
    ['address-added'],
  );
});

t.test('diff: interfaces appear, vanish, and change MTU or name', async (t) => {
  const [lo, x1] = base();
  t.same(diffInterfaces([lo!, x1!], [lo!]).map((e) => [e.type, e.iface.name]), [['removed', 'x1']]);
  t.same(diffInterfaces([lo!], [lo!, x1!]).map((e) => [e.type, e.iface.name]), [['added', 'x1']]);
  const renamed = { ...x1!, name: 'eth9', mtu: 9000 };
  const ev = diffInterfaces([x1!], [renamed]);
  t.equal(ev.length, 1);
  t.match(ev[0], { type: 'changed', iface: { name: 'eth9', mtu: 9000 }, previous: { name: 'x1', mtu: 1500 } });
});
