// The work behind `lsoe decode`: read every input a chunk at a time, feed its
// Ethernet frames to the LSOE stream decoder, print the records through the
// shared record printer. Between chunks it waits for the output to drain, so
// a slow reader slows the reading instead of piling output up in memory.
// Returns the exit status.
import { CliError } from '../cli-error.js';
import { statSync } from 'node:fs';
import { errorLine } from '../cli-context.js';
import { asCaptureError, CaptureError, parseCaptureFileSync, parseCaptureInput } from '../io/capture-reader.js';
import { createOutput, type Output } from '../render/output.js';
import { Decoder } from './decoder.js';
import { parseHexFrames, readHexFrameBatches } from './hex-input.js';
import type { DecodeOptions } from './options.js';
import { SignalEnding } from './signal-ending.js';

/** The hex digits of an argument made of hex digits and separators only; null for any other (a file's name). */
function hexDigitCount(arg: string): number | null {
  return /^[0-9a-fA-F:\s-]+$/.test(arg) ? arg.replace(/[:\s-]/g, '').length : null;
}

/** With --hex, an argument of hex for an Ethernet header (14 octets) at least is a frame; any other a file's name. */
const FRAME_MIN_DIGITS = 28;

/** `position`: which input (1 = the first), to name a bad hex argument. */
async function decodeInput(input: string, opts: DecodeOptions, decoder: Decoder, out: Output, position: number): Promise<void> {
  const digits = opts.hex && input !== '-' ? hexDigitCount(input) : null;
  if (digits !== null && digits >= FRAME_MIN_DIGITS) {
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
      const error = inputError(input, err);
      // hex digits too few for a frame were taken for a file's name: say why
      if ((err as NodeJS.ErrnoException)?.code === 'ENOENT' && digits !== null) {
        throw new CliError(`${error.message} (as a frame in hex: ${Math.floor(digits / 2)} octets, fewer than an Ethernet header's ${FRAME_MIN_DIGITS / 2})`, error.exitCode);
      }
      throw error;
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
  // a file-system error worded as the capture reader words it, for --hex inputs too
  const c = asCaptureError(err, name);
  if (c instanceof CaptureError) {
    const msg = c.message.startsWith('cannot read ') ? c.message : `${name}: ${c.message}`;
    return new CliError(msg, 1);
  }
  return new CliError(`${name}: ${(err as Error | undefined)?.message ?? String(err)}`, 1);
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
