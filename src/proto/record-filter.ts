// Which records a user asked to see (--type, --mac, --src, --dst), shared by
// `decode` and `sniff`. It reads raw records (the PDU's type is its first
// octet), so records filtered out are never decoded.
import { normalizeMac } from './ethernet.js';
import type { RawRecord } from './stream.js';
import { PduType, PduTypeNames } from './types.js';

/** A filter given on the command line does not parse (a usage error, found before any input is read). */
export class FilterSpecError extends Error {
  override readonly name = 'FilterSpecError';
}

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
  throw new FilterSpecError(`--type: unknown PDU type '${text}' (one of ${known}, UNKNOWN, or a number 0-255)`);
}

function normaliseMac(option: string, text: string): string {
  const mac = normalizeMac(text);
  if (mac === null) throw new FilterSpecError(`${option}: invalid MAC address '${text}' (want aa:bb:cc:dd:ee:ff)`);
  return mac;
}

export type RecordFilter = (rec: RawRecord) => boolean;

/**
 * Builds the predicate. Error records pass the type filter (they have no
 * trustworthy type) but obey the MAC filters. A record whose destination was
 * not captured (Linux cooked captures) never matches --dst, and --mac only by
 * its source. Throws FilterSpecError on bad specs.
 */
export function buildRecordFilter(spec: RecordFilterSpec): RecordFilter {
  const types = new Set(spec.types.map(parsePduTypeFilter));
  const macs = new Set(spec.macs.map((m) => normaliseMac('--mac', m)));
  const srcs = new Set(spec.srcs.map((m) => normaliseMac('--src', m)));
  const dsts = new Set(spec.dsts.map((m) => normaliseMac('--dst', m)));
  if (types.size + macs.size + srcs.size + dsts.size === 0) return () => true;
  return (rec) => {
    if (macs.size > 0 && !macs.has(rec.src) && (rec.dst === null || !macs.has(rec.dst))) return false;
    if (srcs.size > 0 && !srcs.has(rec.src)) return false;
    if (dsts.size > 0 && (rec.dst === null || !dsts.has(rec.dst))) return false;
    if (types.size > 0 && rec.kind === 'pdu') {
      const first = rec.bytes.length > 0 ? rec.bytes[0]! : -1;
      if (!types.has(PduTypeNames[first] === undefined ? -1 : first)) return false;
    }
    return true;
  };
}

