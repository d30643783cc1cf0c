// Cuts a byte stream into lines, keeping at most `maxLine` bytes of an unfinished line.
// A longer line is reported once through `onOverlong` and skipped up to its newline,
// so one bad client line cannot grow memory and the next line is read normally.

export interface LineHandlers {
  onLine(line: string): void;
  onOverlong(): void;
}

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;

  constructor(
    private readonly maxLine: number,
    private readonly handlers: LineHandlers,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.keep(chunk.subarray(start, nl));
      if (!this.discarding) {
        const line = Buffer.concat(this.pending).toString('utf8').replace(/\r$/, '');
        if (line.trim() !== '') this.handlers.onLine(line);
      }
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = false;
      start = nl + 1;
    }
  }

  private keep(part: Buffer): void {
    if (this.discarding || part.length === 0) return;
    if (this.pendingBytes + part.length > this.maxLine) {
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = true;
      this.handlers.onOverlong();
      return;
    }
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
  }
}
