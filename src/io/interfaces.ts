// The network interfaces of this host (of this network namespace: the daemon
// runs inside it), read from iproute2's JSON output. `ip -j addr show` gives
// links and their addresses in one call and needs no privilege; parsing is
// kept apart from running it so fixtures can test it.
import { execFile } from 'node:child_process';

export interface InterfaceAddress {
  family: 'inet' | 'inet6';
  /** dotted quad, or IPv6 as iproute2 prints it (RFC 5952 form) */
  address: string;
  prefixLength: number;
  /** 'global', 'link', 'host', 'site' */
  scope: string;
  /** IPv4 secondary address (not the primary of its subnet) */
  secondary: boolean;
  /** IPv6 duplicate address detection not finished: not usable yet */
  tentative: boolean;
}

export interface NetInterface {
  name: string;
  index: number;
  /** aa:bb:cc:dd:ee:ff, or null for links without an Ethernet address (tun, ipip) */
  mac: string | null;
  /** administratively up (IFF_UP) */
  adminUp: boolean;
  /** carrier present (IFF_LOWER_UP) */
  lowerUp: boolean;
  /** adminUp and lowerUp: the link can carry frames */
  up: boolean;
  loopback: boolean;
  mtu: number;
  /** iproute2's link_type: 'ether', 'loopback', 'none', ... */
  linkType: string;
  addresses: InterfaceAddress[];
}

/** A failure to read the interface table (iproute2 missing, unexpected output). */
export class InterfaceError extends Error {
  override readonly name = 'InterfaceError';
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Parses the JSON of `ip -j addr show` (or `ip -j link show`: no addresses then). */
export function parseIpAddrJson(text: string): NetInterface[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InterfaceError(`ip -j: output is not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) throw new InterfaceError('ip -j: output is not a JSON array');
  return data.map((entry, i) => parseLink(entry, i));
}

function parseLink(entry: unknown, i: number): NetInterface {
  if (typeof entry !== 'object' || entry === null) throw new InterfaceError(`ip -j: entry ${i} is not an object`);
  const e = entry as Record<string, unknown>;
  const name = e.ifname;
  const index = e.ifindex;
  if (typeof name !== 'string' || typeof index !== 'number') {
    throw new InterfaceError(`ip -j: entry ${i} has no ifname/ifindex`);
  }
  const flags = Array.isArray(e.flags) ? e.flags.filter((f): f is string => typeof f === 'string') : [];
  const address = typeof e.address === 'string' ? e.address.toLowerCase() : '';
  const linkType = typeof e.link_type === 'string' ? e.link_type : 'none';
  const adminUp = flags.includes('UP');
  const lowerUp = flags.includes('LOWER_UP');
  const addrInfo = Array.isArray(e.addr_info) ? e.addr_info : [];
  return {
    name,
    index,
    mac: linkType === 'ether' && MAC_RE.test(address) ? address : null,
    adminUp,
    lowerUp,
    up: adminUp && lowerUp,
    loopback: flags.includes('LOOPBACK') || linkType === 'loopback',
    mtu: typeof e.mtu === 'number' ? e.mtu : 0,
    linkType,
    addresses: addrInfo.flatMap((a) => parseAddress(a)),
  };
}

function parseAddress(a: unknown): InterfaceAddress[] {
  if (typeof a !== 'object' || a === null) return [];
  const r = a as Record<string, unknown>;
  // `ip monitor` style partial entries and other families (e.g. 'link') are skipped.
  if ((r.family !== 'inet' && r.family !== 'inet6') || typeof r.local !== 'string' || typeof r.prefixlen !== 'number') {
    return [];
  }
  return [
    {
      family: r.family,
      address: r.local,
      prefixLength: r.prefixlen,
      scope: typeof r.scope === 'string' ? r.scope : 'global',
      secondary: r.secondary === true,
      tentative: r.tentative === true,
    },
  ];
}

/** Runs `ip` with args and returns its stdout; rejects with a one-line InterfaceError. */
export function runIp(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'iproute2 (ip) is not installed' : String(stderr).trim() || err.message;
        reject(new InterfaceError(`ip ${args.join(' ')}: ${why.split('\n')[0]}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** Every interface of this network namespace, in kernel index order. */
export async function listInterfaces(): Promise<NetInterface[]> {
  return parseIpAddrJson(await runIp(['-j', 'addr', 'show']));
}

/** One interface by name, or undefined when there is none. */
export async function getInterface(name: string): Promise<NetInterface | undefined> {
  const all = await listInterfaces();
  return all.find((i) => i.name === name);
}
