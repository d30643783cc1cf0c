// PDUs per sender for the summaries of decode and sniff, in bounded memory: a
// spoofed-MAC flood can bring a million senders, and a row each would not fit
// (nor print). Distinct senders are counted exactly as 48-bit numbers (one
// open-addressing table per interface name: 12 octets a sender, about 12 MB
// for a million, where a JS Set took ~100); PDU counts are kept for at
// most 2 × TRACKED senders at a time. When more arrive, the TRACKED busiest are
// kept and the rest forgotten; the counts shown are then lower bounds (PDUs
// since the sender was last taken in; said so in the summary).
// Which are the busiest is judged by a count-min sketch (4 × 65,536 counters,
// 1 MB, made at the first prune and given every PDU from then on): it never
// counts a sender low, and a one-off sender of a million-sender flood stays
// near its noise (~N/65,536). Judged by the table's own counts instead, a
// flood's newcomers all tie at 1, so a real sender that started after the
// table filled and sent less often than every ~2,048 frames never stayed long
// enough to count 2: it was missing from the summary however much it sent.
// Both tables are typed arrays: in a flood, a string or Map entry per sender
// would live long enough to reach V8's old generation, whose garbage then
// grew the RSS by tens of MB between collections.

/** Counters kept at once, after a prune. */
export const TRACKED = 2048;
/** Slots of the count table: at most 2 × TRACKED used, so probes stay short. */
const SLOTS = 8 * TRACKED;
/** The sketch's rows, and counters a row (a power of two). */
const SKETCH_ROWS = 4;
const SKETCH_WIDTH = 1 << 16;

export interface SenderRow {
  sender: string;
  pdus: number;
}

export class SenderCounts {
  /** per slot: the MAC + 1 (0: empty), the interface's index, the count */
  private keys = new Float64Array(SLOTS);
  private ifs = new Uint32Array(SLOTS);
  private counts = new Float64Array(SLOTS);
  /** when the sender was last taken in (ties at a prune keep the latest) */
  private seqs = new Float64Array(SLOTS);
  /** each sender's sketch estimate, filled by prune() */
  private readonly ranks = new Float64Array(SLOTS);
  /** PDUs per sender, over-counted never under: null until the first prune */
  private sketch: Uint32Array | null = null;
  /** the sketch's counters of the sender last hashed (sketchSlots) */
  private readonly slots = new Int32Array(SKETCH_ROWS);
  private seq = 0;
  private spare = { keys: new Float64Array(SLOTS), ifs: new Uint32Array(SLOTS), counts: new Float64Array(SLOTS), seqs: new Float64Array(SLOTS) };
  private used = 0;
  /** the ranks (then arrivals), sorted by prune() to find its cut */
  private readonly values = new Float64Array(2 * TRACKED + 1);
  /** interface names by index (undefined: the input names none) */
  private readonly ifnames: (string | undefined)[] = [];
  private readonly ifIndex = new Map<string | undefined, number>();
  private readonly distinctByIf: NumberSet[] = [];
  private distinctCount = 0;
  /** some counts were dropped to stay bounded: the counts shown are lower bounds */
  private pruned = false;

  /** One PDU from `src` (a MAC as aa:bb:cc:dd:ee:ff) on `ifname`. */
  add(ifname: string | undefined, src: string): void {
    let ifi = this.ifIndex.get(ifname);
    if (ifi === undefined) {
      ifi = this.ifnames.length;
      this.ifnames.push(ifname);
      this.ifIndex.set(ifname, ifi);
      this.distinctByIf.push(new NumberSet());
    }
    const mac = macNumber(src);
    // Not a plain MAC (never from our parsers): counted as a new sender, not listed.
    if (Number.isNaN(mac)) {
      this.distinctCount++;
      return;
    }
    const key = mac + 1;
    if (this.sketch !== null) this.sketchAdd(key, ifi);
    const keys = this.keys;
    let i = slotOf(key, ifi);
    for (;;) {
      const k = keys[i]!;
      if (k === 0) break;
      if (k === key && this.ifs[i] === ifi) {
        this.counts[i]!++;
        return;
      }
      i = (i + 1) & (SLOTS - 1);
    }
    if (this.distinctByIf[ifi]!.add(mac)) this.distinctCount++;
    keys[i] = key;
    this.ifs[i] = ifi;
    this.counts[i] = 1;
    this.seqs[i] = this.seq++;
    if (++this.used > 2 * TRACKED) this.prune();
  }

