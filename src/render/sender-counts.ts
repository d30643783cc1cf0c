// PDUs per sender for the summaries of decode and sniff, in bounded memory: a
// spoofed-MAC flood can bring a million senders, and a row each would not fit
// (nor print). Distinct senders are counted exactly as 48-bit numbers (one
// open-addressing table of doubles per interface name: 16 octets a sender,
// about 16 MB for a million, where a JS Set took ~100); PDU counts are kept for at
// most TRACKED senders at a time: when more arrive, the busier half is kept
// and the rest forgotten (Misra-Gries style), so the busiest senders survive
// and the counts shown are then lower bounds (said so in the summary).

/** Counters kept at once, after a prune. */
export const TRACKED = 2048;

export interface SenderRow {
  sender: string;
  pdus: number;
}

export class SenderCounts {
  private readonly counts = new Map<string, number>();
  private readonly distinctByIf = new Map<string, NumberSet>();
  private distinctCount = 0;
  /** some counts were dropped to stay bounded: the counts shown are lower bounds */
  private pruned = false;

  /** One PDU from `src` (a MAC as aa:bb:cc:dd:ee:ff) on `ifname`. */
  add(ifname: string | undefined, src: string): void {
    const key = ifname === undefined ? src : `${ifname} ${src}`;
    const n = this.counts.get(key);
    if (n !== undefined) {
      this.counts.set(key, n + 1);
      return;
    }
    this.noteDistinct(ifname ?? '', src);
    this.counts.set(key, 1);
    if (this.counts.size > 2 * TRACKED) this.prune();
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
    return [...this.counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, n)
      .map(([sender, pdus]) => ({ sender, pdus }));
  }

  private noteDistinct(ifname: string, src: string): void {
    let set = this.distinctByIf.get(ifname);
    if (set === undefined) this.distinctByIf.set(ifname, (set = new NumberSet()));
    const mac = macNumber(src);
    // Not a plain MAC (never from our parsers): count it as new each time rather than keep the text.
    if (Number.isNaN(mac)) {
      this.distinctCount++;
      return;
    }
    if (set.add(mac)) this.distinctCount++;
  }

  private prune(): void {
    const keep = [...this.counts].sort((a, b) => b[1] - a[1]).slice(0, TRACKED);
    this.counts.clear();
    for (const [k, v] of keep) this.counts.set(k, v);
    this.pruned = true;
  }
}

/** aa:bb:cc:dd:ee:ff as a 48-bit number; NaN for anything else. */
function macNumber(mac: string): number {
  if (mac.length !== 17) return NaN;
  return parseInt(mac.slice(0, 8).replace(/:/g, ''), 16) * 0x1000000 + parseInt(mac.slice(9).replace(/:/g, ''), 16);
}

/** A set of non-negative integers below 2^53 in a Float64Array (open addressing, linear probing). */
class NumberSet {
  /** value + 1 per slot; 0 is empty */
  private slots = new Float64Array(1024);
  private size = 0;

  /** Adds `n`; true when it was not there yet. */
  add(n: number): boolean {
    if (2 * (this.size + 1) > this.slots.length) this.grow();
    return this.insert(this.slots, n + 1);
  }

  private insert(slots: Float64Array, key: number): boolean {
    const mask = slots.length - 1;
    // Mix both halves of the 48-bit key (MACs differ mostly in their low octets).
    let i = (Math.imul((key % 0x100000000) ^ Math.floor(key / 0x100000000), 0x9e3779b1) >>> 0) & mask;
    for (;;) {
      const v = slots[i]!;
      if (v === 0) {
        slots[i] = key;
        if (slots === this.slots) this.size++;
        return true;
      }
      if (v === key) return false;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.insert(this.slots, old[i]!);
  }
}
