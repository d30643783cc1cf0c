// The work behind `lsoe decode`: read every input a chunk at a time, feed its
// Ethernet frames to the LSOE stream decoder, print the records through the
// shared record printer. Between chunks it waits for the output to drain, so
// a slow reader slows the reading instead of piling output up in memory.
// Returns the exit status.
import { CliError } from '../cli-error.js';
import { statSync } from 'node:fs';
import { CaptureError, LINKTYPE, parseCaptureFileSync, parseCaptureInput, type CaptureSink, type PacketView } from '../io/capture-reader.js';
import { macToString, parseEthernet } from '../proto/ethernet.js';
import { LsoeStream, type CookedLink, type RawRecord, type StreamInput } from '../proto/stream.js';
import { errorLine, systemErrorText } from '../cli-context.js';
import { hex4, LSOE_ETHERTYPES } from '../ethertype.js';
import { createOutput, type Output } from '../render/output.js';
import { plural } from '../render/plural.js';
import { RecordPrinter } from '../render/record-printer.js';
import { parseHexFrames, readHexFrameBatches } from './hex-input.js';
import type { DecodeOptions } from './options.js';

class Decoder implements CaptureSink {
  readonly printer: RecordPrinter;
  private readonly stream: LsoeStream;
  /** capture time of the newest frame: what "end of input" is stamped with */
  private lastTime: number | null = null;
  /** frames of the other LSOE EtherType (0x8885 when 0x88b5 is selected, or back), for the hint */
  private readonly otherLsoe = new Map<number, number>();
  /** the EtherTypes selected besides the first (--ethertype 0x88b5,0x8885) */
  private readonly moreEthertypes: ReadonlySet<number>;
  /** records carry their EtherType (-e, or several EtherTypes selected) */
  private readonly keepEthertype: boolean;
  /** what frame() hands the stream, reused (a frame's object made per frame was garbage at once) */
  private readonly input: StreamInput = {
    time: 0,
    ifname: undefined,
    dst: null,
    src: '',
    cooked: undefined,
    ethertype: undefined,
    vlan: undefined,
    payload: Buffer.alloc(0),
    payloadAt: 0,
    payloadEnd: 0,
  };
  /** PDUs printed, for -c */
  private shown = 0;
  /** -c PDUs printed: read no further */
  done = false;

  /**
   * The hint for a capture of the other LSOE EtherType (the README's first example
   * without its flag printed nothing): null when some frame had the selected one.
   */
  otherEthertypeHint(): string | null {
    const tally = this.printer.tally;
    if (tally.frames > tally.nonLsoe || this.otherLsoe.size === 0) return null;
    const [type, n] = [...this.otherLsoe].sort((a, b) => b[1] - a[1])[0]!;
    const whose = type === 0x8885 ? " (the published lsoed's)" : '';
    return `no frame of EtherType ${hex4(this.opts.ethertype)}, but ${plural(n, 'frame')} of EtherType ${hex4(type)}${whose}: add --ethertype ${hex4(type)}`;
  }

  constructor(
    private readonly opts: DecodeOptions,
    out: Output,
  ) {
    this.printer = new RecordPrinter(opts, out);
    this.stream = new LsoeStream({ timeout: opts.reassemblyTimeout });
    this.moreEthertypes = new Set(opts.ethertypes.slice(1));
    this.keepEthertype = opts.link || opts.ethertypes.length > 1;
  }

