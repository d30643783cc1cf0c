// Where the output's batches go when they go to a Node stream (process.stdout
// on a terminal, sniff's live output, a test's stream): written asynchronously,
// with the output handed over and not yet written counted, so the producer can
// stop (`blocked`, `drained()`) instead of queueing everything in memory.

/** Output queued in the stream before reading stops, and where it resumes. */
export const HIGH_WATER = 1024 * 1024;
export const LOW_WATER = 512 * 1024;

/** What the output writes its batches to (a stream, or fd 1 itself: fd-transport.ts). */
export interface Transport {
  /** Takes a finished chunk. */
  write(chunk: Buffer): void;
  /** True while more is queued than should be: stop producing until `drained()`. */
  readonly blocked: boolean;
  /** Resolves once the queue is low again (at once when not blocked). */
  drained(): Promise<void>;
  /** Resolves once everything taken is written. */
  settled(): Promise<void>;
}

export class StreamTransport implements Transport {
  /** Handed over and not yet written. */
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  /**
   * `written(chunk)`: the stream is done with a chunk (only for streams whose
   * write callback means written, such as process.stdout; a PassThrough calls
   * back with the chunk still queued for its reader).
   */
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly written?: (chunk: Buffer) => void,
  ) {
    // A closed pipe never drains (cli.ts ends the process on EPIPE); other failures end the wait.
    stream.once('close', () => this.release());
  }

  write(chunk: Buffer): void {
    this.inFlight += chunk.length;
    this.stream.write(chunk, () => {
      this.inFlight -= chunk.length;
      this.written?.(chunk);
      if (this.inFlight <= LOW_WATER && this.waiters.length > 0) this.release();
    });
  }

  get blocked(): boolean {
    return this.inFlight > HIGH_WATER;
  }

  drained(): Promise<void> {
    return this.inFlight > HIGH_WATER ? this.below(LOW_WATER) : Promise.resolve();
  }

  settled(): Promise<void> {
    return this.below(0);
  }

  private release(): void {
    const ready = this.waiters;
    this.waiters = [];
    for (const w of ready) w();
  }

  private below(mark: number): Promise<void> {
    if (this.inFlight <= mark) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiters.push(() => (this.inFlight <= mark ? resolve() : void this.below(mark).then(resolve))));
  }
}
