// Which decoded records a user asked to see (--type, --mac, --src, --dst),
// shared by `decode` and `sniff`.
import { DecodeError } from './errors.js';
import { normalizeMac } from './ethernet.js';
import type { StreamRecord } from './stream.js';
import { PduType } from './types.js';

export interface RecordFilterSpec {
  types: string[];
  macs: string[];
  srcs: string[];
  dsts: string[];
}

const ALIASES: Record<string, number> = {
  IPV4: PduType.IPV4_ENCAPSULATION,
  IPV6: PduType.IPV6_ENCAPSULATION,
  MPLS_IPV4: PduType.MPLS_IPV4_ENCAPSULATION,
  MPLS_IPV6: PduType.MPLS_IPV6_ENCAPSULATION,
};

/** A type name (any case, `-` or `_`), short alias, number, or UNKNOWN → wire code (-1 = UNKNOWN). */
export function parsePduTypeFilter(text: string): number {
  const name = text.trim().toUpperCase().replace(/-/g, '_');
  if (/^\d+$/.test(name)) {
    const code = parseInt(name, 10);
    if (code <= 255) return code;
  } else if (name === 'UNKNOWN') {
    return -1;
  } else if (name in PduType) {
    return PduType[name as keyof typeof PduType];
  } else if (name in ALIASES) {
    return ALIASES[name]!;
  }
  const known = Object.keys(PduType).join(', ');
  throw new DecodeError('pdu', `unknown PDU type '${text}' (one of ${known}, UNKNOWN, or a number 0-255)`, 0);
}

function normaliseMac(text: string): string {
  const mac = normalizeMac(text);
  if (mac === null) throw new DecodeError('pdu', `invalid MAC address '${text}' (want aa:bb:cc:dd:ee:ff)`, 0);
  return mac;
}

export type RecordFilter = (rec: StreamRecord) => boolean;

/**
 * Builds the predicate. Error records pass the type filter (they have no
 * trustworthy type) but obey the MAC filters. Throws DecodeError on bad specs;
 * callers turn that into a usage error.
 */
export function buildRecordFilter(spec: RecordFilterSpec): RecordFilter {
  const types = new Set(spec.types.map(parsePduTypeFilter));
  const macs = new Set(spec.macs.map(normaliseMac));
  const srcs = new Set(spec.srcs.map(normaliseMac));
  const dsts = new Set(spec.dsts.map(normaliseMac));
  return (rec) => {
    if (macs.size > 0 && !macs.has(rec.src) && !macs.has(rec.dst)) return false;
    if (srcs.size > 0 && !srcs.has(rec.src)) return false;
    if (dsts.size > 0 && !dsts.has(rec.dst)) return false;
    if (types.size > 0 && rec.kind === 'pdu') {
      const code = rec.pdu.type === 'UNKNOWN' ? -1 : codeOf(rec.pdu.type);
      if (!types.has(code)) return false;
    }
    return true;
  };
}

function codeOf(name: string): number {
  return PduType[name as keyof typeof PduType] ?? -1;
}