  /** Senders seen (exact). */
  get distinct(): number {
    return this.distinctCount;
  }

  /** True when counts were dropped to stay bounded (those shown are at least the numbers given). */
  get approximate(): boolean {
    return this.pruned;
  }

  /** The busiest `n` senders, busiest first (ties by name). */
  top(n: number): SenderRow[] {
    const rows: SenderRow[] = [];
    for (let i = 0; i < SLOTS; i++) {
      if (this.keys[i] === 0) continue;
      const ifname = this.ifnames[this.ifs[i]!];
      const mac = macText(this.keys[i]! - 1);
      rows.push({ sender: ifname === undefined ? mac : `${ifname} ${mac}`, pdus: this.counts[i]! });
    }
    return rows.sort((a, b) => b.pdus - a.pdus || (a.sender < b.sender ? -1 : a.sender > b.sender ? 1 : 0)).slice(0, n);
  }

  /**
   * Keeps the TRACKED busiest by the sketch (ties at the cut: the latest taken
   * in, which may yet come again). Runs once per TRACKED new senders, so in a
   * flood it is hot: the cut is found by sorting the bare ranks, then the table
   * is rebuilt.
   */
  private prune(): void {
    if (this.sketch === null) this.startSketch();
    const ranks = this.ranks;
    let n = 0;
    for (let i = 0; i < SLOTS; i++) {
      if (this.keys[i] === 0) continue;
      ranks[i] = this.estimate(this.keys[i]!, this.ifs[i]!);
      this.values[n++] = ranks[i]!;
    }
    const values = this.values.subarray(0, n).sort();
    const cut = values[values.length - TRACKED]!;
    // Of those at the cut, the latest `room` stay: find the earliest arrival that does.
    const room = TRACKED - countAbove(values, cut);
    let m = 0;
    for (let i = 0; i < SLOTS; i++) if (this.keys[i] !== 0 && ranks[i] === cut) this.values[m++] = this.seqs[i]!;
    const firstSeq = this.values.subarray(0, m).sort()[m - room]!;
    // Rebuilt into the spare table (two sets, swapped: no garbage per prune).
    const { keys, ifs, counts, seqs } = this;
    this.keys = this.spare.keys.fill(0);
    this.ifs = this.spare.ifs;
    this.counts = this.spare.counts;
    this.seqs = this.spare.seqs;
    this.spare = { keys, ifs, counts, seqs };
    this.used = 0;
    for (let i = 0; i < SLOTS; i++) {
      const c = counts[i]!;
      const rank = ranks[i]!;
      if (keys[i] === 0 || rank < cut || (rank === cut && seqs[i]! < firstSeq)) continue;
      let j = slotOf(keys[i]!, ifs[i]!);
      while (this.keys[j] !== 0) j = (j + 1) & (SLOTS - 1);
      this.keys[j] = keys[i]!;
      this.ifs[j] = ifs[i]!;
      this.counts[j] = c;
      this.seqs[j] = seqs[i]!;
      this.used++;
    }
    this.pruned = true;
  }

  /** The sketch, given what the table has counted so far (all there is: nothing was forgotten yet). */
  private startSketch(): void {
    const sketch = (this.sketch = new Uint32Array(SKETCH_ROWS * SKETCH_WIDTH));
    for (let i = 0; i < SLOTS; i++) {
      if (this.keys[i] === 0) continue;
      this.sketchSlots(this.keys[i]!, this.ifs[i]!);
      for (let r = 0; r < SKETCH_ROWS; r++) sketch[this.slots[r]!]! += this.counts[i]!;
    }
  }

