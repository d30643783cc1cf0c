// Encapsulations as table rows: one row per address. Labels show the 20-bit label value
// beside the 3 octets carried on the wire (PROTOCOL.md section 3).
import type { AnnouncedEncaps, LearnedEncaps } from '../daemon/core.js';
import type { Encapsulation, EncapsulationTypeName } from '../proto/types.js';

export const LEARNED_HEAD = ['Interface', 'Peer', 'Type', 'Prefix', 'Flags', 'MPLS labels'];
export const LOCAL_HEAD = ['Interface', 'Type', 'Prefix', 'Flags', 'MPLS labels'];

const TYPE_LABEL: Record<EncapsulationTypeName, string> = {
  IPV4_ENCAPSULATION: 'IPv4',
  IPV6_ENCAPSULATION: 'IPv6',
  MPLS_IPV4_ENCAPSULATION: 'MPLS IPv4',
  MPLS_IPV6_ENCAPSULATION: 'MPLS IPv6',
};

export function typeLabel(type: EncapsulationTypeName): string {
  return TYPE_LABEL[type] ?? type;
}

export function flagsText(e: Encapsulation): string {
  return `${e.primary ? 'P' : ''}${e.loopback ? 'L' : ''}` || '-';
}

/** "4000 (00fa01)": label value (top 20 bits of the 3 octets), then the octets. */
export function labelText(hex: string): string {
  const v = parseInt(hex, 16);
  return /^[0-9a-f]{6}$/i.test(hex) ? `${v >>> 4} (${hex})` : hex;
}

function encapCells(e: Encapsulation): string[] {
  return [`${e.address}/${e.prefixLength}`, flagsText(e), e.labels && e.labels.length > 0 ? e.labels.map(labelText).join(' ') : '-'];
}

export function learnedRows(list: readonly LearnedEncaps[]): string[][] {
  return list.flatMap((l) => l.encaps.map((e) => [l.ifname, l.peerMac, typeLabel(l.type), ...encapCells(e)]));
}

export function localRows(list: readonly AnnouncedEncaps[]): string[][] {
  return list.flatMap((a) => a.encaps.map((e) => [a.ifname, typeLabel(a.type), ...encapCells(e)]));
}

const TYPE_ORDER = ['IPV4_ENCAPSULATION', 'IPV6_ENCAPSULATION', 'MPLS_IPV4_ENCAPSULATION', 'MPLS_IPV6_ENCAPSULATION'];

export function sortEncaps<T extends { ifname: string; peerMac?: string; type: string }>(list: readonly T[]): T[] {
  return [...list].sort(
    (a, b) =>
      a.ifname.localeCompare(b.ifname, 'en', { numeric: true }) ||
      (a.peerMac ?? '').localeCompare(b.peerMac ?? '') ||
      TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type),
  );
}
