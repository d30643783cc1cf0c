// PROTOCOL.md section 8's router-id rule, used for us and for every peer so the two
// halves of a link name each other alike: the lowest IPv4 address announced with the
// Loopback flag, leaving out 127/8, 0/8 and 169.254/16.
import type { Encapsulation } from '../../proto/types.js';
import { ipv4Number } from '../wire/address.js';

function usableRouterId(address: string): boolean {
  return !/^(127|0)\./.test(address) && !address.startsWith('169.254.') && !address.includes(':');
}

/** The router-id a list of IPv4 encapsulations implies, or null when there is none. */
export function routerIdOf(encaps: readonly Encapsulation[]): string | null {
  let best: string | null = null;
  for (const e of encaps) {
    if (!e.loopback || !usableRouterId(e.address)) continue;
    if (best === null || ipv4Number(e.address) < ipv4Number(best)) best = e.address;
  }
  return best;
}