  /**
   * One Ethernet frame from any input: buf[start, end) (capture packets are
   * views of the read buffer, and no view is made of them here). `time` null:
   * hex input has no timestamps.
   */
  frame(time: number | null, buf: Buffer, start: number, end: number, ifname: string | undefined, cooked?: CookedLink): void {
    if (this.done) return;
    const tally = this.printer.tally;
    tally.frames++;
    // The Ethernet header by hand (parseEthernet only when VLAN tags need skipping): this runs per frame.
    if (end - start < 14) {
      // Too short for an Ethernet header: not ours to judge as LSOE.
      tally.nonLsoe++;
      return;
    }
    let ethertype = (buf[start + 12]! << 8) | buf[start + 13]!;
    let payloadAt = start + 14;
    let vlan: number[] | undefined;
    if (ethertype === 0x8100 || ethertype === 0x88a8 || ethertype === 0x9100) {
      let eth;
      try {
        eth = parseEthernet(buf.subarray(start, end));
      } catch {
        tally.nonLsoe++;
        return;
      }
      ethertype = eth.ethertype;
      payloadAt = end - eth.payload.length;
      vlan = eth.vlanTags;
    }
    if (ethertype !== this.opts.ethertype && !this.moreEthertypes.has(ethertype)) {
      tally.nonLsoe++;
      if ((LSOE_ETHERTYPES as readonly number[]).includes(ethertype)) this.otherLsoe.set(ethertype, (this.otherLsoe.get(ethertype) ?? 0) + 1);
      return;
    }
    const now = time ?? 0;
    if (time !== null) this.lastTime = time;
    const src = macToString(buf, start + 6);
    // A cooked capture did not record the destination: the synthesized one means nothing.
    const dst = cooked === undefined ? macToString(buf, start) : null;
    // pushRaw() reports timed-out pieces first, then what this frame completes.
    // One input object for every frame (the stream keeps none of it): every field written each time.
    const input = this.input;
    input.time = now;
    input.ifname = ifname;
    input.dst = dst;
    input.src = src;
    input.cooked = cooked;
    // the EtherType only when a line may show it (-e, several selected): the common record stays lean
    input.ethertype = this.keepEthertype ? ethertype : undefined;
    input.vlan = vlan;
    input.payload = buf;
    input.payloadAt = payloadAt;
    input.payloadEnd = end;
    const records = this.stream.pushRaw(input);
    if (records.length > 0) this.print(records, time === null);
  }

  /**
   * One packet of a capture (the reader's CaptureSink). The reader calls it for
   * every packet of a batch (a file's: at most 256; a stream's: a chunk's worth)
   * between two steps of decodeInput, so decodeInput (its awaits, the output's
   * rare paths) stays interpreted at one step per batch while this compiles
   * early and on its own. (As decodeInput's
   * loop, round 8, bench 100k typical: the whole decoder was inlined into it,
   * compiled only after ~21,000 records, thrown away at once when the pipe
   * first filled, and compiled again after ~56,000.)
   */
  packet(p: PacketView): void {
    const cooked: CookedLink | undefined =
      p.linkType === LINKTYPE.ETHERNET ? undefined : { direction: p.packetType === 4 ? 'out' : 'in', ifindex: p.ifindex ?? null };
    this.frame(p.time, p.buf, p.start, p.end, p.ifname, cooked);
  }

  /** End of all input: pieces still waiting can never complete. */
  finish(): void {
    if (this.done) return;
    const left = this.stream.expire(Number.POSITIVE_INFINITY);
    for (const rec of left) rec.time = this.lastTime ?? 0;
    this.print(left, this.lastTime === null);
  }

  /** Prints up to -c PDUs in all; once there, `done` says to read no further. */
  private print(records: RawRecord[], timeless: boolean): void {
    if (this.opts.count === null) {
      this.printer.print(records, timeless);
      return;
    }
    this.shown += this.printer.print(records, timeless, this.opts.count - this.shown);
    if (this.shown >= this.opts.count) this.done = true;
  }
}

/** With --hex, an argument is a frame if it is all hex; otherwise a file name. */
function looksLikeHexFrame(arg: string): boolean {
  return /^[0-9a-fA-F:\s-]+$/.test(arg) && arg.replace(/[:\s-]/g, '').length >= 28;
}

/** `position`: which input (1 = the first), to name a bad hex argument. */
async function decodeInput(input: string, opts: DecodeOptions, decoder: Decoder, out: Output, position: number): Promise<void> {
  if (opts.hex && input !== '-' && looksLikeHexFrame(input)) {
    for (const frame of parseHexFrames(input, `argument ${position}`)) decoder.frame(null, frame, 0, frame.length, undefined);
    return;
  }
  if (opts.hex) {
    try {
      for await (const batch of readHexFrameBatches(input)) {
        for (const frame of batch) decoder.frame(null, frame, 0, frame.length, undefined);
        if (decoder.done) return;
        await out.drained();
      }
    } catch (err) {
      throw inputError(input, err);
    }
    return;
  }
  try {
    if (isRegularFile(input)) {
      // Blocking reads: the event loop is let in every few batches, for signals and
      // the output's idle flush, and after each batch while the output is written
      // in the background (into a pipe: fd-transport.ts).
      let batches = 0;
      for (const _ of parseCaptureFileSync(input, decoder)) {
        if (decoder.done) return;
        if (out.blocked) await out.drained();
        // Output being written in the background: let its next write start now.
        else if (out.busy || ++batches % YIELD_EVERY === 0) await yieldToEvents();
      }
      return;
    }
    for await (const _ of parseCaptureInput(input, decoder)) {
      if (decoder.done) return;
      // About to read more: wait while the reader is behind.
      await out.drained();
    }
  } catch (err) {
    // -c was reached in the batch the reader was parsing: what it met after that
    // packet was never asked for (tcpdump -c stops there too).
    if (decoder.done && err instanceof CaptureError) return;
    throw inputError(input, err);
  }
}

