// Splitting a PDU into LSOE frames and putting it back together per sender
// (PROTOCOL.md section 2). Time is passed in by the caller (seconds).
import { DecodeError } from './errors.js';
import { encodeFrame, MAX_FRAME_PAYLOAD, MAX_FRAMES, type LsoeFrame } from './frame.js';

/** Cuts a PDU into 1492-octet pieces, numbered from 0, the last one flagged L. */
export function splitPdu(pdu: Buffer): Buffer[] {
  const count = Math.max(1, Math.ceil(pdu.length / MAX_FRAME_PAYLOAD));
  if (count > MAX_FRAMES) {
    throw new DecodeError(
      'pdu',
      `PDU of ${pdu.length} octets needs ${count} frames, more than ${MAX_FRAMES}`,
      0,
    );
  }
  const frames: Buffer[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const start = i * MAX_FRAME_PAYLOAD;
    frames[i] = encodeFrame({
      last: i === count - 1,
      number: i,
      payload: pdu.subarray(start, start + MAX_FRAME_PAYLOAD),
    });
  }
  return frames;
}

export interface ReassemblyOptions {
  /** seconds a partial PDU may wait for its missing pieces (reassembly-timeout) */
  timeout?: number;
  /** frames one PDU may span */
  maxFramesPerPdu?: number;
  /** payload octets held for one sender (a PDU's Length is 16 bits, so 65535 is enough) */
  maxBytesPerSender?: number;
  /** payload octets held for all senders together */
  maxBytesTotal?: number;
  /** senders with a partial PDU at the same time */
  maxSenders?: number;
}

export interface Reassembled {
  pdu: Buffer;
  /** the frames in number order */
  frames: LsoeFrame[];
}

export interface ReassemblyStats {
  senders: number;
  frames: number;
  bytes: number;
}

interface Partial {
  frames: (LsoeFrame | undefined)[];
  held: number;
  bytes: number;
  /** number of the frame with L, -1 until it arrives */
  lastNumber: number;
  /** when the first piece arrived: the partial expires at started + timeout */
  started: number;
}

/**
 * Per-sender reassembly with bounded memory. Decisions where the draft is silent:
 * - a single-frame PDU (number 0 with L) is returned at once, never stored, and
 *   leaves any partial PDU of that sender alone (it completes or times out);
 * - a frame whose number is already held replaces it (duplicate), including 0;
 * - an L frame that disagrees with what is held (a second, different L number, or
 *   frames held above it) drops the partial PDU with a 'reassembly' error;
 * - stored payloads are copied: capture libraries reuse their buffers, and the
 *   memory bounds must count what is really kept.
 */
export class Reassembler {
  private readonly timeout: number;
  private readonly maxFramesPerPdu: number;
  private readonly maxBytesPerSender: number;
  private readonly maxBytesTotal: number;
  private readonly maxSenders: number;
  private readonly partials = new Map<string, Partial>();
  private totalBytes = 0;
  private totalFrames = 0;
  /** earliest expiry among partials, so expire() is free when nothing is due */
  private nextDeadline = Infinity;

  constructor(options: ReassemblyOptions = {}) {
    this.timeout = options.timeout ?? 1;
    this.maxFramesPerPdu = Math.min(options.maxFramesPerPdu ?? MAX_FRAMES, MAX_FRAMES);
    this.maxBytesPerSender = options.maxBytesPerSender ?? 0xffff;
    this.maxBytesTotal = options.maxBytesTotal ?? 4 * 1024 * 1024;
    this.maxSenders = options.maxSenders ?? 1024;
  }

