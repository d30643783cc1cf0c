// Small helpers around a session that the daemon also needs.

import type { Mac } from '../types.js';
import { DEFAULT_TIMING, type Session, type SessionTimingParams } from './types.js';

/** The table key of a session: one per (interface, neighbour MAC). */
export function sessionKey(ifname: string, peerMac: Mac): string {
  return `${ifname}|${peerMac.toLowerCase()}`;
}

export function isOpen(session: Session): boolean {
  return session.phase === 'open';
}

/**
 * Fill in defaults and keep values usable: negative or non-finite intervals fall back
 * to the default, and at least one send is always allowed before giving up.
 * (The config parser rejects bad values with a message; this only guards the machine.)
 */
export function resolveTiming(partial: Partial<SessionTimingParams> = {}): SessionTimingParams {
  const seconds = (v: number | undefined, d: number, allowZero: boolean): number =>
    v !== undefined && Number.isFinite(v) && (v > 0 || (allowZero && v === 0)) ? v : d;
  const maxDrop = partial.retransmitMaxDrop;
  return {
    retransmitInitialInterval: seconds(
      partial.retransmitInitialInterval,
      DEFAULT_TIMING.retransmitInitialInterval,
      false,
    ),
    retransmitExponentialBackoff:
      partial.retransmitExponentialBackoff ?? DEFAULT_TIMING.retransmitExponentialBackoff,
    retransmitMaxDrop:
      maxDrop !== undefined && Number.isInteger(maxDrop) && maxDrop >= 1
        ? maxDrop
        : DEFAULT_TIMING.retransmitMaxDrop,
    keepaliveSendInterval: seconds(
      partial.keepaliveSendInterval,
      DEFAULT_TIMING.keepaliveSendInterval,
      false,
    ),
    keepaliveReceiveTimeout: seconds(
      partial.keepaliveReceiveTimeout,
      DEFAULT_TIMING.keepaliveReceiveTimeout,
      true,
    ),
  };
}
