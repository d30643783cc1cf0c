// UPDATE (RFC 4271 section 4.3) with the path attributes we send or must read back:
// ORIGIN, AS_PATH (4-octet ASes, RFC 6793), LOCAL_PREF, MP_REACH_NLRI and
// MP_UNREACH_NLRI (RFC 4760) carrying BGP-LS NLRI, and the BGP-LS attribute (29).
// Other attributes, and MP NLRI of other families, pass through as raw octets.
import { Reader } from '../../proto/cursor.js';
import { decodeLsAttribute, encodeLsAttribute, type LsAttribute } from '../ls/attribute.js';
import { decodeNlriList, encodeNlri, type LsNlri } from '../ls/nlri.js';
import { ipOctets, ipText } from './address.js';
import { AFI_LS, ATTR, ATTR_FLAG, SAFI_LS } from './constants.js';
import { BgpMessageError, ERR, UPDATE_SUB, withCode } from './errors.js';

export type PathAttribute =
  | { kind: 'origin'; value: number /* 0 IGP, 1 EGP, 2 INCOMPLETE */ }
  | { kind: 'as-path'; segments: { type: number /* 1 SET, 2 SEQUENCE */; asns: number[] }[] }
  | { kind: 'local-pref'; value: number }
  | { kind: 'mp-reach'; afi: number; safi: number; nextHop: string[]; nlri: LsNlri[] }
  | { kind: 'mp-unreach'; afi: number; safi: number; nlri: LsNlri[] }
  | { kind: 'bgp-ls'; value: LsAttribute }
  | { kind: 'raw'; flags: number; code: number; value: string /* hex; also MP NLRI of other families */ };

export interface UpdateMessage {
  type: 'UPDATE';
  /** IPv4 unicast withdrawn routes and NLRI, raw hex: we neither send nor read them */
  withdrawn: string;
  attributes: PathAttribute[];
  nlri: string;
}

const CODE: Record<Exclude<PathAttribute['kind'], 'raw'>, number> = {
  origin: ATTR.origin,
  'as-path': ATTR.asPath,
  'local-pref': ATTR.localPref,
  'mp-reach': ATTR.mpReach,
  'mp-unreach': ATTR.mpUnreach,
  'bgp-ls': ATTR.bgpLs,
};
/** Flags of the attributes we know (without Extended Length, which follows the size). */
const FLAGS: Readonly<Record<number, number>> = {
  [ATTR.origin]: ATTR_FLAG.transitive,
  [ATTR.asPath]: ATTR_FLAG.transitive,
  [ATTR.localPref]: ATTR_FLAG.transitive,
  [ATTR.mpReach]: ATTR_FLAG.optional,
  [ATTR.mpUnreach]: ATTR_FLAG.optional,
  [ATTR.bgpLs]: ATTR_FLAG.optional,
};

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

function attributeValue(a: PathAttribute): Buffer {
  switch (a.kind) {
    case 'origin':
      return Buffer.from([a.value]);
    case 'as-path':
      return Buffer.concat(a.segments.map((s) => Buffer.concat([Buffer.from([s.type, s.asns.length]), ...s.asns.map(u32)])));
    case 'local-pref':
      return u32(a.value);
    case 'mp-reach': {
      const nh = Buffer.concat(a.nextHop.map(ipOctets));
      const head = Buffer.alloc(4);
      head.writeUInt16BE(a.afi, 0);
      head[2] = a.safi;
      head[3] = nh.length;
      return Buffer.concat([head, nh, Buffer.from([0]), ...a.nlri.map(encodeNlri)]);
    }
    case 'mp-unreach': {
      const head = Buffer.alloc(3);
      head.writeUInt16BE(a.afi, 0);
      head[2] = a.safi;
      return Buffer.concat([head, ...a.nlri.map(encodeNlri)]);
    }
    case 'bgp-ls':
      return encodeLsAttribute(a.value);
    case 'raw':
      return Buffer.from(a.value, 'hex');
  }
}

export function encodeAttribute(a: PathAttribute): Buffer {
  const value = attributeValue(a);
  const code = a.kind === 'raw' ? a.code : CODE[a.kind];
  const base = a.kind === 'raw' ? a.flags & ~ATTR_FLAG.extendedLength : FLAGS[code]!;
  const extended = value.length > 255;
  const head = Buffer.alloc(extended ? 4 : 3);
  head[0] = base | (extended ? ATTR_FLAG.extendedLength : 0);
  head[1] = code;
  if (extended) head.writeUInt16BE(value.length, 2);
  else head[2] = value.length;
  return Buffer.concat([head, value]);
}

