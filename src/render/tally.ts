// Counts over a stream of decoded records: the `--summary` of decode and the
// closing summary of sniff.
import { plural } from './plural.js';
import type { StreamRecord } from '../proto/stream.js';
import type { Output } from './output.js';
import { SenderCounts } from './sender-counts.js';

/** Rows of the per-sender table (and entries of the JSON summary's bySender). */
export const TOP_SENDERS = 20;

export class Tally {
  /** Ethernet frames seen (LSOE or not) */
  frames = 0;
  /** frames with another EtherType, skipped */
  nonLsoe = 0;
  pdus = 0;
  errors = 0;
  readonly byType = new Map<string, number>();
  /** made when first counted or read: its tables are ~1 MB, which a decode without a summary never needs */
  private senderCounts: SenderCounts | null = null;
  readonly errorsByReason = new Map<string, number>();

  /**
   * `senders`: count PDUs per sender (the summary's sender table). Off when
   * no summary will show them (decode --json without --summary): it cost
   * more per record than writing the record's head.
   */
  constructor(private readonly senders = true) {}

  get bySender(): SenderCounts {
    return (this.senderCounts ??= new SenderCounts());
  }

  add(rec: StreamRecord): void {
    if (rec.kind === 'pdu') {
      this.addPdu(rec.pdu.type, rec.ifname, rec.src);
    } else {
      this.errors++;
      bump(this.errorsByReason, rec.error.reason);
    }
  }

  /** A PDU known to decode, by its type name (decode --json counts without decoding twice). */
  addPdu(type: string, ifname: string | undefined, src: string): void {
    this.pdus++;
    bump(this.byType, type);
    if (this.senders) this.bySender.add(ifname, src);
  }

  toJson(): Record<string, unknown> {
    return {
      frames: this.frames,
      nonLsoeFrames: this.nonLsoe,
      pdus: this.pdus,
      errors: this.errors,
      byType: Object.fromEntries(this.byType),
      senders: this.bySender.distinct,
      bySender: Object.fromEntries(this.bySender.top(TOP_SENDERS).map((r) => [r.sender, r.pdus])),
      sendersNotListed: Math.max(0, this.bySender.distinct - TOP_SENDERS),
      senderCountsAreLowerBounds: this.bySender.approximate,
      errorsByReason: Object.fromEntries(this.errorsByReason),
    };
  }

  render(out: Output): void {
    if (out.json) {
      out.record({ summary: this.toJson() });
      return;
    }
    out.line(
      `${plural(this.frames, 'frame')}, ${plural(this.pdus, 'PDU')}, ${plural(this.errors, 'error')}, ${plural(this.nonLsoe, 'non-LSOE frame')} skipped`,
    );
    const rows = (m: Map<string, number>): string[][] =>
      [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, v]) => [k, String(v)]);
    if (this.byType.size) out.table(['PDU type', 'count'], rows(this.byType));
    const top = this.bySender.top(TOP_SENDERS);
    if (top.length > 0) {
      const more = this.bySender.distinct - top.length;
      const lowerBound = this.bySender.approximate ? '≥ ' : '';
      const senderRows = top.map((r) => [r.sender, lowerBound + String(r.pdus)]);
      if (more > 0) senderRows.push([`… and ${more.toLocaleString('en-US')} more`, '']);
      out.table([`sender (${this.bySender.distinct.toLocaleString('en-US')})`, 'PDUs'], senderRows);
    }
    if (this.errorsByReason.size) out.table(['error', 'count'], rows(this.errorsByReason));
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
