// What `lsoe decode` is asked to do (built by commands/decode.ts).
import type { RecordOptions } from '../render/record-printer.js';

export interface DecodeOptions extends RecordOptions {
  files: string[];
  /** inputs are Ethernet frames in hex, one per line */
  hex: boolean;
  /** counts instead of records */
  summary: boolean;
}
