// BGP peers as people read them, like `gobgp neighbor`: one row each. Pure functions
// of the status and the time.
import type { BgpStatus } from '../daemon/bgp-northbound.js';
import type { PeerStatus } from '../bgp/speaker.js';
import { formatDuration, secondsSince } from '../render/duration.js';

export const BGP_HEAD = ['Peer', 'AS', 'State', 'Up/Down', 'Msgs tx/rx', 'Announced N/L/P', 'Withdrawn N/L/P', 'Held', 'Last error'];

const prefixes = (c: PeerStatus['announced']) => c['ipv4-prefix'] + c['ipv6-prefix'];
const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

export function bgpRow(p: PeerStatus, nowMs: number): string[] {
  const secs = secondsSince(p.since, nowMs);
  return [
    p.peer,
    String(p.peerAsn),
    p.state === 'established' && p.linkState === false ? 'established (no BGP-LS)' : p.state,
    secs === null ? '-' : formatDuration(secs),
    `${total(p.messagesSent)}/${total(p.messagesReceived)}`,
    `${p.announced.node}/${p.announced.link}/${prefixes(p.announced)}`,
    `${p.withdrawn.node}/${p.withdrawn.link}/${prefixes(p.withdrawn)}`,
    String(p.held),
    p.lastError ?? '-',
  ];
}

/** The line above the table: who we are and what waits. */
export function bgpHeadline(s: BgpStatus): string {
  if (!s.enabled) return 'BGP is off (no bgp-peer configured)';
  const held = s.heldBack.length === 0 ? '' : `; ${s.heldBack.length} link${s.heldBack.length === 1 ? '' : 's'} held back (peer announced no loopback IPv4: ${s.heldBack.map((h) => `${h.ifname} ${h.peerMac}`).join(', ')})`;
  return `router-id ${s.routerId ?? '-'}, AS ${s.asn ?? '-'}, ${s.routes} NLRI to announce${held}`;
}
