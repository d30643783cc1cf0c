// Joining a multicast group on an interface without promiscuous mode (sniff -p):
// a NIC drops multicast it has not joined, and libpcap cannot join one. With the
// packet-socket addon, a socket bound to the interface with protocol 0 (it
// receives nothing) holds a PACKET_ADD_MEMBERSHIP: the kernel drops it when the
// socket closes, even if we crash. Without the addon, `ip maddr add`, undone by
// `ip maddr del` on release (only when we added it: a group that was there
// before stays).
import { runIp } from './interfaces.js';
import { packetSocketHost } from './packet-socket.js';

export interface Membership {
  /** how the group was joined: a socket's membership, `ip maddr`, or it already was */
  readonly how: 'packet-socket' | 'ip maddr' | 'already';
  /** leaves the group (a no-op when it was already joined). Idempotent. */
  release(): Promise<void>;
}

/** Joins `group` (aa:bb:cc:dd:ee:ff) on the interface; rejects with an Error saying why not. */
export async function joinGroup(iface: { name: string; index: number }, group: string): Promise<Membership> {
  const host = packetSocketHost();
  if (host !== null) {
    const socket = host.open({ ifindex: iface.index, ethertype: 0, receiveBuffer: 0 });
    if (typeof socket !== 'number') {
      const errno = socket.join(group);
      if (errno === 0) {
        return { how: 'packet-socket', release: async () => socket.close() };
      }
      socket.close();
    }
  }
  const shown = await runIp(['maddr', 'show', 'dev', iface.name]);
  if (shown.includes(`link  ${group}`) || shown.split(/\s+/).includes(group)) {
    return { how: 'already', release: async () => undefined };
  }
  await runIp(['maddr', 'add', group, 'dev', iface.name]);
  let released = false;
  return {
    how: 'ip maddr',
    release: async () => {
      if (released) return;
      released = true;
      await runIp(['maddr', 'del', group, 'dev', iface.name]).catch(() => undefined);
    },
  };
}
