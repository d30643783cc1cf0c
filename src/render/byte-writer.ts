// Output text built as bytes in one batch buffer: every line a command prints
// (JSON records written straight from PDU octets, JSON.stringify'd objects,
// lines for people) goes through one ByteWriter, which hands the batch to its
// sink when full (64 KiB for a stream; decode's blocking writes of fd 1 take
// 256 KiB). An instance, never module state: the decoder and a test may each
// hold one.
import { isIPv4Mapped, ZERO_RUN, zeroGroups } from '../proto/pdu/address.js';

/**
 * Constant ASCII text pre-packed into little-endian 8-octet words, for copies
 * of 8 octets a store. The words are doubles: 8 octets below 0x7f never make
 * a NaN (the exponent's top bits would all be 1), the one value whose bits a
 * store could change, so a double holds and stores any of them exactly. They
 * are kept in a plain array (of unboxed doubles in V8), not a Float64Array:
 * reading a typed array's element costs more checks, and an IPv4 entry of an
 * encapsulation PDU copied ~96 instructions' worth fewer so (callgrind).
 */
export interface Ascii {
  words: readonly number[];
  length: number;
}

export function ascii(text: string, minWords = 0): Ascii {
  const bytes = new Uint8Array(8 * Math.max(minWords, Math.ceil(text.length / 8)));
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x7f) throw new RangeError(`ascii(): ${JSON.stringify(text)} is not plain ASCII`);
    bytes[i] = c;
  }
  return { words: Array.from(new Float64Array(bytes.buffer)), length: text.length };
}

/**
 * Octets of an address's tail (see ipv4): made by ascii(text, TAIL_WORDS), written
 * as that many 8-octet stores whatever its length, so it scribbles up to
 * TAIL_OCTETS octets past the address.
 */
export const TAIL_WORDS = 9;
export const TAIL_OCTETS = 8 * TAIL_WORDS;

/** Strings recurringString() keeps the text of, at most */
const RECURRING_MAX = 4096;
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** Size of a batch handed to a stream sink (one that queues what it is given). */
export const BATCH = 64 * 1024;
/**
 * Word-at-a-time writes scribble past their text (overwritten next, never handed
 * over): ascii() up to 7 octets, which ensure() always leaves room for. The entry
 * writers (ipv4, ipv6, quotedHex3List) store whole words of TAIL_WORDS or two
 * and scribble further: their callers ensure room for those words.
 */
const SLACK = 8;

export interface ByteWriterOptions {
  /** octets in a batch (default BATCH) */
  batch?: number;
  /**
   * The sink is done with a chunk when it returns (a synchronous write): the
   * one batch buffer is written on again at once. Otherwise a chunk handed
   * over is never written to again (a stream queues it) and a new buffer
   * takes its place (`release` gives it back).
   */
  synchronous?: boolean;
}

export class ByteWriter {
  buf: Buffer;
  /** where the next octet goes */
  pos = 0;
  private view: DataView;
  /** octets in a batch */
  readonly batch: number;
  private readonly synchronous: boolean;

