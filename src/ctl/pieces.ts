// Answers of any size go over the control socket in pieces: several lines with the
// request's id, `"more": true` on every line but the last. An array result is cut into
// arrays the client concatenates; any other result is one line. Each piece is a few
// hundred KiB, so no line comes near a client's line limit however large the answer.
import { encodeLine, type RequestId } from './protocol.js';

/** Octets of JSON per piece (a piece can be larger by one element). */
export const PIECE_BYTES = 256 * 1024;

/**
 * The lines of one answer. Serialises element by element (throws what JSON.stringify
 * throws: the caller answers with an error instead).
 */
export function answerLines(id: RequestId, result: unknown, pieceBytes = PIECE_BYTES): string[] {
  if (!Array.isArray(result)) return [encodeLine({ id, result })];
  const head = JSON.stringify(id);
  const lines: string[] = [];
  let part: string[] = [];
  let size = 0;
  const flush = (more: boolean) => {
    lines.push(`{"id":${head},"result":[${part.join(',')}]${more ? ',"more":true' : ''}}\n`);
    part = [];
    size = 0;
  };
  for (const item of result) {
    const text = JSON.stringify(item) ?? 'null';
    if (part.length > 0 && size + text.length > pieceBytes) flush(true);
    part.push(text);
    size += text.length + 1;
  }
  flush(false);
  return lines;
}

/** Reassembles one answer from its pieces (client side). */
export class PieceCollector {
  private parts: unknown[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /**
   * Adds a piece; returns 'more' while pieces are expected, else the whole result.
   * Throws an Error for a piece that is not an array, or when the answer passes maxBytes.
   */
  add(result: unknown, more: boolean, lineBytes: number): { done: false } | { done: true; result: unknown } {
    this.bytes += lineBytes;
    if (this.bytes > this.maxBytes) throw new Error(`answer longer than ${this.maxBytes} bytes`);
    if (!more && this.parts.length === 0) return { done: true, result };
    if (!Array.isArray(result)) throw new Error('a piece of a multi-line answer is not an array');
    this.parts.push(...result);
    return more ? { done: false } : { done: true, result: this.parts };
  }
}
