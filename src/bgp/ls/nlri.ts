// BGP-LS NLRI (RFC 9552 section 5.2): Node (1), Link (2), IPv4/IPv6 Prefix (3/4). Each
// is NLRI Type (2), Total Length (2), Protocol-ID (1), Identifier (8), the Local Node
// Descriptors (TLV 256), then per type the Remote Node Descriptors (257) and link or
// prefix descriptors. TLVs are written in ascending type order (PROTOCOL.md section 8).
import { Reader } from '../../proto/cursor.js';
import { ipOctets, ipText, maskPrefix } from '../wire/address.js';
import { BgpMessageError, ERR, UPDATE_SUB } from '../wire/errors.js';
import { encodeTlv, LINK_ADDRESS_FIELDS, LS_NLRI_TYPE, LS_TLV, NODE_DESCRIPTOR_FIELDS, readTlvs, type LsNlriTypeName, type RawTlv, type TlvField } from './tlv.js';

export interface NodeDescriptor {
  asn?: number;
  /** 515, dotted quad (we only send the 4-octet form) */
  igpRouterId?: string;
  bgpRouterId?: string;
  /** sub-TLVs we do not model, as received */
  other?: RawTlv[];
}

interface NlriBase {
  protocolId: number;
  /** 64-bit Identifier (bgp-ls-instance-id) */
  identifier: bigint;
  local: NodeDescriptor;
  /** descriptor TLVs we do not model, as received */
  other?: RawTlv[];
}

export interface NodeNlri extends NlriBase {
  type: 'node';
}
export interface LinkNlri extends NlriBase {
  type: 'link';
  remote: NodeDescriptor;
  /** TLV 258: [local, remote] link identifiers */
  linkIds?: [number, number];
  ipv4Interface?: string;
  ipv4Neighbor?: string;
  ipv6Interface?: string;
  ipv6Neighbor?: string;
}
export interface PrefixNlri extends NlriBase {
  type: 'ipv4-prefix' | 'ipv6-prefix';
  /** the network (masked), text */
  prefix: string;
  prefixLength: number;
  /** TLV 535: 1 local, 2 attached, … */
  routeType?: number;
}
export type LsNlri = NodeNlri | LinkNlri | PrefixNlri;

function fieldsTlvs(value: object, fields: readonly TlvField<unknown>[]): Buffer[] {
  const out: Buffer[] = [];
  for (const f of fields) {
    const v = (value as Record<string, unknown>)[f.field];
    if (v !== undefined) out.push(encodeTlv(f.type, f.encode(v)));
  }
  return out;
}

/** Orders TLV buffers by type (the first two octets), so extra TLVs land in place. */
function ascending(tlvs: Buffer[]): Buffer {
  return Buffer.concat(tlvs.sort((a, b) => a.readUInt16BE(0) - b.readUInt16BE(0)));
}

function rawTlvs(list: RawTlv[] | undefined): Buffer[] {
  return (list ?? []).map((t) => encodeTlv(t.type, Buffer.from(t.value, 'hex')));
}

function encodeNode(type: number, d: NodeDescriptor): Buffer {
  return encodeTlv(type, ascending([...fieldsTlvs(d, NODE_DESCRIPTOR_FIELDS), ...rawTlvs(d.other)]));
}

function reachability(prefix: string, length: number): Buffer {
  const octets = maskPrefix(ipOctets(prefix), length);
  return Buffer.concat([Buffer.from([length]), octets.subarray(0, Math.ceil(length / 8))]);
}

/** One NLRI, with its type and length header. */
export function encodeNlri(n: LsNlri): Buffer {
  const head = Buffer.alloc(9);
  head[0] = n.protocolId;
  head.writeBigUInt64BE(n.identifier, 1);
  const tlvs: Buffer[] = [encodeNode(LS_TLV.localNode, n.local), ...rawTlvs(n.other)];
  if (n.type === 'link') {
    tlvs.push(encodeNode(LS_TLV.remoteNode, n.remote));
    if (n.linkIds) {
      const ids = Buffer.alloc(8);
      ids.writeUInt32BE(n.linkIds[0] >>> 0, 0);
      ids.writeUInt32BE(n.linkIds[1] >>> 0, 4);
      tlvs.push(encodeTlv(LS_TLV.linkIds, ids));
    }
    tlvs.push(...fieldsTlvs(n, LINK_ADDRESS_FIELDS));
  } else if (n.type !== 'node') {
    tlvs.push(encodeTlv(LS_TLV.ipReachability, reachability(n.prefix, n.prefixLength)));
    if (n.routeType !== undefined) tlvs.push(encodeTlv(LS_TLV.bgpRouteType, Buffer.from([n.routeType])));
  }
  const body = Buffer.concat([head, ascending(tlvs)]);
  const out = Buffer.alloc(4 + body.length);
  out.writeUInt16BE(LS_NLRI_TYPE[n.type], 0);
  out.writeUInt16BE(body.length, 2);
  body.copy(out, 4);
  return out;
}

