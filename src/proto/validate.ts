// The protocol's MUSTs that are about meaning rather than form. Each rule is
// defined once here and applied in two places: by the PDU walkers (pdu/*.ts)
// on received octets, and by validatePdu on a PDU model before it is encoded
// (GoBGP keeps these apart in validate.go too). Offsets are octets from the
// start of the PDU.
import { DecodeError } from './errors.js';
import { ENCAPSULATION_LAYOUTS, encapsulationEntryLength } from './pdu/encapsulation-layout.js';
import { ErrorType, PduType, type EncapsulationTypeName, type Pdu } from './types.js';

/** Types that are never acked: an ACK of one is an error (draft-ietf-lsvr-lsoe-01 section 6). */
const NEVER_ACKED: ReadonlySet<number> = new Set([PduType.HELLO, PduType.KEEPALIVE, PduType.ACK]);

/** The ACK's fields break a rule: the error to throw, or null. */
export function ackViolation(ackType: number, errorType: number, errorCode: number, errorHint: number): DecodeError | null {
  // Unknown type codes are let through: a future acked type must not break us.
  if (NEVER_ACKED.has(ackType)) return fail(PduType.ACK, `ACK acked type: ${ackType} is never acked`, 3);
  // Section 12: NO_ERROR carries no code and no hint.
  if (errorType === ErrorType.NO_ERROR && errorCode !== 0) {
    return fail(PduType.ACK, `ACK error code: ${errorCode} with error type NO_ERROR`, 4);
  }
  if (errorType === ErrorType.NO_ERROR && errorHint !== 0) {
    return fail(PduType.ACK, `ACK error hint: ${errorHint} with error type NO_ERROR`, 6);
  }
  return null;
}

/** The longest prefix an entry of `type` may have. */
export function maxPrefixLength(type: EncapsulationTypeName): number {
  return ENCAPSULATION_LAYOUTS[type].maxPrefix;
}

/** Entry `index`'s prefix length (the octet at `offset`) is over the maximum. */
export function prefixViolation(type: EncapsulationTypeName, index: number, prefixLength: number, offset: number): DecodeError {
  return fail(PduType[type], `${type} entry ${index} prefix length: ${prefixLength} is over ${maxPrefixLength(type)}`, offset);
}

/** Applies the rules to a PDU model (before encoding it). */
export function validatePdu(pdu: Pdu): void {
  switch (pdu.type) {
    case 'ACK': {
      const bad = ackViolation(pdu.ackType, pdu.errorType, pdu.errorCode, pdu.errorHint);
      if (bad) throw bad;
      return;
    }
    case 'IPV4_ENCAPSULATION':
    case 'IPV6_ENCAPSULATION':
    case 'MPLS_IPV4_ENCAPSULATION':
    case 'MPLS_IPV6_ENCAPSULATION': {
      const max = maxPrefixLength(pdu.type);
      for (let i = 0; i < pdu.encaps.length; i++) {
        if (pdu.encaps[i]!.prefixLength > max) {
          // Offset of this entry's prefix length: only worked out on failure.
          let at = 5;
          for (let k = 0; k <= i; k++) at += encapsulationEntryLength(pdu.type, pdu.encaps[k]!);
          throw prefixViolation(pdu.type, i, pdu.encaps[i]!.prefixLength, at - 1);
        }
      }
      return;
    }
    default:
      return;
  }
}

function fail(type: number, message: string, offset: number): DecodeError {
  return new DecodeError('pdu', `${message} at offset ${offset}`, offset, type);
}
