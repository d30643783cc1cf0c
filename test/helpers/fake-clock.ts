// A deterministic scheduler for tests: holds armed timers (per owner and name) and other
// scheduled callbacks, and runs them in time order as the fake clock advances. Nothing
// here touches real time. Ties run in the order they were scheduled.

interface Scheduled {
  key: string;
  at: number;
  seq: number;
  run: () => void;
}

export class FakeClock {
  private items = new Map<string, Scheduled>();
  private seq = 0;
  private anon = 0;

  constructor(public now = 0) {}

  /** Schedule `run` at absolute time `at` under `key`; an earlier item with that key is replaced. */
  schedule(key: string, at: number, run: () => void): void {
    this.items.set(key, { key, at, seq: this.seq++, run });
  }

  /** Schedule under a fresh key (frames in flight and the like). */
  later(at: number, run: () => void): void {
    this.schedule(`#${this.anon++}`, at, run);
  }

  cancel(key: string): void {
    this.items.delete(key);
  }

  /** When the item under `key` is due, or undefined when nothing is scheduled under it. */
  dueAt(key: string): number | undefined {
    return this.items.get(key)?.at;
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  /** Run every item due at or before `t`, in time order, moving `now` to each one's time. */
  advanceTo(t: number): void {
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > t) break;
      this.items.delete(next.key);
      if (next.at > this.now) this.now = next.at;
      next.run();
    }
    if (t > this.now) this.now = t;
  }

  advanceBy(dt: number): void {
    this.advanceTo(this.now + dt);
  }

  /** Run the earliest item only (whatever its time); false when nothing is scheduled. */
  runNext(): boolean {
    const next = this.earliest();
    if (!next) return false;
    this.advanceTo(next.at);
    return true;
  }

  private earliest(): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const item of this.items.values()) {
      if (!best || item.at < best.at || (item.at === best.at && item.seq < best.seq)) best = item;
    }
    return best;
  }
}

/** mulberry32: a small seeded generator for reproducible test randomness, in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}
