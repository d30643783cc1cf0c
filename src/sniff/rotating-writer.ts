// `sniff -w FILE` with -G SECONDS / -C MB / -W N: the capture split into files, as
// tcpdump splits it. A new file starts when the current one has run -G seconds
// (capture time of the frames) or would pass -C megabytes (1,000,000 octets).
// Names: without -W, FILE, FILE1, FILE2, ...; with -W N, FILE0 ... FILE<N-1>
// (zero-padded), and then either a ring (with -C: the oldest is overwritten, so
// at most N files) or, with -G alone, the end of the capture after N files.
import { CaptureWriter, type CaptureFormat, type CaptureSink } from '../io/capture-writer.js';

export interface RotationOptions {
  /** -G: seconds per file; null: no time limit */
  seconds: number | null;
  /** -C: megabytes (10^6 octets) per file; null: no size limit */
  megabytes: number | null;
  /** -W: how many files; null: no limit */
  files: number | null;
  format: CaptureFormat;
}

/** Per-frame octets besides the frame in either format (pcapng's block, rounded up). */
const RECORD_OVERHEAD = 36;

export class RotatingWriter implements CaptureSink {
  private current: CaptureWriter;
  private index = 0;
  private started: number | null = null;
  /** -G with -W: the last file is full; frames are no longer written */
  private over = false;
  private readonly closing: Array<Promise<void>> = [];

  constructor(
    private readonly base: string,
    private readonly opts: RotationOptions,
    /** called once when -W files of -G seconds are written (sniff stops, as tcpdump does) */
    private readonly onLastFile: () => void,
  ) {
    this.current = this.open(0);
  }

  /** The name of file `i` (see the top of this file). */
  fileName(i: number): string {
    if (this.opts.files === null) return i === 0 ? this.base : `${this.base}${i}`;
    const width = String(this.opts.files - 1).length;
    return `${this.base}${String(i % this.opts.files).padStart(width, '0')}`;
  }

  writeFrame(time: number, frame: Buffer, ifname?: string): void {
    if (this.over) return;
    this.started ??= time;
    const { seconds, megabytes } = this.opts;
    const late = seconds !== null && time - this.started >= seconds;
    const full = megabytes !== null && this.current.count > 0 && this.current.size + frame.length + RECORD_OVERHEAD > megabytes * 1e6;
    if (late || full) {
      this.rotate(time);
      if (this.over) return;
    }
    this.current.writeFrame(time, frame, ifname);
  }

  async close(): Promise<void> {
    if (!this.over) this.closing.push(this.current.close());
    await Promise.all(this.closing);
  }

  private rotate(time: number): void {
    this.closing.push(this.current.close());
    this.index++;
    this.started = time;
    if (this.opts.files !== null && this.opts.megabytes === null && this.index >= this.opts.files) {
      this.over = true;
      this.onLastFile();
      return;
    }
    this.current = this.open(this.index);
  }

  private open(i: number): CaptureWriter {
    return new CaptureWriter(this.fileName(i), { format: this.opts.format });
  }
}
