// Counts over a stream of decoded records: the `--summary` of decode and the
// closing summary of sniff.
import { plural } from './plural.js';
import type { StreamRecord } from '../proto/stream.js';
import type { Output } from './output.js';

export class Tally {
  /** Ethernet frames seen (LSOE or not) */
  frames = 0;
  /** frames with another EtherType, skipped */
  nonLsoe = 0;
  pdus = 0;
  errors = 0;
  readonly byType = new Map<string, number>();
  readonly bySender = new Map<string, number>();
  readonly errorsByReason = new Map<string, number>();

  add(rec: StreamRecord): void {
    if (rec.kind === 'pdu') {
      this.pdus++;
      bump(this.byType, rec.pdu.type);
      bump(this.bySender, rec.ifname === undefined ? rec.src : `${rec.ifname} ${rec.src}`);
    } else {
      this.errors++;
      bump(this.errorsByReason, rec.error.reason);
    }
  }

  toJson(): Record<string, unknown> {
    return {
      frames: this.frames,
      nonLsoeFrames: this.nonLsoe,
      pdus: this.pdus,
      errors: this.errors,
      byType: Object.fromEntries(this.byType),
      bySender: Object.fromEntries(this.bySender),
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
    if (this.bySender.size) out.table(['sender', 'PDUs'], rows(this.bySender));
    if (this.errorsByReason.size) out.table(['error', 'count'], rows(this.errorsByReason));
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
