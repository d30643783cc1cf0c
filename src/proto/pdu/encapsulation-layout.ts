// What tells the four encapsulation PDUs (types 4-7) apart, written once: the
// address family, whether entries carry MPLS labels, the longest prefix the
// address allows. The codec and its one walker, the sinks the walker feeds (they
// get the layout from it), validation's offsets and the daemon's caps all read
// this table instead of testing type names.
import { ENCAPSULATION_TYPES, PduType, type Encapsulation, type EncapsulationTypeName } from '../types.js';

/** An MPLS label on the wire: label, TC and S in 3 octets. */
export const LABEL_LENGTH = 3;

export interface EncapsulationLayout {
  readonly name: EncapsulationTypeName;
  /** the PDU type code */
  readonly type: number;
  readonly ipv6: boolean;
  readonly mpls: boolean;
  /** 4 or 16 */
  readonly addrLen: number;
  /** a prefix length may not exceed the address's bits (32 or 128) */
  readonly maxPrefix: number;
  /** ipv6 | mpls << 1: the four layouts numbered 0..3 as in ENCAPSULATION_TYPES, for a sink's tables */
  readonly index: number;
  /** the Count field's name, made once (not per PDU) */
  readonly countField: string;
}

function layoutOf(name: EncapsulationTypeName, index: number): EncapsulationLayout {
  const ipv6 = (index & 1) !== 0;
  return Object.freeze({
    name,
    type: PduType[name],
    ipv6,
    mpls: (index & 2) !== 0,
    addrLen: ipv6 ? 16 : 4,
    maxPrefix: ipv6 ? 128 : 32,
    index,
    countField: `${name} count`,
  });
}

/** The layouts by index (ENCAPSULATION_TYPES's order: IPv4, IPv6, MPLS IPv4, MPLS IPv6). */
export const ENCAPSULATION_LAYOUT_LIST: readonly EncapsulationLayout[] = Object.freeze(ENCAPSULATION_TYPES.map(layoutOf));

export const ENCAPSULATION_LAYOUTS: Readonly<Record<EncapsulationTypeName, EncapsulationLayout>> = Object.freeze(
  Object.fromEntries(ENCAPSULATION_LAYOUT_LIST.map((l) => [l.name, l])) as Record<EncapsulationTypeName, EncapsulationLayout>,
);

/**
 * Octets of one entry of `type` on the wire: Flags, [Label Count, labels], the
 * address, Prefix Length. Labels that are not a list (a model not yet checked)
 * count as none; encoding refuses them.
 */
export function encapsulationEntryLength(type: EncapsulationTypeName, e: Encapsulation): number {
  const { mpls, addrLen } = ENCAPSULATION_LAYOUTS[type];
  return 1 + (mpls ? 1 + LABEL_LENGTH * (Array.isArray(e.labels) ? e.labels.length : 0) : 0) + addrLen + 1;
}
