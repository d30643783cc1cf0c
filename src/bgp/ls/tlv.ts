// BGP-LS TLVs (RFC 9552 section 5.2, RFC 9086, draft-ietf-idr-bgp-ls-bgp-only-fabric):
// the numbers, and the one table of fixed-form TLVs that the NLRI encoder and decoder
// both read. A TLV is Type (2), Length (2), Value.
import { Reader } from '../../proto/cursor.js';
import { ipOctets, ipText } from '../wire/address.js';

export const LS_TLV = {
  localNode: 256,
  remoteNode: 257,
  linkIds: 258,
  ipv4Interface: 259,
  ipv4Neighbor: 260,
  ipv6Interface: 261,
  ipv6Neighbor: 262,
  ipReachability: 265,
  asNumber: 512,
  bgpLsId: 513,
  igpRouterId: 515,
  bgpRouterId: 516,
  bgpRouteType: 535,
  nodeName: 1026,
  linkName: 1098,
} as const;

export const LS_NLRI_TYPE = { node: 1, link: 2, 'ipv4-prefix': 3, 'ipv6-prefix': 4 } as const;
export type LsNlriTypeName = keyof typeof LS_NLRI_TYPE;

/** Protocol-ID 7: BGP (RFC 9086), the originator of every NLRI we make. */
export const PROTOCOL_BGP = 7;

export interface RawTlv {
  type: number;
  /** hex */
  value: string;
}

export function encodeTlv(type: number, value: Buffer): Buffer {
  const out = Buffer.alloc(4 + value.length);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

/** Reads TLVs until the reader's end. */
export function readTlvs(r: Reader, where: string): { type: number; value: Buffer }[] {
  const out: { type: number; value: Buffer }[] = [];
  while (r.remaining > 0) {
    const type = r.u16(`${where} TLV type`);
    const len = r.u16(`${where} TLV ${type} length`);
    out.push({ type, value: r.bytes(len, `${where} TLV ${type} value`) });
  }
  return out;
}

/** How one fixed-form TLV maps to a field of the model: its type, length and codec. */
export interface TlvField<T> {
  type: number;
  field: string;
  /** octets the value must have (null = any) */
  length: number | null;
  encode(v: T): Buffer;
  decode(b: Buffer): T;
}

const u32 = (type: number, field: string): TlvField<number> => ({
  type,
  field,
  length: 4,
  encode: (v) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0, 0);
    return b;
  },
  decode: (b) => b.readUInt32BE(0),
});
const address = (type: number, field: string, length: 4 | 16): TlvField<string> => ({
  type,
  field,
  length,
  encode: (v) => ipOctets(v),
  decode: (b) => ipText(b),
});

/** Node descriptor sub-TLVs, ascending. */
export const NODE_DESCRIPTOR_FIELDS = [
  u32(LS_TLV.asNumber, 'asn'),
  address(LS_TLV.igpRouterId, 'igpRouterId', 4),
  address(LS_TLV.bgpRouterId, 'bgpRouterId', 4),
] as const;

/** Link descriptor TLVs that hold an address, ascending (258 is apart: two numbers). */
export const LINK_ADDRESS_FIELDS = [
  address(LS_TLV.ipv4Interface, 'ipv4Interface', 4),
  address(LS_TLV.ipv4Neighbor, 'ipv4Neighbor', 4),
  address(LS_TLV.ipv6Interface, 'ipv6Interface', 16),
  address(LS_TLV.ipv6Neighbor, 'ipv6Neighbor', 16),
] as const;
