// What `lsoe sniff` is asked to do (built by commands/sniff.ts).
import type { RecordOptions } from '../render/record-printer.js';

export interface SniffOptions extends RecordOptions {
  /** -i, repeatable; empty: every up, non-loopback Ethernet interface */
  interfaces: string[];
  /** -c: stop after this many PDUs; null: run until a signal */
  count: number | null;
  /** -w: capture file to write, '-' for stdout; null: none */
  write: string | null;
  /** with -w: classic pcap instead of pcapng */
  pcap: boolean;
  /** with -w: print records as well */
  print: boolean;
}
