// An in-memory Ethernet segment for tests: links attached to it behave like
// endpoint pcap links (frames for our MAC or a group address, never our own,
// padded to 60 octets) with no OS, no privilege and no wall clock.
// Delivery is asynchronous (a microtask), as on a real wire: a handler that
// sends while handling never re-enters the sender.
import { DEFAULT_ETHERTYPE, normalizeMac, parseEthernet } from '../proto/ethernet.js';
import { dispatchLinkError, isGroupMac, LinkError, deliverFrame, frameToSend, type Link, type LinkStats, type ReceivedFrame } from './link.js';

export interface MemorySegmentOptions {
  ethertype?: number;
  /** receive timestamps in epoch seconds (default: a counter, one second per frame) */
  now?: () => number;
  /**
   * Called for each frame on the wire; return false to lose it (loss, reordering
   * tests). `from` is the sending link.
   */
  deliver?: (frame: Buffer, from: MemoryLink) => boolean;
}

/** A shared medium: every attached link hears every frame (then filters by MAC). */
export class MemorySegment {
  readonly ethertype: number;
  private readonly links: MemoryLink[] = [];
  private readonly now: () => number;
  private tick = 0;
  /** every frame sent on the segment, in order (inspection in tests) */
  readonly wire: Array<{ from: string; frame: Buffer }> = [];

  constructor(private readonly options: MemorySegmentOptions = {}) {
    this.ethertype = options.ethertype ?? DEFAULT_ETHERTYPE;
    this.now = options.now ?? (() => ++this.tick);
  }

  /** Attaches a new link. Throws a LinkError for a MAC that is not one. */
  attach(ifname: string, mac: string): MemoryLink {
    const norm = normalizeMac(mac);
    if (norm === null) throw new LinkError('open-failed', `${ifname}: '${mac}' is not a MAC address`, ifname, true);
    const link = new MemoryLink(this, ifname, norm, this.ethertype);
    this.links.push(link);
    return link;
  }

  /** @internal called by MemoryLink.send */
  transmit(from: MemoryLink, frame: Buffer): void {
    this.wire.push({ from: from.ifname, frame });
    if (this.options.deliver && !this.options.deliver(frame, from)) return;
    const time = this.now();
    for (const link of this.links) {
      if (link !== from) queueMicrotask(() => link.receive(frame, time));
    }
  }

  /** @internal */
  detach(link: MemoryLink): void {
    const i = this.links.indexOf(link);
    if (i >= 0) this.links.splice(i, 1);
  }
}

export class MemoryLink implements Link {
  private readonly frameHandlers: Array<(f: ReceivedFrame) => void> = [];
  private readonly errorHandlers: Array<(e: LinkError) => void> = [];
  private received = 0;
  private closed = false;
  private down = false;

  constructor(
    private readonly segment: MemorySegment,
    readonly ifname: string,
    readonly mac: string,
    readonly ethertype: number,
  ) {}

  send(dst: string, payload: Buffer): void {
    const refused = this.closed ? 'the link is closed' : this.down ? 'the link is down' : null;
    const frame = frameToSend(this, dst, payload, refused, (e) => this.emitError(e));
    if (frame === null) return;
    this.segment.transmit(this, frame);
  }

  onFrame(handler: (frame: ReceivedFrame) => void): void {
    this.frameHandlers.push(handler);
  }

  onError(handler: (error: LinkError) => void): void {
    this.errorHandlers.push(handler);
  }

  stats(): LinkStats {
    return { received: this.received, dropped: 0, ifDropped: 0 };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.segment.detach(this);
  }

  /** Carrier loss: frames are neither sent nor received until setDown(false). */
  setDown(down: boolean): void {
    this.down = down;
  }

  /** The interface disappears: a fatal 'vanished' error, then the link is closed. */
  vanish(): void {
    if (this.closed) return;
    this.close();
    this.emitError(new LinkError('vanished', `${this.ifname}: interface vanished`, this.ifname, true));
  }

  /** @internal called by the segment */
  receive(raw: Buffer, time: number): void {
    if (this.closed || this.down) return;
    const eth = parseEthernet(raw);
    if (eth.ethertype !== this.ethertype) return;
    if (eth.src === this.mac) return;
    if (eth.dst !== this.mac && !isGroupMac(eth.dst)) return;
    this.received++;
    const frame: ReceivedFrame = { ifname: this.ifname, time, dst: eth.dst, src: eth.src, ethertype: eth.ethertype, payload: eth.payload, raw };
    deliverFrame(this.frameHandlers, frame, (e) => this.emitError(e));
  }

  private emitError(err: LinkError): void {
    dispatchLinkError(this.errorHandlers, err);
  }

}

export interface MemoryLinkPairOptions extends MemorySegmentOptions {
  a?: { ifname?: string; mac?: string };
  b?: { ifname?: string; mac?: string };
}

/** Two links joined back to back (a veth pair in memory). */
export function createMemoryLinkPair(options: MemoryLinkPairOptions = {}): [MemoryLink, MemoryLink, MemorySegment] {
  const segment = new MemorySegment(options);
  const a = segment.attach(options.a?.ifname ?? 'mem0', options.a?.mac ?? '02:00:00:00:00:0a');
  const b = segment.attach(options.b?.ifname ?? 'mem1', options.b?.mac ?? '02:00:00:00:00:0b');
  return [a, b, segment];
}
