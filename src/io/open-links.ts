// Opening the links a command asked for, with the checks that make failures
// one clear line: privilege first, then names (all of them before opening
// any), then the capture. `sniff` opens monitor links (both directions, VLAN
// tags; a packet socket it can pause, libpcap only without the addon);
// `hello` opens endpoint links (the daemon's capture: a packet socket, libpcap
// only without the addon). libpcap is loaded only when it is used.
import { NameSelector } from '../daemon/glob.js';
import { openEndpointLink, type EndpointLinkOptions } from './endpoint-link.js';
import { listInterfaces, type NetInterface } from './interfaces.js';
import { LinkError, type Link } from './link.js';
import { openMonitorLink, type MonitorLink, type MonitorLinkOptions } from './monitor-link.js';
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
export function selectInterfaces(names: string[], all: NetInterface[]): NetInterface[] {
  const patterns = names.filter(isPattern);
  const any = names.includes('any');
  const exact = names.filter((n) => n !== 'any' && !isPattern(n));
  const chosen = exact.map((name) => checkedInterface(name, all));
  if (any || patterns.length > 0) {
    // `any` with globs: every default interface but those excluded
    const selector = new NameSelector(any ? patterns.filter((p) => p.startsWith('!')) : patterns);
    const candidates = defaultInterfaces(all);
    const unmatched = selector.unmatched(candidates.map((i) => i.name));
    if (unmatched.length > 0) {
      throw new LinkError('no-such-interface', `no up Ethernet interface matches '${unmatched[0]}'`, unmatched[0]!, true);
    }
    chosen.push(...candidates.filter((i) => selector.matches(i.name)));
    if (chosen.length === 0) throw new LinkError('no-such-interface', 'no Ethernet interface is up (name one with -i)', '', true);
  }
  return [...new Map(chosen.map((i) => [i.name, i])).values()];
}

/** The interface of that exact name, or a LinkError saying why it cannot be used. */
function checkedInterface(name: string, all: NetInterface[]): NetInterface {
  const iface = all.find((i) => i.name === name);
  if (iface === undefined) throw new LinkError('no-such-interface', `${name}: no such interface`, name, true);
  if (iface.mac === null) throw new LinkError('open-failed', `${name}: not an Ethernet interface (link type ${iface.linkType})`, name, true);
  return iface;
}

/**
 * Resolves `names` (empty: every default interface; with `patterns`, `any` and
 * globs too: selectInterfaces), checking privilege and every name first.
 */
async function chooseInterfaces(names: string[], patterns = false): Promise<NetInterface[]> {
  if (!canCaptureRaw()) throw new LinkError('permission', PRIVILEGE_HINT, names[0] ?? '', true);
  const all = await listInterfaces().catch((err: Error) => {
    throw new LinkError('open-failed', err.message, names[0] ?? '', true);
  });
  if (patterns && names.length > 0) return selectInterfaces(names, all);
  if (names.length === 0) {
    const chosen = defaultInterfaces(all);
    if (chosen.length === 0) throw new LinkError('no-such-interface', 'no Ethernet interface is up (name one with -i)', '', true);
    return chosen;
  }
  return [...new Set(names)].map((name) => checkedInterface(name, all));
}

/** Opens one link per interface; those opened are closed again when a later one fails. */
async function openEach<L extends Link>(chosen: NetInterface[], open: (iface: NetInterface) => Promise<L>): Promise<L[]> {
  const links: L[] = [];
  try {
    for (const iface of chosen) links.push(await open(iface));
  } catch (err) {
    for (const l of links) l.close();
    if (err instanceof LinkError && err.code === 'permission') throw new LinkError('permission', `${err.ifname}: ${PRIVILEGE_HINT}`, err.ifname, true);
    throw err;
  }
  return links;
}

/**
 * One monitor link per interface of `names` (`sniff`: names, `any`, globs).
 * Throws a LinkError with a one-line message.
 */
export async function openMonitorLinks(names: string[], options: MonitorLinkOptions): Promise<MonitorLink[]> {
  return openEach(await chooseInterfaces(names, true), (iface) => openMonitorLink(iface, options));
}

/** One endpoint link per interface of `names` (`hello`), as the daemon opens them. */
export async function openEndpointLinks(names: string[], options: EndpointLinkOptions): Promise<Link[]> {
  return openEach(await chooseInterfaces(names), (iface) => openEndpointLink(iface, options));
}
