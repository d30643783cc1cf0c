// The one way records reach the output, for decode, sniff (and hello's
// answers): filter → tally → print, as JSON lines (written from the PDU's
// octets) or as lines for people. It takes raw records, so a record that is
// filtered out, or printed as JSON, is never decoded into objects.
import { buildRecordFilter, type RecordFilter, type RecordFilterSpec } from '../proto/record-filter.js';
import { decodeRecord, type RawRecord } from '../proto/stream.js';
import { PduTypeNames } from '../proto/types.js';
import type { Output } from './output.js';
import { recordLines } from './pdu-text.js';
import { RecordJsonWriter } from './record-json.js';
import { Tally } from './tally.js';
import { TimeStamper, type TimeFormat } from './time-stamp.js';

/** The options decode and sniff share (declared once: commands/record-options.ts). */
export interface RecordOptions extends RecordFilterSpec {
  json: boolean;
  verbose: boolean;
  hexdump: boolean;
  /** the first of `ethertypes` (what a single-EtherType consumer listens for) */
  ethertype: number;
  /** every EtherType selected (--ethertype 0x88b5,0x8885) */
  ethertypes: number[];
  /** -c: stop after this many PDUs; null: all */
  count: number | null;
  /** --time: how the time reads for people */
  time: TimeFormat;
  /** -e: EtherType and VLAN IDs on each line */
  link: boolean;
  /** seconds a partial multi-frame PDU waits for its pieces */
  reassemblyTimeout: number;
  /** write each record through at once (-l) */
  lineBuffered: boolean;
}

export interface PrinterOptions extends Pick<RecordOptions, 'json' | 'verbose' | 'hexdump' | keyof RecordFilterSpec>, Partial<Pick<RecordOptions, 'time' | 'link'>> {
  /** count only (decode --summary); print no record */
  summary: boolean;
}

export class RecordPrinter {
  readonly tally: Tally;
  private readonly filter: RecordFilter;
  private readonly json: RecordJsonWriter;
  private readonly stamper: TimeStamper;

  /** Throws FilterSpecError for a bad --type/--mac/--src/--dst (the commands check first). */
  constructor(
    private readonly opts: PrinterOptions,
    private readonly out: Output,
  ) {
    // Per-sender counts only for a summary (decode --summary prints them).
    this.tally = new Tally(opts.summary);
    this.filter = buildRecordFilter(opts);
    this.json = new RecordJsonWriter(out.bytes);
    this.stamper = new TimeStamper(opts.time ?? 'clock');
  }

  /**
   * Prints what passes the filter; `timeless`: the input had no timestamps
   * (hex frames). Returns the number of PDU records that passed; stops after
   * `limit` of them (sniff -c).
   */
  print(records: RawRecord[], timeless = false, limit = Infinity): number {
    let pdus = 0;
    for (let i = 0; i < records.length && pdus < limit; i++) {
      const rec = records[i]!;
      if (!this.filter(rec)) continue;
      if (this.out.json && !this.opts.summary) {
        const time = timeless ? null : rec.time;
        if (rec.kind === 'pdu') {
          const failed = this.json.pdu(rec, time);
          if (failed === null) {
            pdus++;
            this.tally.addPdu(PduTypeNames[rec.bytes[0]!] ?? 'UNKNOWN', rec.ifname, rec.src);
          } else {
            this.tally.add(failed);
          }
        } else {
          this.json.error(rec, time);
          this.tally.add(rec);
        }
      } else {
        const decoded = decodeRecord(rec);
        this.tally.add(decoded);
        if (decoded.kind === 'pdu') pdus++;
        if (this.opts.summary) continue;
        const lines = recordLines(decoded, this.out.style, {
          verbose: this.opts.verbose,
          hex: this.opts.hexdump,
          timeless,
          stamper: this.stamper,
          link: this.opts.link === true,
        });
        for (const line of lines) this.out.bytes.text(line + '\n');
      }
      this.out.done();
    }
    return pdus;
  }
}
