// The protocol's MUSTs that are about meaning rather than form, checked after a PDU
// decoded and before one is encoded (GoBGP keeps these apart in validate.go too).
// Offsets are octets from the start of the PDU, recomputed from the fixed layout.
import { DecodeError } from './errors.js';
import { encapsulationEntryLength } from './pdu/encapsulation.js';
import { ErrorType, PduType, type Pdu } from './types.js';

/** Types that are never acked: an ACK of one is an error (draft-ietf-lsvr-lsoe-01 section 6). */
const NEVER_ACKED: ReadonlySet<number> = new Set([PduType.HELLO, PduType.KEEPALIVE, PduType.ACK]);

export function validatePdu(pdu: Pdu): void {
  switch (pdu.type) {
    case 'ACK': {
      // Unknown type codes are let through: a future acked type must not break us.
      if (NEVER_ACKED.has(pdu.ackType)) {
        throw fail(pdu, `ACK acked type: ${pdu.ackType} is never acked`, 3);
      }
      // Section 12: NO_ERROR carries no code and no hint.
      if (pdu.errorType === ErrorType.NO_ERROR && pdu.errorCode !== 0) {
        throw fail(pdu, `ACK error code: ${pdu.errorCode} with error type NO_ERROR`, 4);
      }
      if (pdu.errorType === ErrorType.NO_ERROR && pdu.errorHint !== 0) {
        throw fail(pdu, `ACK error hint: ${pdu.errorHint} with error type NO_ERROR`, 6);
      }
      return;
    }
    case 'IPV4_ENCAPSULATION':
    case 'IPV6_ENCAPSULATION':
    case 'MPLS_IPV4_ENCAPSULATION':
    case 'MPLS_IPV6_ENCAPSULATION': {
      const max = pdu.type === 'IPV4_ENCAPSULATION' || pdu.type === 'MPLS_IPV4_ENCAPSULATION' ? 32 : 128;
      for (let i = 0; i < pdu.encaps.length; i++) {
        const e = pdu.encaps[i]!;
        if (e.prefixLength > max) {
          // Offset of this entry's prefix length: only worked out on failure.
          let at = 5;
          for (let k = 0; k <= i; k++) at += encapsulationEntryLength(pdu.type, pdu.encaps[k]!);
          throw fail(pdu, `${pdu.type} entry ${i} prefix length: ${e.prefixLength} is over ${max}`, at - 1);
        }
      }
      return;
    }
    default:
      return;
  }
}

function fail(pdu: Pdu, message: string, offset: number): DecodeError {
  return new DecodeError('pdu', `${message} at offset ${offset}`, offset, PduType[pdu.type as keyof typeof PduType]);
}
