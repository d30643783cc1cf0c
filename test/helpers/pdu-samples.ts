// One PDU of every type (and an unknown one), for tests that put them on a
// wire; the IPv6 encapsulation is big enough to need three LSOE frames.
import { splitPdu } from '../../src/proto/fragment.js';
import { encodePdu } from '../../src/proto/pdu/index.js';
import type { Encapsulation, Pdu } from '../../src/proto/types.js';

/** 200 IPv6 entries of 18 octets: 3605 octets, three 1492-octet frames. */
function manyIpv6(): Encapsulation[] {
  return Array.from({ length: 200 }, (_, i) => ({
    address: `2001:db8:${(i + 1).toString(16)}::1`,
    prefixLength: 64,
    primary: i === 0,
    loopback: false,
  }));
}

export const SAMPLE_PDUS: Pdu[] = [
  { type: 'HELLO' },
  { type: 'OPEN', nonce: 'a1b2c3d4', localId: '00112233445566778899', attributes: '0102' },
  { type: 'KEEPALIVE' },
  { type: 'ACK', ackType: 1, errorType: 0, errorCode: 0, errorHint: 0 },
  { type: 'IPV4_ENCAPSULATION', encaps: [{ address: '10.0.0.1', prefixLength: 31, primary: true, loopback: false }] },
  { type: 'IPV6_ENCAPSULATION', encaps: manyIpv6() },
  {
    type: 'MPLS_IPV4_ENCAPSULATION',
    encaps: [{ address: '192.0.2.1', prefixLength: 32, primary: false, loopback: true, labels: ['00fa01'] }],
  },
  {
    type: 'MPLS_IPV6_ENCAPSULATION',
    encaps: [{ address: '2001:db8::1', prefixLength: 128, primary: true, loopback: false, labels: ['00fa01', '00fb11'] }],
  },
  { type: 'VENDOR', enterpriseNumber: 32473, enterpriseType: 7, data: '0102' },
  { type: 'UNKNOWN', typeCode: 9, raw: '090005abcd' },
];

/** The LSOE frames (payloads after the EtherType) of a PDU. */
export function framesOf(pdu: Pdu): Buffer[] {
  return splitPdu(encodePdu(pdu));
}
