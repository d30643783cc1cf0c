// The one table of the four encapsulation layouts: each entry's octets as the
// codec lays them out on the wire, the index order the JSON sink's tables use,
// and the prefix bound validation applies.
import t from 'tap';
import { DecodeError } from '../../src/proto/errors.js';
import { ENCAPSULATION_LAYOUT_LIST, ENCAPSULATION_LAYOUTS, encapsulationEntryLength } from '../../src/proto/pdu/encapsulation-layout.js';
import { decodePdu, encodePdu } from '../../src/proto/pdu/index.js';
import { ENCAPSULATION_TYPES, PduType, type Encapsulation, type EncapsulationTypeName } from '../../src/proto/types.js';

const address = (type: EncapsulationTypeName): string => (ENCAPSULATION_LAYOUTS[type].ipv6 ? '2001:db8::1' : '10.0.0.1');

t.test('the layouts in ENCAPSULATION_TYPES order, indexed ipv6 | mpls << 1', async (t) => {
  t.same(
    ENCAPSULATION_LAYOUT_LIST.map((l) => [l.name, l.index, l.type, l.ipv6, l.mpls, l.addrLen, l.maxPrefix]),
    [
      ['IPV4_ENCAPSULATION', 0, PduType.IPV4_ENCAPSULATION, false, false, 4, 32],
      ['IPV6_ENCAPSULATION', 1, PduType.IPV6_ENCAPSULATION, true, false, 16, 128],
      ['MPLS_IPV4_ENCAPSULATION', 2, PduType.MPLS_IPV4_ENCAPSULATION, false, true, 4, 32],
      ['MPLS_IPV6_ENCAPSULATION', 3, PduType.MPLS_IPV6_ENCAPSULATION, true, true, 16, 128],
    ],
  );
  for (const type of ENCAPSULATION_TYPES) t.equal(ENCAPSULATION_LAYOUTS[type], ENCAPSULATION_LAYOUT_LIST[ENCAPSULATION_LAYOUTS[type].index], type);
});

t.test('an entry\'s length is what the codec puts on the wire, labels or not', async (t) => {
  for (const type of ENCAPSULATION_TYPES) {
    const mpls = ENCAPSULATION_LAYOUTS[type].mpls;
    for (const labels of mpls ? [0, 1, 2, 5] : [0]) {
      const e: Encapsulation = {
        address: address(type),
        prefixLength: 24,
        primary: true,
        loopback: false,
        ...(mpls && { labels: Array.from({ length: labels }, (_, k) => (0x100 + k).toString(16).padStart(6, '0')) }),
      };
      // two entries against one: the difference is one entry, whatever the header
      const one = encodePdu({ type, encaps: [e] } as never).length;
      const two = encodePdu({ type, encaps: [e, e] } as never).length;
      t.equal(encapsulationEntryLength(type, e), two - one, `${type}, ${labels} label(s)`);
    }
  }
  // a model not checked yet: labels that are no list count as none (encoding refuses them)
  const bad = { address: '10.0.0.1', prefixLength: 24, primary: false, loopback: false, labels: '000100' } as unknown as Encapsulation;
  t.equal(encapsulationEntryLength('MPLS_IPV4_ENCAPSULATION', bad), 1 + 1 + 4 + 1);
  t.throws(() => encodePdu({ type: 'MPLS_IPV4_ENCAPSULATION', encaps: [bad] } as never), DecodeError);
});

t.test('the prefix bound of each layout: at most the address\'s bits', async (t) => {
  for (const type of ENCAPSULATION_TYPES) {
    const max = ENCAPSULATION_LAYOUTS[type].maxPrefix;
    const pdu = encodePdu({ type, encaps: [{ address: address(type), prefixLength: max, primary: false, loopback: false }] } as never);
    t.equal((decodePdu(pdu) as { encaps: Encapsulation[] }).encaps[0]!.prefixLength, max, `${type}: /${max} taken`);
    // one more, on the wire (the encoder would refuse it before the decoder saw it): the entry's last octet
    const over = Buffer.from(pdu);
    over[over.length - 1] = max + 1;
    t.throws(() => decodePdu(over), { name: 'DecodeError', message: new RegExp(`prefix length: ${max + 1} is over ${max}`) }, `${type}: /${max + 1} refused by the decoder`);
  }
});
