// Opening the links a command asked for, with the checks that make failures
// one clear line: privilege first, then names (all of them before opening
// any), then libpcap. Shared by `sniff` and `hello` (and usable by the daemon).
import { NameSelector } from '../daemon/glob.js';
import { listInterfaces, type NetInterface } from './interfaces.js';
import { LinkError } from './link.js';
import { openPcapLink, type PcapLink, type PcapLinkOptions } from './pcap-link.js';
import { canCaptureRaw, PRIVILEGE_HINT } from './privilege.js';

/** Interfaces a command may use by default: up, not loopback, with an Ethernet address. */
export function defaultInterfaces(all: NetInterface[]): NetInterface[] {
  return all.filter((i) => i.up && !i.loopback && i.mac !== null);
}

/** Names with shell-style glob characters (or `!` to exclude), as the daemon's -i takes them. */
function isPattern(name: string): boolean {
  return /[*?[]/.test(name) || name.startsWith('!');
}

/**
 * The interfaces `names` select: exact names as given; `any` (as tcpdump -i any)
 * and globs (`eth*`, `!eth9` to leave one out) among the default interfaces.
 * Throws a LinkError naming a name or pattern that selects nothing.
 */
export function selectInterfaces(names: string[], all: NetInterface[]): string[] {
  const patterns = names.filter(isPattern);
  const any = names.includes('any');
  const exact = names.filter((n) => n !== 'any' && !isPattern(n));
  const chosen: string[] = [];
  for (const name of exact) {
    const iface = all.find((i) => i.name === name);
    if (iface === undefined) throw new LinkError('no-such-interface', `${name}: no such interface`, name, true);
    if (iface.mac === null) throw new LinkError('open-failed', `${name}: not an Ethernet interface (link type ${iface.linkType})`, name, true);
    chosen.push(name);
  }
  if (any || patterns.length > 0) {
    // `any` with globs: every default interface but those excluded
    const selector = new NameSelector(any ? patterns.filter((p) => p.startsWith('!')) : patterns);
    const candidates = defaultInterfaces(all).map((i) => i.name);
    const unmatched = selector.unmatched(candidates);
    if (unmatched.length > 0) {
      throw new LinkError('no-such-interface', `no up Ethernet interface matches '${unmatched[0]}'`, unmatched[0]!, true);
    }
    chosen.push(...candidates.filter((n) => selector.matches(n)));
    if (chosen.length === 0) throw new LinkError('no-such-interface', 'no Ethernet interface is up (name one with -i)', '', true);
  }
  return [...new Set(chosen)];
}

/**
 * Resolves `names` (empty: every default interface; `any` and globs with
 * `patterns`, see selectInterfaces) and opens one PcapLink each. Throws a LinkError with a one-line message; opened links are closed
 * again when a later one fails.
 */
export async function openLinks(names: string[], options: Omit<PcapLinkOptions, 'ifname'> & { patterns?: boolean }): Promise<PcapLink[]> {
  if (!canCaptureRaw()) throw new LinkError('permission', PRIVILEGE_HINT, names[0] ?? '', true);
  const all = await listInterfaces().catch((err: Error) => {
    throw new LinkError('open-failed', err.message, names[0] ?? '', true);
  });
  let chosen: string[];
  if (names.length === 0) {
    chosen = defaultInterfaces(all).map((i) => i.name);
    if (chosen.length === 0) throw new LinkError('no-such-interface', 'no Ethernet interface is up (name one with -i)', '', true);
  } else if (options.patterns === true) {
    chosen = selectInterfaces(names, all);
  } else {
    chosen = [...new Set(names)];
    for (const name of chosen) {
      const iface = all.find((i) => i.name === name);
      if (iface === undefined) throw new LinkError('no-such-interface', `${name}: no such interface`, name, true);
      if (iface.mac === null) throw new LinkError('open-failed', `${name}: not an Ethernet interface (link type ${iface.linkType})`, name, true);
    }
  }
  const links: PcapLink[] = [];
  try {
    for (const ifname of chosen) links.push(await openPcapLink({ ...options, ifname }));
  } catch (err) {
    for (const l of links) l.close();
    if (err instanceof LinkError && err.code === 'permission') throw new LinkError('permission', `${err.ifname}: ${PRIVILEGE_HINT}`, err.ifname, true);
    throw err;
  }
  return links;
}