/** Batches of blocking reads between two turns of the event loop (a batch: at most 256 records). */
const YIELD_EVERY = 8;

function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A regular file can be read with blocking reads (stdin, a FIFO or a device may wait for a writer). */
function isRegularFile(input: string): boolean {
  if (input === '-') return false;
  try {
    return statSync(input).isFile();
  } catch {
    // The asynchronous reader reports what is wrong with it.
    return false;
  }
}

/** One line naming the input and the problem (never a stack). */
function inputError(path: string, err: unknown): CliError {
  const name = path === '-' ? 'stdin' : path;
  if (err instanceof CliError) return err;
  if (err instanceof CaptureError) {
    const msg = err.message.startsWith('cannot read ') ? err.message : `${name}: ${err.message}`;
    return new CliError(msg, 1);
  }
  const e = err as NodeJS.ErrnoException;
  const why =
    e?.code === 'ENOENT' ? 'no such file' : e?.code === 'EACCES' ? 'permission denied' : e?.code === 'EISDIR' ? 'is a directory' : (e?.message ?? String(err));
  return new CliError(`${name}: ${why}`, 1);
}

export async function runDecode(opts: DecodeOptions): Promise<number> {
  const out = createOutput({ json: opts.json, lineBuffered: opts.lineBuffered, blocking: true });
  const decoder = new Decoder(opts, out);
  const inputs = opts.files.length > 0 ? opts.files : ['-'];
  if (!opts.hex && inputs.filter((f) => f === '-').length > 1) throw new CliError('stdin ("-") given more than once', 2);
  const ending = new SignalEnding(decoder, out, opts.summary);
  let failure: CliError | null = null;
  try {
    for (const [i, input] of inputs.entries()) if (!decoder.done) await decodeInput(input, opts, decoder, out, i + 1);
  } catch (err) {
    if (!(err instanceof CliError)) {
      // An internal error: what was decoded goes out whole first (the caller prints one line).
      ending.stop();
      await out.end().catch(() => {});
      throw err;
    }
    failure = err;
  }
  // A signal meanwhile: its handler printed the summary and ends the process once its output is out.
  if (ending.signalled) return new Promise<number>(() => {});
  decoder.finish();
  const hint = decoder.otherEthertypeHint();
  if (hint !== null) out.note(errorLine(hint));
  if (opts.summary) decoder.printer.tally.render(out);
  ending.closing();
  // A signal while this waits (up to a few MiB queued for a slow reader) ends decode
  // with its status once the output is out, not at once: records stay whole.
  try {
    await out.end();
  } finally {
    ending.stop();
  }
  if (ending.signalled) return ending.status;
  if (failure) throw failure;
  return 0;
}

/**
 * SIGINT and SIGTERM during decode: reading stops and what was decoded goes out
 * whole, with the summary of it (as tcpdump prints its counts on ^C); then the
 * process ends with 130 or 143. The handlers stay until the output is out.
 */
class SignalEnding {
  signalled = false;
  status = 0;
  /** the summary is printed and the output is being ended by runDecode */
  private ended = false;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.signalled) return;
    this.signalled = true;
    this.status = signal === 'SIGINT' ? 130 : 143;
    if (this.ended) return;
    // Read no further (the loop may be waiting for input that never comes, stdin left
    // open, or for the reader): this handler ends the process itself.
    this.decoder.done = true;
    if (this.summary) this.decoder.printer.tally.render(this.out);
    this.out.end().then(
      () => process.exit(this.status),
      (err: unknown) => {
        // the output failed on its way out: one line, as any other write error
        process.stderr.write(`${errorLine(err instanceof CliError ? err.message : `stdout: ${systemErrorText(err)}`)}\n`);
        process.exit(1);
      },
    );
  };

  constructor(
    private readonly decoder: Decoder,
    private readonly out: Output,
    private readonly summary: boolean,
  ) {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** runDecode prints the summary and ends the output itself from now on. */
  closing(): void {
    this.ended = true;
  }

  stop(): void {
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
  }
}
