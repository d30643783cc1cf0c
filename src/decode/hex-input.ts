// Frames given as hex text, one per line: `lsoe decode --hex`. Separators
// (spaces, colons, dashes) are allowed; blank lines and `#` comments skipped.
// Files and stdin are read line by line, a chunk at a time, never whole.
import { createReadStream } from 'node:fs';
import { CliError } from '../cli-error.js';

/** One line of hex: a frame, or null for a blank or comment line. `where` names it in errors. */
export function parseHexLine(text: string, where: string): Buffer | null {
  const line = text.replace(/#.*/, '').trim();
  if (line === '') return null;
  const hex = line.replace(/^0x/i, '').replace(/[\s:-]/g, '');
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) {
    throw new CliError(`${where}: not a frame in hex (${hex.length % 2 ? 'odd number of digits' : 'non-hex character'})`, 1);
  }
  return Buffer.from(hex, 'hex');
}

/** Every frame of a hex text held in memory (a command-line argument). */
export function parseHexFrames(text: string, source: string): Buffer[] {
  const lines = text.split(/\r?\n/);
  const frames: Buffer[] = [];
  for (let i = 0; i < lines.length; i++) {
    const frame = parseHexLine(lines[i]!, lines.length > 1 ? `${source} line ${i + 1}` : source);
    if (frame) frames.push(frame);
  }
  return frames;
}

/**
 * The longest line taken, in characters: the largest frame a capture can hold
 * (65,535 octets) written with a separator after each octet, and room for a
 * comment. A longer line is no frame; refused there, it cannot hold the reader
 * (and its memory) for as long as the input goes on without a newline.
 */
export const MAX_HEX_LINE = 256 * 1024;

/**
 * The frames of a hex file ('-': stdin), a batch per chunk read. A line that is
 * not a frame ends the input with its error, after the frames before it (those
 * of its own chunk too) have been handed out, as a truncated capture does.
 */
export async function* readHexFrameBatches(path: string): AsyncGenerator<Buffer[]> {
  const name = path === '-' ? 'stdin' : path;
  const input = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 64 * 1024 });
  /** the line begun in earlier chunks and not ended yet */
  let tail = '';
  let lineNo = 0;
  const decoder = new TextDecoder('utf-8');
  try {
    for await (const chunk of input) {
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk as Buffer, { stream: true });
      const batch: Buffer[] = [];
      let failure: unknown = null;
      let from = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
        if (tail.length + (nl - from) > MAX_HEX_LINE) {
          failure = tooLong(name, lineNo + 1);
          break;
        }
        const line = tail + text.slice(from, nl);
        tail = '';
        from = nl + 1;
        try {
          const frame = parseHexLine(line, `${name} line ${++lineNo}`);
          if (frame) batch.push(frame);
        } catch (err) {
          failure = err;
          break;
        }
      }
      if (failure === null) {
        tail += text.slice(from);
        if (tail.length > MAX_HEX_LINE) failure = tooLong(name, lineNo + 1);
      }
      if (batch.length > 0) yield batch;
      if (failure !== null) throw failure;
    }
    const last = parseHexLine(tail + decoder.decode(), `${name} line ${++lineNo}`);
    if (last) yield [last];
  } finally {
    if (input !== process.stdin) (input as { destroy(): void }).destroy();
  }
}

/** A line over MAX_HEX_LINE, ended or not: no frame needs it. */
function tooLong(name: string, lineNo: number): CliError {
  return new CliError(`${name} line ${lineNo}: not a frame in hex (over ${MAX_HEX_LINE.toLocaleString('en-US')} characters)`, 1);
}