function malformed(message: string): BgpMessageError {
  return new BgpMessageError(ERR.update, UPDATE_SUB.optionalAttribute, `BGP-LS NLRI: ${message}`);
}

function decodeFields(tlv: { type: number; value: Buffer }, fields: readonly TlvField<unknown>[], into: Record<string, unknown>): boolean {
  const f = fields.find((x) => x.type === tlv.type);
  if (f === undefined) return false;
  if (f.length !== null && tlv.value.length !== f.length) throw malformed(`TLV ${tlv.type} of ${tlv.value.length} octets (${f.length} expected)`);
  into[f.field] = f.decode(tlv.value);
  return true;
}

function raw(t: { type: number; value: Buffer }): RawTlv {
  return { type: t.type, value: t.value.toString('hex') };
}

function decodeNode(value: Buffer): NodeDescriptor {
  const d: Record<string, unknown> = {};
  const other: RawTlv[] = [];
  for (const t of readTlvs(new Reader(value), 'node descriptor')) {
    if (!decodeFields(t, NODE_DESCRIPTOR_FIELDS, d)) other.push(raw(t));
  }
  if (other.length > 0) d.other = other;
  return d as NodeDescriptor;
}

function decodeReachability(type: 'ipv4-prefix' | 'ipv6-prefix', value: Buffer): { prefix: string; prefixLength: number } {
  const size = type === 'ipv4-prefix' ? 4 : 16;
  const length = value[0];
  if (length === undefined || length > size * 8 || value.length !== 1 + Math.ceil(length / 8)) throw malformed('IP Reachability TLV of the wrong size');
  const octets = Buffer.alloc(size);
  value.copy(octets, 0, 1);
  return { prefix: ipText(maskPrefix(octets, length)), prefixLength: length };
}

/** Decodes one NLRI at the reader's position and moves past it. */
export function decodeNlri(r: Reader): LsNlri {
  const code = r.u16('NLRI type');
  const length = r.u16('NLRI length');
  const start = r.pos;
  r.bytes(length, 'NLRI');
  const b = new Reader(r.buf, start, start + length);
  const type = (Object.keys(LS_NLRI_TYPE) as LsNlriTypeName[]).find((k) => LS_NLRI_TYPE[k] === code);
  if (type === undefined) throw malformed(`unknown NLRI type ${code}`);
  const protocolId = b.u8('Protocol-ID');
  const identifier = b.bytes(8, 'Identifier').readBigUInt64BE(0);
  const fields: Record<string, unknown> = {};
  const other: RawTlv[] = [];
  let local: NodeDescriptor | undefined;
  let remote: NodeDescriptor | undefined;
  for (const t of readTlvs(b, 'descriptor')) {
    if (t.type === LS_TLV.localNode) local = decodeNode(t.value);
    else if (t.type === LS_TLV.remoteNode && type === 'link') remote = decodeNode(t.value);
    else if (t.type === LS_TLV.linkIds && type === 'link') {
      if (t.value.length !== 8) throw malformed('TLV 258 not 8 octets');
      fields.linkIds = [t.value.readUInt32BE(0), t.value.readUInt32BE(4)];
    } else if (type === 'link' && decodeFields(t, LINK_ADDRESS_FIELDS, fields)) continue;
    else if (t.type === LS_TLV.ipReachability && (type === 'ipv4-prefix' || type === 'ipv6-prefix')) Object.assign(fields, decodeReachability(type, t.value));
    else if (t.type === LS_TLV.bgpRouteType && type !== 'node' && type !== 'link') {
      if (t.value.length !== 1) throw malformed('TLV 535 not 1 octet');
      fields.routeType = t.value[0];
    } else other.push(raw(t));
  }
  if (local === undefined) throw malformed('no Local Node Descriptors');
  if (type === 'link' && remote === undefined) throw malformed('Link NLRI without Remote Node Descriptors');
  if ((type === 'ipv4-prefix' || type === 'ipv6-prefix') && fields.prefix === undefined) throw malformed('Prefix NLRI without IP Reachability');
  const out = { type, protocolId, identifier, local, ...(remote ? { remote } : {}), ...fields } as LsNlri;
  if (other.length > 0) out.other = other;
  return out;
}

/** Every NLRI in a buffer (the NLRI field of MP_REACH / MP_UNREACH). */
export function decodeNlriList(buf: Buffer): LsNlri[] {
  const r = new Reader(buf);
  const out: LsNlri[] = [];
  while (r.remaining > 0) out.push(decodeNlri(r));
  return out;
}

/** A stable identity of an NLRI: its encoding, as hex (what the diff keys on). */
export function nlriKey(n: LsNlri): string {
  return encodeNlri(n).toString('hex');
}