  /**
   * One PDU of a sender into the sketch, by conservative update: only its
   * counters at their least go up, so other senders' noise grows less.
   */
  private sketchAdd(key: number, ifi: number): void {
    const sketch = this.sketch!;
    const least = this.estimate(key, ifi);
    for (let r = 0; r < SKETCH_ROWS; r++) {
      const j = this.slots[r]!;
      if (sketch[j] === least) sketch[j] = least + 1;
    }
  }

  /** A sender's PDUs by the sketch (at least its true count); leaves its counters in `slots`. */
  private estimate(key: number, ifi: number): number {
    const sketch = this.sketch!;
    this.sketchSlots(key, ifi);
    let least = sketch[this.slots[0]!]!;
    for (let r = 1; r < SKETCH_ROWS; r++) least = Math.min(least, sketch[this.slots[r]!]!);
    return least;
  }

  /** A sender's counter in each row of the sketch: two 32-bit hashes, combined (double hashing). */
  private sketchSlots(key: number, ifi: number): void {
    const h1 = mix32((key % 0x100000000) ^ mix32(Math.floor(key / 0x100000000) ^ (ifi << 16)));
    const h2 = mix32(h1 ^ 0x9e3779b9) | 1;
    for (let r = 0; r < SKETCH_ROWS; r++) this.slots[r] = r * SKETCH_WIDTH + ((h1 + Math.imul(r, h2)) & (SKETCH_WIDTH - 1));
  }
}

/** MurmurHash3's 32-bit finaliser: every input bit moves every output bit. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Home slot of a sender in the count table. */
function slotOf(key: number, ifi: number): number {
  return (Math.imul((key % 0x100000000) ^ Math.floor(key / 0x100000000) ^ (ifi << 16), 0x9e3779b1) >>> 0) & (SLOTS - 1);
}

/** A 48-bit number as aa:bb:cc:dd:ee:ff. */
function macText(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/** How many of the sorted `values` are above `cut`. */
function countAbove(values: Float64Array, cut: number): number {
  let n = 0;
  for (let i = values.length - 1; i >= 0 && values[i]! > cut; i--) n++;
  return n;
}

/** aa:bb:cc:dd:ee:ff as a 48-bit number; NaN for anything else (per new sender, so by hand, not by regex). */
function macNumber(mac: string): number {
  if (mac.length !== 17) return NaN;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 6; i++) {
    const a = hexDigit(mac.charCodeAt(3 * i));
    const b = hexDigit(mac.charCodeAt(3 * i + 1));
    if (a < 0 || b < 0 || (i < 5 && mac.charCodeAt(3 * i + 2) !== 0x3a)) return NaN;
    if (i < 2) hi = (hi << 8) | (a << 4) | b;
    else lo = lo * 256 + ((a << 4) | b);
  }
  return hi * 0x100000000 + lo;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * A set of 48-bit numbers (open addressing, linear probing) in two typed
 * arrays, the low 32 bits and the high 16 (+ 1, 0 marking an empty slot):
 * 6 octets a slot where doubles took 8.
 */
class NumberSet {
  private lo = new Uint32Array(1024);
  private hi = new Uint16Array(1024);
  private size = 0;

  /** Adds `n` (below 2^48); true when it was not there yet. */
  add(n: number): boolean {
    if (2 * (this.size + 1) > this.lo.length) this.grow();
    const lo = n % 0x100000000;
    const hi = Math.floor(n / 0x100000000) + 1;
    if (!this.insert(lo, hi)) return false;
    this.size++;
    return true;
  }

  private insert(lo: number, hi: number): boolean {
    const los = this.lo;
    const his = this.hi;
    const mask = los.length - 1;
    // Mix both halves (MACs differ mostly in their low octets).
    let i = (Math.imul(lo ^ hi, 0x9e3779b1) >>> 0) & mask;
    for (;;) {
      const h = his[i]!;
      if (h === 0) {
        los[i] = lo;
        his[i] = hi;
        return true;
      }
      if (h === hi && los[i] === lo) return false;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const { lo, hi } = this;
    this.lo = new Uint32Array(lo.length * 2);
    this.hi = new Uint16Array(lo.length * 2);
    for (let i = 0; i < lo.length; i++) if (hi[i] !== 0) this.insert(lo[i]!, hi[i]!);
  }
}