export function encodeUpdate(m: UpdateMessage): Buffer {
  const withdrawn = Buffer.from(m.withdrawn, 'hex');
  const attrs = Buffer.concat(m.attributes.map(encodeAttribute));
  const w = Buffer.alloc(2);
  w.writeUInt16BE(withdrawn.length, 0);
  const a = Buffer.alloc(2);
  a.writeUInt16BE(attrs.length, 0);
  return Buffer.concat([w, withdrawn, a, attrs, Buffer.from(m.nlri, 'hex')]);
}

function attributeError(message: string, subcode: number = UPDATE_SUB.malformedAttributes): BgpMessageError {
  return new BgpMessageError(ERR.update, subcode, `UPDATE: ${message}`);
}

function decodeNextHop(nh: Buffer): string[] {
  if (nh.length === 4 || nh.length === 16) return [ipText(nh)];
  if (nh.length === 32) return [ipText(nh.subarray(0, 16)), ipText(nh.subarray(16))];
  throw attributeError(`next hop of ${nh.length} octets`, UPDATE_SUB.optionalAttribute);
}

function decodeAttribute(flags: number, code: number, value: Buffer): PathAttribute {
  const known = FLAGS[code];
  if (known !== undefined && (flags & (ATTR_FLAG.optional | ATTR_FLAG.transitive)) !== known) {
    throw attributeError(`attribute ${code} with flags 0x${flags.toString(16)}`, UPDATE_SUB.attributeFlags);
  }
  const r = new Reader(value);
  switch (code) {
    case ATTR.origin:
      if (value.length !== 1) throw attributeError('ORIGIN not 1 octet', UPDATE_SUB.attributeLength);
      return { kind: 'origin', value: value[0]! };
    case ATTR.asPath: {
      const segments: { type: number; asns: number[] }[] = [];
      while (r.remaining > 0) {
        const type = r.u8('AS_PATH segment type');
        const n = r.u8('AS_PATH segment length');
        const asns: number[] = [];
        for (let i = 0; i < n; i++) asns.push(r.u32('AS_PATH AS'));
        segments.push({ type, asns });
      }
      return { kind: 'as-path', segments };
    }
    case ATTR.localPref:
      if (value.length !== 4) throw attributeError('LOCAL_PREF not 4 octets', UPDATE_SUB.attributeLength);
      return { kind: 'local-pref', value: value.readUInt32BE(0) };
    case ATTR.mpReach: {
      const afi = r.u16('MP_REACH AFI');
      const safi = r.u8('MP_REACH SAFI');
      if (afi !== AFI_LS || safi !== SAFI_LS) break;
      const nextHop = decodeNextHop(r.bytes(r.u8('next hop length'), 'next hop'));
      r.u8('reserved');
      return { kind: 'mp-reach', afi, safi, nextHop, nlri: decodeNlriList(r.bytes(r.remaining, 'NLRI')) };
    }
    case ATTR.mpUnreach: {
      const afi = r.u16('MP_UNREACH AFI');
      const safi = r.u8('MP_UNREACH SAFI');
      if (afi !== AFI_LS || safi !== SAFI_LS) break;
      return { kind: 'mp-unreach', afi, safi, nlri: decodeNlriList(r.bytes(r.remaining, 'NLRI')) };
    }
    case ATTR.bgpLs:
      return { kind: 'bgp-ls', value: decodeLsAttribute(value) };
  }
  return { kind: 'raw', flags: flags & ~ATTR_FLAG.extendedLength, code, value: value.toString('hex') };
}

export function decodeUpdate(body: Buffer): UpdateMessage {
  return withCode(ERR.update, UPDATE_SUB.malformedAttributes, 'UPDATE', () => {
    const r = new Reader(body);
    const withdrawn = r.hex(r.u16('withdrawn routes length'), 'withdrawn routes');
    const attrsLength = r.u16('total path attribute length');
    const a = new Reader(body, r.pos, r.pos + attrsLength);
    r.bytes(attrsLength, 'path attributes');
    const attributes: PathAttribute[] = [];
    while (a.remaining > 0) {
      const flags = a.u8('attribute flags');
      const code = a.u8('attribute type');
      const len = flags & ATTR_FLAG.extendedLength ? a.u16('attribute length') : a.u8('attribute length');
      attributes.push(decodeAttribute(flags, code, a.bytes(len, `attribute ${code}`)));
    }
    return { type: 'UPDATE', withdrawn, attributes, nlri: r.hex(r.remaining, 'NLRI') };
  });
}