  /**
   * Adds one decoded frame from `sender`. Returns the PDU when complete, null while
   * pieces are missing; throws DecodeError('reassembly') when a bound is overflowed
   * or the pieces contradict each other (that sender's partial PDU is dropped).
   */
  push(sender: string, frame: LsoeFrame, now: number): Reassembled | null {
    if (frame.last && frame.number === 0) {
      return { pdu: frame.payload, frames: [frame] };
    }
    if (frame.number >= this.maxFramesPerPdu) {
      this.drop(sender);
      throw this.error(sender, `frame number ${frame.number} beyond the ${this.maxFramesPerPdu}-frame limit`);
    }
    let p = this.partials.get(sender);
    if (p !== undefined && now - p.started > this.timeout) {
      // Stale pieces must not complete a new PDU; the caller learns of them via expire().
      this.drop(sender);
      p = undefined;
    }
    if (p === undefined) {
      if (this.partials.size >= this.maxSenders) {
        throw this.error(sender, `more than ${this.maxSenders} senders reassembling at once`);
      }
      p = { frames: [], held: 0, bytes: 0, lastNumber: -1, started: now };
      this.partials.set(sender, p);
      const deadline = now + this.timeout;
      if (deadline < this.nextDeadline) this.nextDeadline = deadline;
    }
    if (frame.last) {
      if ((p.lastNumber !== -1 && p.lastNumber !== frame.number) || p.frames.length > frame.number + 1) {
        this.drop(sender);
        throw this.error(sender, `frame ${frame.number} marked last contradicts the frames held`);
      }
      p.lastNumber = frame.number;
    } else if (p.lastNumber !== -1 && frame.number >= p.lastNumber) {
      this.drop(sender);
      throw this.error(sender, `frame ${frame.number} after last frame ${p.lastNumber}`);
    }
    const old = p.frames[frame.number];
    const size = frame.payload.length;
    const delta = size - (old === undefined ? 0 : old.payload.length);
    if (p.bytes + delta > this.maxBytesPerSender) {
      this.drop(sender);
      throw this.error(sender, `more than ${this.maxBytesPerSender} octets held for one sender`);
    }
    if (this.totalBytes + delta > this.maxBytesTotal) {
      this.drop(sender);
      throw this.error(sender, `more than ${this.maxBytesTotal} octets held for all senders`);
    }
    const stored: LsoeFrame = { ...frame, payload: Buffer.from(frame.payload) };
    p.frames[frame.number] = stored;
    p.bytes += delta;
    this.totalBytes += delta;
    if (old === undefined) {
      p.held++;
      this.totalFrames++;
    }
    if (p.lastNumber === -1 || p.held !== p.lastNumber + 1) return null;
    // Complete: held count equals L's number + 1 and nothing above L is held.
    const frames = p.frames as LsoeFrame[];
    const pdu = Buffer.concat(
      frames.map((f) => f.payload),
      p.bytes,
    );
    this.drop(sender);
    return { pdu, frames };
  }

  /** Drops (and reports) the partial PDUs whose first piece is older than the timeout. */
  expire(now: number): Array<{ sender: string; error: DecodeError }> {
    if (now <= this.nextDeadline) return [];
    const out: Array<{ sender: string; error: DecodeError }> = [];
    let next = Infinity;
    for (const [sender, p] of this.partials) {
      const deadline = p.started + this.timeout;
      if (now > deadline) {
        this.drop(sender);
        const missing = p.lastNumber === -1 ? 'the last frame' : `${p.lastNumber + 1 - p.held} frame(s)`;
        out.push({
          sender,
          error: this.error(sender, `timed out after ${this.timeout} s holding ${p.held} frame(s), missing ${missing}`),
        });
      } else if (deadline < next) {
        next = deadline;
      }
    }
    this.nextDeadline = next;
    return out;
  }

  /** What is held right now (for counters and the memory bound tests). */
  stats(): ReassemblyStats {
    return { senders: this.partials.size, frames: this.totalFrames, bytes: this.totalBytes };
  }

  private drop(sender: string): void {
    const p = this.partials.get(sender);
    if (p === undefined) return;
    this.partials.delete(sender);
    this.totalBytes -= p.bytes;
    this.totalFrames -= p.held;
  }

  private error(sender: string, what: string): DecodeError {
    return new DecodeError('reassembly', `reassembly from ${sender}: ${what}`, 0);
  }
}
