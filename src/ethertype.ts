// The one EtherType rule of every lsoe command and of the daemon's configuration:
// `0x` + hex is hex, digits alone are decimal. A bare four-character form that reads
// as a hex EtherType (`88b5`, `8885`, `86dd`) is refused instead of guessed, because
// tcpdump and lsoed write EtherTypes in hex without `0x` and decimal 8885 is a
// different number: the message says both ways to write what was probably meant.

/** EtherTypes of other protocols an operator might type by mistake (name for messages). */
export const OTHER_PROTOCOL_ETHERTYPES: ReadonlyMap<number, string> = new Map([
  [0x0800, 'IPv4'],
  [0x0806, 'ARP'],
  [0x22f3, 'TRILL'],
  [0x8100, '802.1Q VLAN tag'],
  [0x86dd, 'IPv6'],
  [0x8808, 'Ethernet flow control'],
  [0x8809, 'LACP (slow protocols)'],
  [0x8847, 'MPLS'],
  [0x8848, 'MPLS multicast'],
  [0x8863, 'PPPoE discovery'],
  [0x8864, 'PPPoE session'],
  [0x888e, '802.1X (EAPOL)'],
  [0x88a8, '802.1ad QinQ tag'],
  [0x88cc, 'LLDP'],
  [0x88e5, 'MACsec'],
  [0x88f7, 'PTP'],
  [0x8906, 'FCoE'],
  [0x9100, 'QinQ tag'],
]);

/** The two LSOE EtherTypes: the draft's experimental one and the published lsoed's. */
export const LSOE_ETHERTYPES = [0x88b5, 0x8885] as const;

export class EthertypeError extends Error {
  override readonly name = 'EthertypeError';
}

export function hex4(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`;
}

/** Reads one EtherType; throws EthertypeError saying what is wrong and how to write it. */
export function readEthertype(text: string): number {
  const t = text.trim().toLowerCase();
  let value: number;
  if (/^0x[0-9a-f]{1,4}$/.test(t)) value = parseInt(t.slice(2), 16);
  else if (/^[0-9a-f]{4}$/.test(t) && (/[a-f]/.test(t) || t.startsWith('0') || looksHex(parseInt(t, 16)))) {
    const v = parseInt(t, 16);
    throw new EthertypeError(`'${text}' is ambiguous: write ${hex4(v)} (hex) or ${v} (decimal)`);
  } else if (/^[0-9]+$/.test(t)) value = parseInt(t, 10);
  else throw new EthertypeError(`'${text}' is not an EtherType (write hex with 0x, e.g. 0x88b5, or decimal, e.g. 34997)`);
  // Below 0x0600 the field is an 802.3 length, not an EtherType.
  if (value < 0x0600 || value > 0xffff) {
    throw new EthertypeError(`'${text}' is not an EtherType (${hex4(0x600)}..0xffff, e.g. 0x88b5)`);
  }
  return value;
}

/** Four decimal digits that spell an EtherType someone writes in hex (8885, 8100, 0800). */
function looksHex(v: number): boolean {
  return (LSOE_ETHERTYPES as readonly number[]).includes(v) || OTHER_PROTOCOL_ETHERTYPES.has(v);
}

/** A comma-separated list (`0x88b5,0x8885`), each read as above, duplicates dropped. */
export function readEthertypeList(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new EthertypeError(`'${text}' has an empty item`);
  return [...new Set(parts.map(readEthertype))];
}

/** Why using this EtherType for LSOE is probably a mistake, or null. */
export function foreignEthertypeWarning(value: number): string | null {
  const name = OTHER_PROTOCOL_ETHERTYPES.get(value);
  if (name === undefined) return null;
  return `EtherType ${hex4(value)} belongs to ${name}, not LSOE (0x88b5; the published lsoed uses 0x8885)`;
}
