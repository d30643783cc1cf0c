// The JSON records that `decode` and `sniff` print, built from the stream
// decoder's output by explicit functions (never by serialising internals).
// Keys are always present so scripts can rely on them.
import type { StreamRecord } from '../proto/stream.js';
import type { Pdu } from '../proto/types.js';

export interface PduJsonRecord {
  time: number;
  ifname: string | null;
  src: string;
  dst: string;
  frames: number;
  length: number;
  pdu: Pdu;
}

export interface ErrorJsonRecord {
  time: number;
  ifname: string | null;
  src: string;
  dst: string;
  error: { reason: string; message: string; offset: number; pduType: number | null };
}

export function toJsonRecord(rec: StreamRecord): PduJsonRecord | ErrorJsonRecord {
  if (rec.kind === 'pdu') {
    return {
      time: rec.time,
      ifname: rec.ifname ?? null,
      src: rec.src,
      dst: rec.dst,
      frames: rec.frames.length,
      length: rec.bytes.length,
      pdu: rec.pdu,
    };
  }
  return {
    time: rec.time,
    ifname: rec.ifname ?? null,
    src: rec.src,
    dst: rec.dst,
    error: {
      reason: rec.error.reason,
      message: rec.error.message,
      offset: rec.error.offset,
      pduType: rec.error.pduType ?? null,
    },
  };
}
