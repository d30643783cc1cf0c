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

/**
 * What each held piece costs against the interface and total budgets on top of its
 * payload: a piece with an empty payload still costs a frame record and a map slot,
 * so a flood of empty pieces is bounded like any other.
 */
export const PIECE_OVERHEAD = 64;

/** Why reassembly let go of a partial PDU (counted by the daemon, per reason). */
export type ReassemblyDropReason =
  /** another sender's oldest partial PDU made room (interface budget, total cap, sender slots) */
  | 'evicted-interface'
  | 'evicted-total'
  | 'evicted-senders'
  /** the sender's own piece was refused (nothing of a stranger left to evict) */
  | 'refused-sender'
  | 'refused-interface'
  | 'refused-total'
  | 'refused-senders'
  /** frame number beyond the limit, or pieces that contradict each other */
  | 'refused-pieces';

export interface ReassemblyOptions {
  /** seconds a partial PDU may wait for its missing pieces (reassembly-timeout) */
  timeout?: number;
  /** frames one PDU may span */
  maxFramesPerPdu?: number;
  /** payload octets held for one sender (a PDU's Length is 16 bits, so 65535 is enough) */
  maxBytesPerSender?: number;
  /** octets (payload + PIECE_OVERHEAD per piece) held for the unreserved senders of one interface */
  maxBytesPerInterface?: number;
  /** octets (payload + PIECE_OVERHEAD per piece) held for all senders together, reserved ones included */
  maxBytesTotal?: number;
  /** senders with a partial PDU at the same time */
  maxSenders?: number;
  /** told of every partial PDU let go because of a bound (the caller counts them) */
  onDrop?: (reason: ReassemblyDropReason, sender: string) => void;
}

/** Where a piece comes from, as the caller knows it. */
export interface PieceSource {
  /** the budget it is charged to (the interface name) */
  group: string;
  /** the sender has an open session: its one PDU is reserved, never evicted for a stranger */
  reserved: boolean;
}

export interface Reassembled {
  pdu: Buffer;
  /**
   * the frames in number order (the one that completed the PDU is the caller's
   * own: its payload a view of the caller's buffer, like a single frame's)
   */
  frames: LsoeFrame[];
}

export interface ReassemblyStats {
  senders: number;
  frames: number;
  /** payload octets held */
  bytes: number;
}

interface Partial {
  frames: (LsoeFrame | undefined)[];
  held: number;
  /** payload octets */
  bytes: number;
  /** payload + PIECE_OVERHEAD per piece: what the budgets see */
  charged: number;
  group: string;
  /** decided when the first piece arrives (a session opening meanwhile does not change it) */
  reserved: boolean;
  /** number of the frame with L, -1 until it arrives */
  lastNumber: number;
  /** when the first piece arrived: the partial expires at started + timeout */
  started: number;
}

const NOTHING_EXPIRED: ReadonlyArray<{ sender: string; error: DecodeError }> = Object.freeze([]);

/** Frame 0 with the L bit: a PDU whole in one frame, complete as it is (no pieces to keep). */
export function isWholePdu(frame: LsoeFrame): boolean {
  return frame.last && frame.number === 0;
}

/**
 * Per-sender reassembly with bounded memory, fair between senders. Policy:
 * - a sender with an open session (`reserved`) may always hold one maximum-size PDU:
 *   its pieces are charged to the total cap only, and when that cap is reached the
 *   oldest partial PDU of an unreserved sender is evicted to make room;
 * - unreserved senders (strangers, opening sessions) share a budget per interface
 *   (`group`) under the same total cap; when either is full the oldest unreserved
 *   partial PDU (of that interface, or anywhere for the total cap) goes first, so a
 *   flood of unfinished first pieces only ever evicts itself;
 * - every piece costs PIECE_OVERHEAD besides its payload (empty pieces count).
 * Decisions where the draft is silent:
 * - a single-frame PDU (number 0 with L) is returned at once, never stored, and
 *   leaves any partial PDU of that sender alone (it completes or times out);
 * - a frame whose number is already held replaces it (duplicate), including 0;
 * - an L frame that disagrees with what is held (a second, different L number, or
 *   frames held above it) drops the partial PDU with a 'reassembly' error;
 * - stored payloads are copied: capture libraries reuse their buffers, and the
 *   memory bounds must count what is really kept; the piece that completes a PDU
 *   is copied only into the PDU.
 */
