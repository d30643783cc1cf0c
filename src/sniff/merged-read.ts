// Reading back what the kernel held while sniff's links were paused, in capture
// order across interfaces: each socket queues its own interface's frames, and
// letting the polls drain them would print one interface's batch after another's
// (and write a pcapng out of time order). Instead one frame of lookahead per
// link is read, and the earliest goes first.
import type { PausableLink, ReceivedFrame } from '../io/link.js';

export class MergedRead {
  private readonly next = new Map<PausableLink, ReceivedFrame>();
  /** links whose caller wants no more frames (a stop passed) */
  private readonly finished = new Set<PausableLink>();
  /** the link being read now: its frames are kept as lookahead, not handled */
  private reading: PausableLink | null = null;

  constructor(private readonly links: readonly PausableLink[]) {}

  /** Every link's frames come here first; true when kept as lookahead (the caller handles the others). */
  intercept(link: PausableLink, f: ReceivedFrame): boolean {
    if (this.reading !== link) return false;
    this.next.set(link, f);
    return true;
  }

  /**
   * Hands up to `max` frames to `take`, earliest first, reading the links as
   * needed; stops early when `enough()` says so. `take` returns false when it
   * wants no more frames from that link. True while frames may still wait.
   */
  read(max: number, take: (f: ReceivedFrame) => boolean, enough: () => boolean): boolean {
    const empty = new Set<PausableLink>();
    for (let i = 0; i < max && !enough(); i++) {
      for (const l of this.links) if (!this.next.has(l) && !empty.has(l) && !this.finished.has(l) && !this.fill(l)) empty.add(l);
      let first: [PausableLink, ReceivedFrame] | null = null;
      for (const entry of this.next) if (first === null || entry[1].time < first[1].time) first = entry;
      if (first === null) return false;
      this.next.delete(first[0]);
      if (!take(first[1])) this.finished.add(first[0]);
    }
    return true;
  }

  /** Reads `link` until a frame is kept (true) or its queue is empty (false). */
  private fill(link: PausableLink): boolean {
    this.reading = link;
    try {
      // a frame the link itself ignores (another EtherType) delivers nothing: read on
      while (!this.next.has(link)) if (!link.readQueued(1)) break;
    } finally {
      this.reading = null;
    }
    return this.next.has(link);
  }
}
