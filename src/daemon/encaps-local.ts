// What we announce on one interface (PROTOCOL.md section 5): the interface's own
// addresses, the Primary flag on its primary address, plus the device's loopback
// addresses with the Loopback flag, plus the MPLS encapsulations from configuration.
//
// Decisions:
// - The primary IPv4 address is the kernel's primary (the first one not marked
//   `secondary`); the primary IPv6 address is the first global one.
// - IPv6 link-local addresses (scope link) are not announced: every interface has one,
//   they mean nothing beyond the link, and the peer already knows our MAC.
// - Tentative IPv6 addresses (duplicate address detection running) wait until usable.
// - Loopback addresses are those on the interfaces named by `loopback-interfaces`
//   (default `lo`; add e.g. `dummy*` for router-ID dummies), minus the host loopback
//   ones (scope host: 127.0.0.0/8, ::1).
import type { InterfaceAddress, NetInterface } from '../io/interfaces.js';
import type { AnnouncedEncapsSet } from '../proto/session/index.js';
import type { Encapsulation, EncapsulationTypeName } from '../proto/types.js';
import { normaliseAddress } from './mpls-config.js';
import type { DaemonConfig } from './config.js';
import { NameSelector } from './glob.js';

export type EncapsTable = Record<EncapsulationTypeName, Encapsulation[]>;

function hostLoopback(a: InterfaceAddress): boolean {
  return a.family === 'inet' ? a.address.startsWith('127.') : a.address === '::1';
}

function usable(a: InterfaceAddress): boolean {
  return !a.tentative && a.scope !== 'host' && a.scope !== 'link' && !hostLoopback(a) && !/^fe[89ab]/i.test(a.address);
}

function toEncap(a: InterfaceAddress, primary: boolean, loopback: boolean): Encapsulation {
  const family = a.family === 'inet' ? 4 : 6;
  return {
    address: normaliseAddress(a.address, family) ?? a.address,
    prefixLength: a.prefixLength,
    primary,
    loopback,
  };
}

/** The device's loopback addresses, from every interface the selector names. */
export function loopbackAddresses(table: readonly NetInterface[], loopbacks: NameSelector): InterfaceAddress[] {
  return table.filter((i) => loopbacks.explicit && loopbacks.matches(i.name)).flatMap((i) => i.addresses.filter(usable));
}

export function announcedFor(
  iface: NetInterface,
  loopback: readonly InterfaceAddress[],
  mpls: { v4: readonly Encapsulation[]; v6: readonly Encapsulation[] },
): EncapsTable {
  const own = iface.addresses.filter(usable);
  const v4 = own.filter((a) => a.family === 'inet');
  const v6 = own.filter((a) => a.family === 'inet6');
  const primary4 = v4.find((a) => !a.secondary);
  const primary6 = v6[0];
  const seen = new Set(own.map((a) => `${a.family} ${a.address}`));
  const lo = loopback.filter((a) => !seen.has(`${a.family} ${a.address}`));
  return {
    IPV4_ENCAPSULATION: [
      ...v4.map((a) => toEncap(a, a === primary4, false)),
      ...lo.filter((a) => a.family === 'inet').map((a) => toEncap(a, false, true)),
    ],
    IPV6_ENCAPSULATION: [
      ...v6.map((a) => toEncap(a, a === primary6, false)),
      ...lo.filter((a) => a.family === 'inet6').map((a) => toEncap(a, false, true)),
    ],
    MPLS_IPV4_ENCAPSULATION: mpls.v4.map((e) => ({ ...e, labels: [...(e.labels ?? [])] })),
    MPLS_IPV6_ENCAPSULATION: mpls.v6.map((e) => ({ ...e, labels: [...(e.labels ?? [])] })),
  };
}

function sameList(a: readonly Encapsulation[], b: readonly Encapsulation[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The types whose list differs between two tables (what to re-announce). */
export function changedTypes(before: EncapsTable | null, after: EncapsTable): AnnouncedEncapsSet {
  const out: AnnouncedEncapsSet = {};
  for (const type of Object.keys(after) as EncapsulationTypeName[]) {
    if (before === null || !sameList(before[type], after[type])) out[type] = after[type];
  }
  return out;
}

/**
 * Whether the daemon runs LSOE on an interface: a named selection (-i) is taken
 * as given; by default every Ethernet interface with a MAC that is neither the
 * loopback nor one of the configured loopback interfaces. Shared by the daemon
 * and `lsoe encaps --local` without a daemon.
 */
export function selectsInterface(i: NetInterface, selector: NameSelector, loopbacks: NameSelector): boolean {
  if (i.mac === null) return false;
  if (selector.explicit) return selector.matches(i.name);
  return !i.loopback && i.linkType === 'ether' && selector.matches(i.name) && !(loopbacks.explicit && loopbacks.matches(i.name));
}

/** Our loopback addresses as BGP sees them (section 8's router-id is the lowest IPv4 of them). */
export function bgpLoopbacks(config: DaemonConfig, table: readonly NetInterface[]): Encapsulation[] {
  const selector = new NameSelector(config.loopbackInterfaces);
  return loopbackAddresses(table, selector).map((a) => ({ address: a.address, prefixLength: a.prefixLength, primary: false, loopback: true }));
}
