// Opening an endpoint link (frames for us, never our own: what the daemon and
// `hello` use): a packet socket when the addon is built, libpcap otherwise
// (loaded only then). The packet-socket design is explained in
// docs/ARCHITECTURE.md (src/io).
import type { NetInterface } from './interfaces.js';
import type { CoalescerClock } from './read-coalescer.js';
import { LinkError, type Link } from './link.js';
import { openPacketLink } from './packet-link.js';
import { packetSocketHost } from './packet-socket.js';

export interface EndpointLinkOptions {
  ethertype: number;
  /** multicast groups to receive (the HELLO destination) */
  groups: string[];
  /** the clock of the health checks and of coalesced reads (default: real time) */
  clock?: CoalescerClock<unknown>;
  allowDown?: boolean;
}

/**
 * Which implementation endpoint links use in this process. LSOE_CAPTURE=libpcap
 * forces libpcap (the benchmark compares the two side by side).
 */
export function endpointLinkKind(): 'packet-socket' | 'libpcap' {
  if (process.env.LSOE_CAPTURE === 'libpcap') return 'libpcap';
  return packetSocketHost() === null ? 'libpcap' : 'packet-socket';
}

export async function openEndpointLink(iface: NetInterface, options: EndpointLinkOptions): Promise<Link> {
  if (iface.mac === null) throw new LinkError('open-failed', `${iface.name}: not an Ethernet interface (link type ${iface.linkType})`, iface.name, true);
  const host = endpointLinkKind() === 'packet-socket' ? packetSocketHost() : null;
  if (host !== null) {
    return openPacketLink(
      host,
      { ifname: iface.name, ifindex: iface.index, mac: iface.mac, ethertype: options.ethertype, groups: options.groups, up: iface.up, allowDown: options.allowDown },
      options.clock,
    );
  }
  const { openPcapLink } = await import('./pcap-link.js');
  return openPcapLink({ ifname: iface.name, ethertype: options.ethertype, allowDown: options.allowDown });
}

/**
 * Reads every endpoint link's quiet socket that holds frames, and delivers them, now
 * (one system call when none does). The daemon calls it when it is awake anyway:
 * before its timers run and before it answers about sessions. A no-op where links
 * have no quiet sockets (libpcap, an addon built before them).
 */
export function drainQuietLinks(): void {
  // (the host and whether it has quiet sockets are known once: this runs every second)
  quietDrain ??= (endpointLinkKind() === 'packet-socket' ? packetSocketHost()?.drainQuiet : undefined) ?? null;
  quietDrain?.();
}

let quietDrain: (() => void) | null | undefined;
