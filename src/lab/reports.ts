// The northbound reports (PROTOCOL.md section 7, lsoed-compatible) the
// collector receives, checked and kept like the reference collector did:
// the latest report per `unique` key (plus where it came from), each stamped
// with when it was heard. A report with no encapsulations is a withdrawal.
// Pure: the caller passes the time.

export interface ReportEncap {
  address: string;
  prefixLength: number;
  primary: boolean;
  loopback: boolean;
  labels: string[] | null;
}

export interface StoredReport {
  source: string;
  /** lowercase hex, no separators */
  switchId: string;
  ifname: string;
  peerMac: string;
  peerId: string | null;
  /** IPV4, IPV6, MPLS_IPV4, MPLS_IPV6 (the PDU name without ENCAPSULATION) */
  type: string;
  pduType: number | null;
  encaps: ReportEncap[];
  /** ISO time the collector received it */
  heard: string;
}

export type ParsedReport = { ok: true; report: Omit<StoredReport, 'source' | 'heard'>; unique: unknown[] } | { ok: false; error: string };

/** Switch IDs come as `01:02:…`, `01-02-…` or plain hex; compare them as plain lowercase hex. */
export function normalizeId(id: string): string {
  return id.toLowerCase().replace(/[^0-9a-f]/g, '');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const PDU_NAMES: Record<number, string> = { 4: 'IPV4', 5: 'IPV6', 6: 'MPLS_IPV4', 7: 'MPLS_IPV6' };

/** `IPV4ENCAPSULATION` (lsoed) or `IPV4_ENCAPSULATION` → `IPV4`; `MPLSIPV4…` → `MPLS_IPV4`. */
export function typeName(pduName: unknown, pduType: unknown): string {
  if (typeof pduType === 'number' && PDU_NAMES[pduType]) return PDU_NAMES[pduType]!;
  if (typeof pduName !== 'string') return 'UNKNOWN';
  const base = pduName.toUpperCase().replace(/_?ENCAPSULATION$/, '');
  return base.replace(/^MPLS_?/, 'MPLS_').replace(/^MPLS_$/, 'MPLS');
}

function labelsOf(v: unknown): string[] | null {
  if (!Array.isArray(v)) return null;
  return v.map((l) => (typeof l === 'number' ? l.toString(16).padStart(6, '0') : String(l)));
}

export function parseReport(value: unknown): ParsedReport {
  if (!isObject(value)) return { ok: false, error: 'a report must be a JSON object' };
  const { my_switch_id: my, ifname, peer_macaddr: peerMac, peer_switch_id: peerId, encaps } = value;
  if (typeof my !== 'string') return { ok: false, error: 'my_switch_id: want a string' };
  if (typeof ifname !== 'string') return { ok: false, error: 'ifname: want a string' };
  if (typeof peerMac !== 'string') return { ok: false, error: 'peer_macaddr: want a string' };
  if (!Array.isArray(encaps)) return { ok: false, error: 'encaps: want a list' };
  const rows: ReportEncap[] = [];
  for (const [i, e] of encaps.entries()) {
    if (!isObject(e) || typeof e.ipaddr !== 'string' || typeof e.prefixlen !== 'number') {
      return { ok: false, error: `encaps[${i}]: want {ipaddr, prefixlen, primary, loopback, labels}` };
    }
    rows.push({
      address: e.ipaddr,
      prefixLength: e.prefixlen,
      primary: e.primary === true,
      loopback: e.loopback === true,
      labels: labelsOf(e.labels),
    });
  }
  const type = typeName(value.pdu_name, value.pdu_type);
  const unique = Array.isArray(value.unique) ? value.unique : [my, ifname, peerMac, peerId, type];
  return {
    ok: true,
    unique,
    report: {
      switchId: normalizeId(my),
      ifname,
      peerMac: peerMac.toLowerCase().replace(/-/g, ':'),
      peerId: typeof peerId === 'string' ? normalizeId(peerId) : null,
      type,
      pduType: typeof value.pdu_type === 'number' ? value.pdu_type : null,
      encaps: rows,
    },
  };
}

/** Far more than any lab sends (8 × 32: 512 session ends × 4 types); only a runaway poster on /mutate reaches it. */
export const MAX_REPORTS = 20000;
/** What all kept reports may weigh together (their JSON): a few large reports must not fill memory either. */
export const MAX_REPORT_BYTES = 32 * 1024 * 1024;

export class ReportStore {
  private readonly latest = new Map<string, { report: StoredReport; bytes: number }>();
  private bytes = 0;
  /** reports refused because a bound was reached, by bound */
  readonly refused = { count: 0, bytes: 0 };

  constructor(
    private readonly max = MAX_REPORTS,
    private readonly maxBytes = MAX_REPORT_BYTES,
  ) {}

  /** Keeps the report; returns its switch ID so the caller can refresh that node. */
  add(value: unknown, source: string, now: Date): { ok: true; switchId: string } | { ok: false; error: string } {
    const parsed = parseReport(value);
    if (!parsed.ok) return parsed;
    const key = JSON.stringify([source, ...parsed.unique]);
    const old = this.latest.get(key);
    if (old === undefined && this.latest.size >= this.max) {
      this.refused.count++;
      return { ok: false, error: `collector holds ${this.max} reports already` };
    }
    const report = { ...parsed.report, source, heard: now.toISOString() };
    const bytes = key.length + JSON.stringify(report).length;
    if (this.bytes - (old?.bytes ?? 0) + bytes > this.maxBytes) {
      this.refused.bytes++;
      return { ok: false, error: `collector holds ${this.maxBytes} bytes of reports already` };
    }
    this.bytes += bytes - (old?.bytes ?? 0);
    this.latest.set(key, { report, bytes });
    return { ok: true, switchId: parsed.report.switchId };
  }

  /** bytes the kept reports weigh (their JSON) */
  size(): { reports: number; bytes: number } {
    return { reports: this.latest.size, bytes: this.bytes };
  }

  all(): StoredReport[] {
    return [...this.latest.values()].map((e) => e.report);
  }
}
