// The time column of a record for people, as tcpdump's -t family prints it
// (`-t` is `--type` in lsoe, so it is `--time WHEN`): the time of day (the
// default), the date and time (-tttt), the time since the previous record
// (-ttt: keepalive gaps at a glance), epoch seconds (-tt), or none (-t).
import { formatTime } from './pdu-text.js';

export const TIME_FORMATS = ['clock', 'date', 'delta', 'epoch', 'none'] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Whole seconds and microseconds of a time, the microseconds rounded (never 1000000). */
function split(seconds: number): [number, number] {
  let whole = Math.floor(seconds);
  let micros = Math.round((seconds - whole) * 1e6);
  if (micros === 1e6) {
    whole++;
    micros = 0;
  }
  return [whole, micros];
}

export class TimeStamper {
  private previous: number | null = null;

  constructor(readonly format: TimeFormat) {}

  /** The column for a record at `time` (epoch seconds); null: leave it out. */
  stamp(time: number): string | null {
    switch (this.format) {
      case 'none':
        return null;
      case 'clock':
        return formatTime(time);
      case 'epoch': {
        const [whole, micros] = split(time);
        return `${whole}.${pad(micros, 6)}`;
      }
      case 'date': {
        const [whole, micros] = split(time);
        const d = new Date(whole * 1000);
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros, 6)}`;
      }
      case 'delta': {
        const gap = this.previous === null ? 0 : Math.max(0, time - this.previous);
        this.previous = time;
        const [whole, micros] = split(gap);
        return `${pad(Math.floor(whole / 3600))}:${pad(Math.floor(whole / 60) % 60)}:${pad(whole % 60)}.${pad(micros, 6)}`;
      }
    }
  }
}