export class Reassembler {
  private readonly timeout: number;
  private readonly maxFramesPerPdu: number;
  private readonly maxBytesPerSender: number;
  private readonly maxBytesPerInterface: number;
  private readonly maxBytesTotal: number;
  private readonly maxSenders: number;
  private readonly onDrop: (reason: ReassemblyDropReason, sender: string) => void;
  /** in order of first piece: the first unreserved entry is the oldest stranger */
  private readonly partials = new Map<string, Partial>();
  /** unreserved partials per group, oldest first */
  private readonly byGroup = new Map<string, Map<string, Partial>>();
  private readonly groupCharged = new Map<string, number>();
  private totalBytes = 0;
  private totalCharged = 0;
  private totalFrames = 0;
  /** earliest expiry among partials, so expire() is free when nothing is due */
  private nextDeadline = Infinity;

  constructor(options: ReassemblyOptions = {}) {
    this.timeout = options.timeout ?? 1;
    this.maxFramesPerPdu = Math.min(options.maxFramesPerPdu ?? MAX_FRAMES, MAX_FRAMES);
    this.maxBytesPerSender = options.maxBytesPerSender ?? 0xffff;
    this.maxBytesPerInterface = options.maxBytesPerInterface ?? 1024 * 1024;
    this.maxBytesTotal = options.maxBytesTotal ?? 4 * 1024 * 1024;
    this.maxSenders = options.maxSenders ?? 1024;
    this.onDrop = options.onDrop ?? (() => undefined);
  }

  /**
   * Adds one decoded frame from `sender`. Returns the PDU when complete, null while
   * pieces are missing; throws DecodeError('reassembly') when a bound refuses the
   * piece or the pieces contradict each other (that sender's partial PDU is dropped).
   * Without `source` the sender is unreserved and charged to the group ''.
   */
  push(sender: string, frame: LsoeFrame, now: number, source?: PieceSource): Reassembled | null {
    if (isWholePdu(frame)) {
      return { pdu: frame.payload, frames: [frame] };
    }
    if (frame.number >= this.maxFramesPerPdu) {
      this.refuse(sender, 'refused-pieces', `frame number ${frame.number} beyond the ${this.maxFramesPerPdu}-frame limit`);
    }
    let p = this.partials.get(sender);
    if (p !== undefined && now - p.started > this.timeout) {
      // Stale pieces must not complete a new PDU; the caller learns of them via expire().
      this.drop(sender);
      p = undefined;
    }
    if (p === undefined) {
      const reserved = source?.reserved ?? false;
      if (this.partials.size >= this.maxSenders && !this.evictOldest(undefined, sender, 'evicted-senders')) {
        this.refuse(sender, 'refused-senders', `more than ${this.maxSenders} senders reassembling at once`);
      }
      p = { frames: [], held: 0, bytes: 0, charged: 0, group: source?.group ?? '', reserved, lastNumber: -1, started: now };
      this.partials.set(sender, p);
      if (!reserved) this.groupOf(p.group).set(sender, p);
      // A store every time, not only when earlier: after expire() rescans, the first new
      // partial lowers the deadline, and a store the optimised code never saw made V8
      // throw that code away at the first rescan of every decode.
      this.nextDeadline = Math.min(this.nextDeadline, now + this.timeout);
    }
    if (frame.last) {
      if ((p.lastNumber !== -1 && p.lastNumber !== frame.number) || p.frames.length > frame.number + 1) {
        this.refuse(sender, 'refused-pieces', `frame ${frame.number} marked last contradicts the frames held`);
      }
      p.lastNumber = frame.number;
    } else if (p.lastNumber !== -1 && frame.number >= p.lastNumber) {
      this.refuse(sender, 'refused-pieces', `frame ${frame.number} after last frame ${p.lastNumber}`);
    }
    const old = p.frames[frame.number];
    const size = frame.payload.length;
    const delta = size - (old === undefined ? 0 : old.payload.length);
    const charge = delta + (old === undefined ? PIECE_OVERHEAD : 0);
    if (p.bytes + delta > this.maxBytesPerSender) {
      this.refuse(sender, 'refused-sender', `more than ${this.maxBytesPerSender} octets held for one sender`);
    }
    if (!p.reserved) {
      while ((this.groupCharged.get(p.group) ?? 0) + charge > this.maxBytesPerInterface) {
        if (!this.evictOldest(p.group, sender, 'evicted-interface')) {
          this.refuse(sender, 'refused-interface', `more than ${this.maxBytesPerInterface} octets held for the senders without a session on ${p.group || 'this input'}`);
        }
      }
    }
    while (this.totalCharged + charge > this.maxBytesTotal) {
      if (!this.evictOldest(undefined, sender, 'evicted-total')) {
        this.refuse(sender, 'refused-total', `more than ${this.maxBytesTotal} octets held for all senders`);
      }
    }
    const held = p.held + (old === undefined ? 1 : 0);
    if (p.lastNumber !== -1 && held === p.lastNumber + 1) {
      // This piece completes the PDU (held count equals L's number + 1 and
      // nothing above L is held): its octets go straight into the PDU, with
      // no copy kept of them.
      const frames = p.frames as LsoeFrame[];
      frames[frame.number] = frame;
      const pdu = Buffer.allocUnsafe(p.bytes + delta);
      for (let i = 0, at = 0; i < frames.length; i++) {
        const piece = frames[i]!.payload;
        pdu.set(piece, at);
        at += piece.length;
      }
      this.drop(sender);
      return { pdu, frames };
    }
    // Written out, not spread: a copy of the payload (the caller's buffer is reused).
    const stored: LsoeFrame = {
      version: frame.version,
      last: frame.last,
      number: frame.number,
      length: frame.length,
      checksum: frame.checksum,
      payload: Buffer.from(frame.payload),
    };
    p.frames[frame.number] = stored;
    p.bytes += delta;
    p.charged += charge;
    this.totalBytes += delta;
    this.totalCharged += charge;
    if (!p.reserved) this.groupCharged.set(p.group, (this.groupCharged.get(p.group) ?? 0) + charge);
    p.held = held;
    if (old === undefined) this.totalFrames++;
    return null;
  }

