// What `lsoe sniff` is asked to do (built by commands/sniff.ts).
import type { RecordOptions } from '../render/record-printer.js';

export interface SniffOptions extends RecordOptions {
  /** -i, repeatable: names, `any`, globs; empty: every up, non-loopback Ethernet interface */
  interfaces: string[];
  /** false with -p: no promiscuous mode; the HELLO group is joined instead */
  promiscuous: boolean;
  /** -Q: frames received, sent, or both */
  direction: 'in' | 'out' | 'inout';
  /** -w: capture file to write, '-' for stdout; null: none */
  write: string | null;
  /** with -w: classic pcap instead of pcapng */
  pcap: boolean;
  /** with -w FILE: -G/-C/-W, the capture split into files; null: one file */
  rotation: { seconds: number | null; megabytes: number | null; files: number | null } | null;
  /** with -w: print records as well */
  print: boolean;
  /** -B: octets the kernel may hold per interface while the output is blocked */
  bufferSize: number;
}
