// A BGP peer's address as configured (bgp-peer) and written in logs and answers. Its own
// module: the daemon's configuration reads it without loading the speaker.
export interface PeerAddress {
  host: string;
  port: number;
}

/** `ADDR`, `ADDR:PORT` or `[IPv6]:PORT`, as written. */
export function peerText(p: PeerAddress): string {
  return p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`;
}