  /** Drops (and reports) the partial PDUs whose first piece is older than the timeout. */
  expire(now: number): ReadonlyArray<{ sender: string; error: DecodeError }> {
    // Nothing due (every frame of a decode asks): one shared empty list, not a new one a frame.
    if (now <= this.nextDeadline) return NOTHING_EXPIRED;
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
    // A rescan that found nothing due (its earliest partial completed since) returns the
    // shared list too: callers then see one kind of empty array, so V8's optimised code
    // for them is not thrown away for a new array shape at the first rescan.
    return out.length === 0 ? NOTHING_EXPIRED : out;
  }

  /** Nothing held: no partial PDU waits or can expire (cheaper than stats() per frame). */
  get idle(): boolean {
    return this.partials.size === 0;
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
    this.totalCharged -= p.charged;
    this.totalFrames -= p.held;
    if (p.reserved) return;
    const members = this.byGroup.get(p.group);
    members?.delete(sender);
    const left = (this.groupCharged.get(p.group) ?? 0) - p.charged;
    if (members === undefined || members.size === 0) {
      this.byGroup.delete(p.group);
      this.groupCharged.delete(p.group);
    } else {
      this.groupCharged.set(p.group, left);
    }
  }

  private groupOf(group: string): Map<string, Partial> {
    let members = this.byGroup.get(group);
    if (members === undefined) {
      members = new Map();
      this.byGroup.set(group, members);
    }
    return members;
  }

  /**
   * Evicts the oldest unreserved partial PDU (of `group`, or of any group) other
   * than `except`'s; false when there is none.
   */
  private evictOldest(group: string | undefined, except: string, reason: ReassemblyDropReason): boolean {
    const pool = group === undefined ? this.partials : this.byGroup.get(group);
    if (pool === undefined) return false;
    for (const [sender, p] of pool) {
      if (sender === except || p.reserved) continue;
      this.drop(sender);
      this.onDrop(reason, sender);
      return true;
    }
    return false;
  }

  /** Drops `sender`'s partial PDU, reports why and throws the 'reassembly' error. */
  private refuse(sender: string, reason: ReassemblyDropReason, what: string): never {
    this.drop(sender);
    this.onDrop(reason, sender);
    throw this.error(sender, what);
  }

  private error(sender: string, what: string): DecodeError {
    return new DecodeError('reassembly', `reassembly from ${sender}: ${what}`, 0);
  }
}