  /** `sink` receives finished batches. */
  constructor(
    private readonly sink: (chunk: Buffer) => void,
    opts: ByteWriterOptions = {},
  ) {
    this.batch = opts.batch ?? BATCH;
    this.synchronous = opts.synchronous === true;
    this.buf = Buffer.allocUnsafeSlow(this.batch + SLACK);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Octets written and not yet handed to the sink. */
  get pending(): number {
    return this.pos;
  }

  /**
   * Start of the record being written, or -1. A record is never split between
   * two batches, so it can be taken back (`rewind`) until `endRecord`.
   */
  private mark = -1;

  beginRecord(): void {
    this.mark = this.pos;
  }

  endRecord(): void {
    this.mark = -1;
  }

  /** Takes back what was written since beginRecord. */
  rewind(): void {
    if (this.mark >= 0) this.pos = this.mark;
  }

  /** Makes room for `n` more octets (handing the finished part of the batch over when it is full). */
  ensure(n: number): void {
    if (this.pos + n + SLACK <= this.buf.length) return;
    const keep = this.mark >= 0 ? this.pos - this.mark : 0;
    const old = this.buf;
    const from = this.pos - keep;
    if (from > 0) this.sink(old.subarray(0, from));
    if (this.synchronous && keep + n + SLACK <= old.length) {
      // The sink is done with the batch: the record begun so far moves to its front.
      old.copyWithin(0, from, from + keep);
      this.pos = keep;
      if (this.mark >= 0) this.mark = 0;
      return;
    }
    this.renew(Math.max(this.batch + SLACK, keep + n + SLACK));
    // The record begun so far moves to the new buffer.
    if (keep > 0) old.copy(this.buf, 0, from, from + keep);
    this.pos = keep;
    if (this.mark >= 0) this.mark = 0;
  }

  /** Hands what is written so far to the sink (never inside a record). */
  flush(): void {
    if (this.pos === 0 || this.mark >= 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    if (this.synchronous) {
      this.pos = 0;
      this.sink(chunk);
      return;
    }
    // The sink may keep the chunk (a stream queues it): write on in a new buffer.
    this.renew(this.batch + SLACK);
    this.sink(chunk);
  }

  /** Batch buffers the sink has finished with, for reuse (no allocation per batch). */
  private readonly spare: Buffer[] = [];

  /**
   * The sink is done with `chunk` (a stream wrote it): its buffer may be
   * reused. Only whole batch buffers are kept, at most 32.
   */
  release(chunk: Buffer): void {
    if (chunk.byteOffset === 0 && chunk.buffer.byteLength === this.batch + SLACK && this.spare.length < 32) {
      this.spare.push(Buffer.from(chunk.buffer, 0, this.batch + SLACK));
    }
  }

  private renew(size: number): void {
    this.buf = size === this.batch + SLACK ? (this.spare.pop() ?? Buffer.allocUnsafeSlow(size)) : Buffer.allocUnsafeSlow(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = 0;
  }

  /** Any text, UTF-8 as it is (no escaping). */
  text(s: string): void {
    // One UTF-16 unit is at most 3 UTF-8 octets.
    this.ensure(3 * s.length);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Constant ASCII; the caller has ensured room. */
  ascii(a: Ascii): void {
    const words = a.words;
    const p = this.pos;
    const v = this.view;
    for (let i = 0; i < words.length; i++) v.setFloat64(p + 8 * i, words[i]!, true);
    this.pos = p + a.length;
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /** A string as JSON.stringify writes it (quotes included). */
  jsonString(s: string): void {
    this.ensure(s.length + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        // Rare (our MACs and names are plain ASCII): let JSON.stringify escape it.
        this.pos = p - 1 - i;
        this.text(JSON.stringify(s));
        return;
      }
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    this.pos = p;
  }

  /** JSON text of recurring strings, quotes included (see recurringString) */
  private readonly recurring = new Map<string, Ascii>();

  /**
   * A string that recurs from record to record (a MAC, an interface name) as
   * jsonString() writes it, from its text kept as words: a Map lookup and a
   * few 8-octet stores instead of a charCodeAt per character (~140 against
   * ~700 instructions a MAC, callgrind). Bounded: the memo starts afresh at
   * RECURRING_MAX strings, so a flood of spoofed MACs costs misses, not memory.
   */
  recurringString(s: string): void {
    let a = this.recurring.get(s);
    if (a === undefined) {
      const text = JSON.stringify(s);
      if (text.length > 64 || !PLAIN_ASCII.test(text)) {
        this.jsonString(s);
        return;
      }
      if (this.recurring.size >= RECURRING_MAX) this.recurring.clear();
      a = ascii(text);
      this.recurring.set(s, a);
    }
    this.ensure(a.length);
    this.ascii(a);
  }

  /** A non-negative integer below 2^32, as String(n); room ensured by the caller. */
  uint(n: number): void {
    const buf = this.buf;
    let p = this.pos;
    if (n < 10) {
      buf[p] = 48 + n;
      this.pos = p + 1;
      return;
    }
    let digits = 1;
    for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
    p += digits;
    this.pos = p;
    for (let v = n; digits > 0; digits--, v = Math.floor(v / 10)) buf[--p] = 48 + (v % 10);
  }

  /**
   * A number as String(n) writes it (JSON's spelling), for capture times.
   * String() of a double costs ~0.7 µs, more than the rest of a record's head:
   * a time of 2^20..2^32 s that a microsecond decimal stands for exactly is
   * written from its digits instead. That decimal is then String()'s answer:
   * it round-trips (it lies within half a unit in the last place of n), and
   * no shorter or other decimal of its length does, as those lie 1e-6 or more
   * from it while units in the last place there are below 5e-7. Anything
   * else goes through String(). Room: call ensure(32) first.
   */
  seconds(n: number): void {
    if (n >= 0x100000 && n < 0x100000000) {
      const sec = Math.floor(n);
      // Exact: n - sec by Sterbenz's lemma, and its few fractional bits times 1e6 fit 53 bits.
      const scaled = (n - sec) * 1e6;
      const us = Math.round(scaled);
      // Half a unit in the last place of n, in microseconds: 2^(e-53) * 1e6 with e = the exponent of sec.
      const halfUlp = HALF_ULP_US[31 - Math.clz32(sec)]!;
      if (us < 1e6 && Math.abs(scaled - us) < halfUlp) {
        this.wholeSeconds(sec);
        if (us === 0) return;
        // Six digits from three two-digit words, then the trailing zeros dropped.
        const v = this.view;
        let p = this.pos;
        this.buf[p] = DOT;
        const hi = Math.floor(us / 10000);
        const rest = us - hi * 10000;
        const mid = Math.floor(rest / 100);
        v.setUint16(p + 1, DEC2_WORD[hi]!, true);
        v.setUint16(p + 3, DEC2_WORD[mid]!, true);
        v.setUint16(p + 5, DEC2_WORD[rest - mid * 100]!, true);
        p += 7;
        while (this.buf[p - 1] === 48) p--;
        this.pos = p;
        return;
      }
    }
    this.pos += this.buf.write(String(n), this.pos, 'latin1');
  }

  /** the whole seconds last written, and their digits (records of one second share them) */
  private lastSecond = -1;
  private readonly secondDigits = new Float64Array(2);
  private secondLength = 0;

  /**
   * Whole seconds of a capture time (2^20..2^32: at most 10 digits): copied
   * in two 8-octet stores when the same as the record before's, as most are.
   * The digit words hold ASCII, zeros after it, so never a NaN (see Ascii).
   */
  private wholeSeconds(sec: number): void {
    const v = this.view;
    const p = this.pos;
    if (sec !== this.lastSecond) {
      this.uint(sec);
      const digits = new Uint8Array(this.secondDigits.buffer);
      digits.fill(0);
      digits.set(this.buf.subarray(p, this.pos));
      this.lastSecond = sec;
      this.secondLength = this.pos - p;
      return;
    }
    v.setFloat64(p, this.secondDigits[0]!, true);
    v.setFloat64(p + 8, this.secondDigits[1]!, true);
    this.pos = p + this.secondLength;
  }

  /** 0..255 in decimal, one word store; room ensured by the caller. */
  u8(b: number): void {
    this.view.setUint32(this.pos, DEC_WORD[b]!, true);
    this.pos += DEC_LEN[b]!;
  }

  /**
   * An address's tail at `p` (ipv4, ipv6), in TAIL_WORDS (nine, written out
   * below: change both together) stores; the position ends up after its text.
   * Its words are all read before the first store.
   */
  private tailAt(p: number, tail: Ascii): void {
    const w = tail.words;
    const w0 = w[0]!;
    const w1 = w[1]!;
    const w2 = w[2]!;
    const w3 = w[3]!;
    const w4 = w[4]!;
    const w5 = w[5]!;
    const w6 = w[6]!;
    const w7 = w[7]!;
    const w8 = w[8]!;
    const v = this.view;
    this.pos = p + tail.length;
    v.setFloat64(p, w0, true);
    v.setFloat64(p + 8, w1, true);
    v.setFloat64(p + 16, w2, true);
    v.setFloat64(p + 24, w3, true);
    v.setFloat64(p + 32, w4, true);
    v.setFloat64(p + 40, w5, true);
    v.setFloat64(p + 48, w6, true);
    v.setFloat64(p + 56, w7, true);
    v.setFloat64(p + 64, w8, true);
  }

  /**
   * A dotted quad of src[at..at+4), then `tail`, the constant text that follows
   * it (an encapsulation entry's keys, up to the next entry's address, its labels
   * or its end: made by ascii(text, TAIL_WORDS)); room ensured by the caller for
   * 15 + TAIL_OCTETS. Address and tail are one call (a call per piece cost as much
   * as the piece; a 100k encaps-heavy decode writes ~3.7 million entries), and each
   * group of stores has what it stores read before its first store: after a store
   * into the view TurboFan checks every table, array and buffer it reads again.
   */
  ipv4(src: Uint8Array, at: number, tail: Ascii): void {
    const b0 = src[at]!;
    const b1 = src[at + 1]!;
    const b2 = src[at + 2]!;
    const b3 = src[at + 3]!;
    // The tables as locals: each read of module state is checked again (~12 instructions).
    const dot = DEC_DOT_WORD;
    const len = DEC_LEN;
    const d0 = dot[b0]!;
    const d1 = dot[b1]!;
    const d2 = dot[b2]!;
    const d3 = DEC_WORD[b3]!;
    const p0 = this.pos;
    const p1 = p0 + len[b0]! + 1;
    const p2 = p1 + len[b1]! + 1;
    const p3 = p2 + len[b2]! + 1;
    const end = p3 + len[b3]!;
    const v = this.view;
    v.setUint32(p0, d0, true);
    v.setUint32(p1, d1, true);
    v.setUint32(p2, d2, true);
    v.setUint32(p3, d3, true);
    this.tailAt(end, tail);
  }

  /**
   * The IPv6 address at src[at..at+16) in RFC 5952 text, then `tail` (as
   * ipv4's); room ensured by the caller for 39 + TAIL_OCTETS. The text is
   * formatIPv6's (address.ts): the same zero-group mask and ZERO_RUN table
   * choose the "::", and an IPv4-mapped address keeps its dotted quad. Groups
   * are lowercase without leading zeros, their digits from the 256-entry pair
   * table (a 65,536-entry table of groups is 256 KB of cache for varied
   * addresses), a group's octets and pairs read before its store.
   */
  ipv6(src: Uint8Array, at: number, tail: Ascii): void {
    const zeros = zeroGroups(src, at);
    if (isIPv4Mapped(src, at, zeros)) {
      this.ascii(MAPPED_PREFIX);
      this.ipv4(src, at + 12, tail);
      return;
    }
    const run = ZERO_RUN[zeros]!;
    const buf = this.buf;
    const v = this.view;
    const pairs = HEX_PAIR;
    let p = this.pos;
    const start = run === 0 ? 8 : run >>> 4;
    const resume = run === 0 ? 8 : start + (run & 15);
    for (let i = 0; i < 8; i++) {
      if (i === start) {
        buf[p] = COLON;
        buf[p + 1] = COLON;
        p += 2;
        i = resume - 1;
        continue;
      }
      const hi = src[at + 2 * i]!;
      const lo = src[at + 2 * i + 1]!;
      const hiPair = pairs[hi]!;
      const loPair = pairs[lo]!;
      if (i > 0 && i !== resume) buf[p++] = COLON;
      if (hi >= 0x10) {
        v.setUint32(p, hiPair | (loPair << 16), true);
        p += 4;
      } else if (hi > 0) {
        // the pair of a value below 16 is '0' and its digit: the digit alone
        v.setUint32(p, (hiPair >>> 8) | (loPair << 8), true);
        p += 3;
      } else if (lo >= 0x10) {
        v.setUint16(p, loPair, true);
        p += 2;
      } else buf[p++] = loPair >>> 8;
    }
    this.tailAt(p, tail);
  }

  /**
   * `count` three-octet values from src[at..] as quoted hex strings joined by
   * commas ("0001f1","000101": an MPLS entry's labels, RFC 3032 label, TC and
   * S as the reference shows them), then `end`, constant text of at most 16
   * octets made by ascii(text, 2); room ensured by the caller (9 octets a
   * value, and 16). One call for an entry's labels, each value's octets and
   * pairs read before its stores.
   */
  quotedHex3List(src: Uint8Array, at: number, count: number, end: Ascii): void {
    const pairs = HEX_PAIR;
    const buf = this.buf;
    const v = this.view;
    let p = this.pos;
    for (let j = 0, q = at; j < count; j++, q += 3) {
      const a = pairs[src[q]!]!;
      const b = pairs[src[q + 1]!]!;
      const c = pairs[src[q + 2]!]!;
      if (j > 0) buf[p++] = COMMA;
      v.setUint32(p, QUOTE | (a << 8) | ((b & 0xff) << 24), true);
      v.setUint32(p + 4, (b >>> 8) | (c << 8) | (QUOTE << 24), true);
      p += 8;
    }
    const e0 = end.words[0]!;
    const e1 = end.words[1]!;
    this.pos = p + end.length;
    v.setFloat64(p, e0, true);
    v.setFloat64(p + 8, e1, true);
  }

  /**
   * src[from..to) as lowercase hex; room ensured by the caller. Two octets a
   * 32-bit store, from the pair table: on a 6,000-octet VENDOR this is ~8×
   * Buffer's toString('hex') followed by a latin1 write of the string
   * (measured, Node 20).
   */
  hex(src: Uint8Array, from: number, to: number): void {
    const v = this.view;
    const pairs = HEX_PAIR;
    let p = this.pos;
    let i = from;
    // Four octets a turn, all read before the two stores (see ipv4).
    for (const quads = to - 3; i < quads; i += 4, p += 8) {
      const a = pairs[src[i]!]!;
      const b = pairs[src[i + 1]!]!;
      const c = pairs[src[i + 2]!]!;
      const d = pairs[src[i + 3]!]!;
      v.setUint32(p, a | (b << 16), true);
      v.setUint32(p + 4, c | (d << 16), true);
    }
    for (; i < to; i++, p += 2) v.setUint16(p, pairs[src[i]!]!, true);
    this.pos = p;
  }
}

const MAPPED_PREFIX = ascii('::ffff:');
const DOT = 0x2e;
const COMMA = 0x2c;
const QUOTE = 0x22;
const COLON = 0x3a;
/** Half a unit in the last place of a double of exponent e (0..31), in millionths. */
const HALF_ULP_US = Float64Array.from({ length: 32 }, (_, e) => 2 ** (e - 53) * 1e6);
/** 0..255 in decimal as one little-endian word, and the number of digits. */
const DEC_WORD = new Uint32Array(256);
/** the digits and a '.' (at most 4 octets: one word) */
const DEC_DOT_WORD = new Uint32Array(256);
const DEC_LEN = new Uint8Array(256);
/** 0..99 as two decimal digits (leading zero kept), one little-endian 16-bit word */
const DEC2_WORD = Uint16Array.from({ length: 100 }, (_, n) => (48 + Math.floor(n / 10)) | ((48 + (n % 10)) << 8));
const HEX_PAIR = new Uint16Array(256);
for (let b = 0; b < 256; b++) {
  const text = String(b);
  DEC_LEN[b] = text.length;
  for (let i = 0; i < text.length; i++) DEC_WORD[b]! |= text.charCodeAt(i) << (8 * i);
  DEC_DOT_WORD[b] = (DEC_WORD[b]! | (DOT << (8 * text.length))) >>> 0;
  const hex = b.toString(16).padStart(2, '0');
  HEX_PAIR[b] = hex.charCodeAt(0) | (hex.charCodeAt(1) << 8);
}
