// The looking glass answers only requests whose Host header names this daemon: the
// listen address (any of this machine's addresses when listening on all of them) or
// localhost. A page on another site whose DNS name an attacker points at us (DNS
// rebinding) sends its own name and is refused; a scraper on another machine sends the
// switch's address and is served, so a loopback-only check would be wrong here.
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

const WILDCARDS = new Set(['0.0.0.0', '::']);

/** The host part of a Host header (`[::1]:9717` → `::1`), lowercased; null when it has none. */
export function hostOf(header: string | undefined): string | null {
  if (header === undefined || header === '') return null;
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(header) ?? /^([^:]+)(?::\d+)?$/.exec(header);
  return m ? m[1]!.toLowerCase() : null;
}

export function hostAllowed(header: string | undefined, listenHost: string): boolean {
  const host = hostOf(header);
  if (host === null) return false;
  if (host === 'localhost' || host === '127.0.0.1' || host === '::1') return true;
  if (isIP(host) === 0) return false;
  if (!WILDCARDS.has(listenHost)) return host === listenHost.toLowerCase();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.address.toLowerCase() === host) return true;
  }
  return false;
}
