// The -i/--peer filters shared by `sessions` and `encaps`.
import { CliError } from '../cli-error.js';

export interface PeerFilter {
  ifname?: string;
  /** normalised aa:bb:cc:dd:ee:ff */
  peerMac?: string;
}

/** Accepts aa:bb:cc:dd:ee:ff, aa-bb-…, any case; throws a usage error naming the option. */
export function parseMacOption(option: string, text: string): string {
  const t = text.trim().toLowerCase();
  if (!/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/.test(t)) {
    throw new CliError(`${option}: '${text}' is not a MAC address (want aa:bb:cc:dd:ee:ff)`, 2);
  }
  return t.replace(/-/g, ':');
}

export function matchesPeer(f: PeerFilter, item: { ifname: string; peerMac?: string }): boolean {
  if (f.ifname !== undefined && item.ifname !== f.ifname) return false;
  if (f.peerMac !== undefined && item.peerMac?.toLowerCase() !== f.peerMac) return false;
  return true;
}
