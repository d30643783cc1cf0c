// The BGP-LS attribute (path attribute 29, RFC 9552 section 5.3): TLVs about the
// node or link the NLRI names. We send Node Name (1026) and Link Name (1098).
import { Reader } from '../../proto/cursor.js';
import { encodeTlv, LS_TLV, readTlvs, type RawTlv } from './tlv.js';

export interface LsAttribute {
  nodeName?: string;
  linkName?: string;
  other?: RawTlv[];
}

export function encodeLsAttribute(a: LsAttribute): Buffer {
  const tlvs: Buffer[] = [];
  if (a.nodeName !== undefined) tlvs.push(encodeTlv(LS_TLV.nodeName, Buffer.from(a.nodeName, 'utf8')));
  if (a.linkName !== undefined) tlvs.push(encodeTlv(LS_TLV.linkName, Buffer.from(a.linkName, 'utf8')));
  for (const t of a.other ?? []) tlvs.push(encodeTlv(t.type, Buffer.from(t.value, 'hex')));
  return Buffer.concat(tlvs.sort((x, y) => x.readUInt16BE(0) - y.readUInt16BE(0)));
}

export function decodeLsAttribute(value: Buffer): LsAttribute {
  const out: LsAttribute = {};
  const other: RawTlv[] = [];
  for (const t of readTlvs(new Reader(value), 'BGP-LS attribute')) {
    if (t.type === LS_TLV.nodeName) out.nodeName = t.value.toString('utf8');
    else if (t.type === LS_TLV.linkName) out.linkName = t.value.toString('utf8');
    else other.push({ type: t.type, value: t.value.toString('hex') });
  }
  if (other.length > 0) out.other = other;
  return out;
}
