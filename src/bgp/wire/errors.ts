// The one error the BGP wire formats throw. Its code and subcode are the NOTIFICATION
// that RFC 4271 section 6 says to answer with, so the session machine sends it back
// as is (GoBGP's MessageError, after STYLE.md).
import { DecodeError } from '../../proto/errors.js';

/** NOTIFICATION error codes and the subcodes we use (RFC 4271 section 4.5, RFC 4486). */
export const ERR = {
  header: 1,
  open: 2,
  update: 3,
  holdTimer: 4,
  fsm: 5,
  cease: 6,
} as const;
export const HEADER_SUB = { notSynchronized: 1, badLength: 2, badType: 3 } as const;
export const OPEN_SUB = { unsupportedVersion: 1, badPeerAs: 2, badIdentifier: 3, unsupportedParameter: 4, unacceptableHoldTime: 6 } as const;
export const UPDATE_SUB = { malformedAttributes: 1, unrecognizedWellKnown: 2, missingWellKnown: 3, attributeFlags: 4, attributeLength: 5, optionalAttribute: 9 } as const;
export const CEASE_SUB = { adminShutdown: 2, peerDeconfigured: 3, adminReset: 4, otherConfigurationChange: 6 } as const;
/** RFC 6608: which state an unexpected message arrived in. */
export const FSM_SUB = { openSent: 1, openConfirm: 2, established: 3 } as const;

export class BgpMessageError extends Error {
  override readonly name = 'BgpMessageError';
  constructor(
    readonly code: number,
    readonly subcode: number,
    message: string,
    /** the NOTIFICATION's data field */
    readonly data: Buffer = Buffer.alloc(0),
  ) {
    super(message);
  }
}

/**
 * Runs a decoder that reads through the LSOE cursor (src/proto/cursor.ts) and turns its
 * bounds errors into the NOTIFICATION that fits where they happened.
 */
export function withCode<T>(code: number, subcode: number, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DecodeError) throw new BgpMessageError(code, subcode, `${what}: ${err.message}`);
    throw err;
  }
}
