import t from 'tap';
import { announcedFor, changedTypes, loopbackAddresses } from '../../src/daemon/encaps-local.js';
import { NameSelector } from '../../src/daemon/glob.js';
import { deriveLocalId } from '../../src/daemon/local-id.js';
import type { NetInterface } from '../../src/io/interfaces.js';

function addr(family: 'inet' | 'inet6', address: string, prefixLength: number, extra: Partial<{ scope: string; secondary: boolean; tentative: boolean }> = {}) {
  return { family, address, prefixLength, scope: 'global', secondary: false, tentative: false, ...extra };
}

const eth: NetInterface = {
  name: 'eth1',
  index: 3,
  mac: '02:00:00:00:00:01',
  adminUp: true,
  lowerUp: true,
  up: true,
  loopback: false,
  mtu: 1500,
  linkType: 'ether',
  addresses: [
    addr('inet', '10.0.0.1', 31),
    addr('inet', '10.0.1.1', 24, { secondary: true }),
    addr('inet6', 'fe80::1', 64, { scope: 'link' }),
    addr('inet6', '2001:db8:0:0::1', 64, { tentative: true }),
    addr('inet6', '2001:DB8::2', 64),
  ],
};
const lo: NetInterface = {
  ...eth,
  name: 'lo',
  index: 1,
  mac: null,
  loopback: true,
  linkType: 'loopback',
  addresses: [addr('inet', '127.0.0.1', 8, { scope: 'host' }), addr('inet6', '::1', 128, { scope: 'host' }), addr('inet', '192.0.2.1', 32)],
};

t.test('announced: primary on the primary address, loopbacks flagged, link-local and tentative left out', async (t) => {
  const table = announcedFor(eth, loopbackAddresses([eth, lo], new NameSelector(['lo'])), { v4: [], v6: [] });
  t.same(table.IPV4_ENCAPSULATION, [
    { address: '10.0.0.1', prefixLength: 31, primary: true, loopback: false },
    { address: '10.0.1.1', prefixLength: 24, primary: false, loopback: false },
    { address: '192.0.2.1', prefixLength: 32, primary: false, loopback: true },
  ]);
  t.same(table.IPV6_ENCAPSULATION, [{ address: '2001:db8::2', prefixLength: 64, primary: true, loopback: false }]);
  t.same(table.MPLS_IPV4_ENCAPSULATION, []);
});

t.test('only changed types are re-announced', async (t) => {
  const before = announcedFor(eth, [], { v4: [], v6: [] });
  const after = announcedFor({ ...eth, addresses: [...eth.addresses, addr('inet', '10.9.9.9', 32, { secondary: true })] }, [], { v4: [], v6: [] });
  t.same(Object.keys(changedTypes(before, after)), ['IPV4_ENCAPSULATION']);
  t.same(Object.keys(changedTypes(null, after)).length, 4);
});

t.test('the derived Local ID is stable and differs per namespace', async (t) => {
  const a = deriveLocalId({ machineId: 'm1', netnsId: '4:4026531840' });
  t.equal(a, deriveLocalId({ machineId: 'm1', netnsId: '4:4026531840' }));
  t.match(a, /^[0-9a-f]{20}$/);
  t.not(a, deriveLocalId({ machineId: 'm1', netnsId: '4:4026532000' }));
  t.not(a, deriveLocalId({ machineId: 'm2', netnsId: '4:4026531840' }));
});
