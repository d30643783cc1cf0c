// Opening a monitor link (`sniff`: every frame of some EtherTypes, both
// directions, VLAN-tagged too): a packet socket when the addon is built, so
// that sniff can pause it while its output is blocked and let the kernel hold
// and count; libpcap otherwise (loaded only then), which cannot pause.
import { endpointLinkKind } from './endpoint-link.js';
import type { NetInterface } from './interfaces.js';
import { LinkError, type Link } from './link.js';
import { openPacketLink } from './packet-link.js';
import { packetSocketHost } from './packet-socket.js';

export interface MonitorLinkOptions {
  /** the EtherTypes to capture (at least one) */
  ethertypes: number[];
  /** -Q: received (not from the interface's MAC), sent (from it), or both */
  direction: 'in' | 'out' | 'inout';
  promiscuous: boolean;
  /** bytes the kernel may hold for us (tcpdump's -B) */
  receiveBuffer: number;
}

/** A monitor link and the interface index it listens on. */
export type MonitorLink = Link & { readonly ifindex: number };

export async function openMonitorLink(iface: NetInterface, options: MonitorLinkOptions): Promise<MonitorLink> {
  if (iface.mac === null) throw new LinkError('open-failed', `${iface.name}: not an Ethernet interface (link type ${iface.linkType})`, iface.name, true);
  const host = endpointLinkKind() === 'packet-socket' ? packetSocketHost() : null;
  const { ethertypes, direction, promiscuous, receiveBuffer } = options;
  if (host !== null) {
    // libpcap refuses an interface that is administratively down, and only that; so does the monitor
    return openPacketLink(host, { ifname: iface.name, ifindex: iface.index, mac: iface.mac, up: iface.adminUp, receiveBuffer, monitor: { ethertypes, direction, promiscuous } });
  }
  const { openPcapLink } = await import('./pcap-link.js');
  return openPcapLink({
    ifname: iface.name,
    mode: 'monitor',
    ethertype: ethertypes[0],
    moreEthertypes: ethertypes.slice(1),
    direction,
    promiscuous,
    bufferSize: receiveBuffer,
  });
}
