// The Link over a packet socket per interface (capture-host.ts is the seam; the
// real host is packet-socket.ts). What it guarantees, as the libpcap link did:
// - own frames never come back: the socket ignores outgoing frames, and frames
//   of type 'outgoing' are dropped here too (kernels before 4.20);
// - HELLO multicast is received: the socket joins the group on the interface
//   (PACKET_ADD_MEMBERSHIP, shown by `ip maddr show`, dropped with the socket),
//   without promiscuous mode;
// - frames for other stations are ignored (packet type 'other host', seen only
//   when something else made the interface promiscuous);
// - an interface that goes down and up: the kernel keeps the socket bound and
//   resumes it on up; its error (ENETDOWN) is reported as a 'link-down' notice;
//   one that vanishes is a fatal 'vanished' error. Both are decided by
//   linkHealth() from the packet table, read by one HealthTicker per process
//   only while some link is not healthy: an idle, healthy link wakes nothing.
// - reads are coalesced across the process's endpoint links (read-coalescer.ts):
//   while nothing is busy, a burst of frames on several links costs one read
//   round after a short grace, not a wake-up per frame.
// - an open neighbour's KEEPALIVEs (the daemon names them: quietPeers) go to a
//   second socket that nothing polls (quiet-path.ts), read when the process is
//   awake anyway: an idle daemon wakes for its own send tick and nothing else.
// A monitor link (`sniff`, options.monitor) is never coalesced; it sees instead every frame of its
// EtherTypes in both directions, VLAN-tagged ones too, with the kernel's
// receive time, and can pause: it stops reading, so the kernel holds what
// arrives (up to receiveBuffer) and counts what it drops.
import { DEFAULT_ETHERTYPE, HELLO_MULTICAST, parseEthernet } from '../proto/ethernet.js';
import { Errno, PacketType, type CaptureHost, type CaptureSocket, type FrameSink, type OpenRequest } from './capture-host.js';
import { monitorFilter } from './monitor-filter.js';
import { HealthTicker, type HealthSubject, type LinkHealth, type TickerClock } from './link-health.js';
import { QuietPath, type QuietLink } from './quiet-path.js';
import { FRAMES_PER_READ, ReadCoalescer, type CoalescerClock, type ReadSource } from './read-coalescer.js';
import { deliverFrame, dispatchLinkError, frameToSend, LinkError, paddedFrameLength, type Link, type LinkStats, type ReceivedFrame } from './link.js';

/**
 * Bytes the kernel may queue per interface: two maximum-size PDUs (2 × 128
 * frames of ~1.5 KB, each charged at about twice its size) fit several times
 * over LSOE's steady traffic. Counted as drops when exceeded.
 */
export const DEFAULT_RECEIVE_BUFFER = 512 * 1024;

/** Octets of a link's send buffer at first: a full-size frame without tags (LSOE's frames fit the MTU). */
const OUTGOING_SIZE = 1514;
const EMPTY = Buffer.alloc(0);

export interface PacketLinkOptions {
  ifname: string;
  ifindex: number;
  mac: string;
  /** default 0x88b5 */
  ethertype?: number;
  /** multicast groups to join (default: the HELLO group) */
  groups?: string[];
  receiveBuffer?: number;
  /** false: the link alone does not keep the process running (default true) */
  keepAlive?: boolean;
  /** whether the interface is up now: a down one is a 'link-down' error unless allowDown */
  up?: boolean;
  allowDown?: boolean;
  /** `sniff`: a monitor of these EtherTypes rather than an endpoint (no group is joined unless `groups` names one) */
  monitor?: MonitorOptions;
}

export interface MonitorOptions {
  ethertypes: number[];
  /** -Q: frames received ('in': not from our MAC), sent ('out': from it), or both */
  direction: 'in' | 'out' | 'inout';
  promiscuous: boolean;
}

/** The EtherType a link sends and binds to: the one asked for, else a monitor's first, else LSOE's. */
function ethertypeOf(options: PacketLinkOptions): number {
  return options.ethertype ?? options.monitor?.ethertypes[0] ?? DEFAULT_ETHERTYPE;
}

/** What to ask the host for: an endpoint socket, or a monitor with its filter. */
function openRequest(options: PacketLinkOptions): OpenRequest {
  const { ifindex, monitor } = options;
  const receiveBuffer = options.receiveBuffer ?? DEFAULT_RECEIVE_BUFFER;
  const ethertype = ethertypeOf(options);
  if (monitor === undefined) return { ifindex, ethertype, receiveBuffer };
  const filter = monitorFilter({ ethertypes: monitor.ethertypes, direction: monitor.direction, mac: options.mac });
  return { ifindex, ethertype, receiveBuffer, monitor: { filter, promiscuous: monitor.promiscuous } };
}

function openError(errno: number, ifname: string): LinkError {
  if (errno === Errno.EPERM || errno === Errno.EACCES) return new LinkError('permission', `${ifname}: not permitted (needs root or CAP_NET_RAW)`, ifname, true);
  if (errno === Errno.ENODEV || errno === Errno.ENXIO) return new LinkError('no-such-interface', `${ifname}: no such interface`, ifname, true);
  return new LinkError('open-failed', `${ifname}: packet socket refused (errno ${errno})`, ifname, true);
}

export class PacketLink implements Link, HealthSubject, ReadSource, FrameSink, QuietLink {
  readonly ifname: string;
  readonly ifindex: number;
  readonly mac: string;
  readonly ethertype: number;
  private readonly frameHandlers: Array<(f: ReceivedFrame) => void> = [];
  private readonly errorHandlers: Array<(e: LinkError) => void> = [];
  private socket: CaptureSocket;
  private closed = false;
  /** the interface is down (reported once per down) */
  private down = false;
  private received = 0;
  private dropped = 0;
  /** frames refused here: outgoing, other hosts, wrong EtherType, cut short */
  private ignored = 0;
  /** monitor links: the EtherTypes delivered */
  private readonly ethertypes: ReadonlySet<number>;
  /** pause(true) was called: the socket is not watched */
  private paused = false;
  /** the last read stopped before the kernel's queue was empty */
  private queued = false;
  /** frames read from the socket (delivered or ignored) */
  private read = 0;
  /** the frame being sent (allocated at the first send; grown for a longer frame) */
  private outgoing: Buffer = EMPTY;
  /** error reports, bound once (not a closure per frame) */
  private readonly emit = (e: LinkError): void => this.emitError(e);
  /** the quiet socket of the open neighbours' KEEPALIVEs (made at the first quietPeers) */
  private quiet: QuietPath | null = null;

  constructor(
    private readonly host: CaptureHost,
    private readonly ticker: HealthTicker<unknown>,
    private readonly options: PacketLinkOptions,
    socket: CaptureSocket,
    /** endpoint links: the process's coalescer (null: read at each wake-up) */
    private readonly coalescer: ReadCoalescer<unknown> | null = null,
    /** the clock of a quiet socket's back-off */
    private readonly now: () => number = realNow,
  ) {
    this.ifname = options.ifname;
    this.ifindex = options.ifindex;
    this.mac = options.mac;
    this.ethertype = ethertypeOf(options);
    this.ethertypes = new Set(options.monitor?.ethertypes ?? [this.ethertype]);
    this.socket = socket;
    this.attach(socket);
    coalescer?.add(this);
  }

  get inode(): string {
    return this.socket.inode;
  }

  /** @internal the main socket (the quiet path's filter goes on it) */
  get mainSocket(): CaptureSocket {
    return this.socket;
  }

  /**
   * The link's open neighbours: their frames whose payload begins with `prefix` (the
   * KEEPALIVE) go to the quiet socket, read late but with their arrival time (late
   * frames). Does nothing where the host has no quiet sockets (an older addon) or on a monitor.
   */
  quietPeers(peers: readonly string[], prefix: Uint8Array): void {
    if (this.closed || this.options.monitor !== undefined || this.host.drainQuiet === undefined || this.socket.setFilter === undefined) return;
    if (this.quiet === null) {
      if (peers.length === 0) return;
      this.quiet = new QuietPath(this.host, this, this.now);
    }
    this.quiet.set(peers, prefix);
  }

  /** True while frames can flow (false while the interface is down, and after close). */
  get up(): boolean {
    return !this.closed && !this.down;
  }

  send(dst: string, payload: Buffer): void {
    // built in the link's own buffer, reused: the socket's send copies it before returning
    const length = paddedFrameLength(payload.length);
    if (this.outgoing.length < length) this.outgoing = Buffer.allocUnsafeSlow(Math.max(length, OUTGOING_SIZE));
    const frame = frameToSend(this, dst, payload, this.closed ? 'the link is closed' : null, this.emit, this.outgoing);
    if (frame === null) return;
    const errno = this.socket.send(frame, length);
    if (errno === 0) {
      // a send turn on several links: the coalescer holds the sockets for the peers' answers
      // (not for our KEEPALIVE to a quieted neighbour: its own come on the quiet socket)
      if (this.quiet === null || !this.quiet.covers(dst, payload)) this.coalescer?.sent(this);
      return;
    }
    const why = errno === Errno.ENETDOWN ? 'the link is down' : errno === Errno.ENXIO || errno === Errno.ENODEV ? 'the interface is gone' : `errno ${errno}`;
    this.emitError(new LinkError('send-failed', `${this.ifname}: frame to ${dst} not sent: ${why}`, this.ifname, false));
    if (errno === Errno.ENETDOWN || errno === Errno.ENXIO || errno === Errno.ENODEV) this.ticker.checkSoon(this);
  }

  onFrame(handler: (frame: ReceivedFrame) => void): void {
    this.frameHandlers.push(handler);
  }

  onError(handler: (error: LinkError) => void): void {
    this.errorHandlers.push(handler);
  }

  stats(): LinkStats & { ignored: number } {
    if (!this.closed) this.dropped += this.socket.takeDrops() + (this.quiet?.takeDrops() ?? 0);
    const q = this.quiet;
    const stats = { received: this.received, dropped: this.dropped, ifDropped: 0, ignored: this.ignored };
    return q === null ? stats : { ...stats, quiet: q.frames, quietBackoffs: q.backoffs };
  }

  /**
   * Stops reading (true) or reads again (false). Paused, the link costs no
   * wake-up: frames wait in the kernel, which drops and counts (stats().dropped)
   * what does not fit in receiveBuffer.
   */
  pause(paused: boolean): void {
    if (this.closed || this.paused === paused) return;
    this.paused = paused;
    this.socket.pause(paused);
  }

  /** @internal the coalescer's read (unless paused); the frames read (`max`: more may wait) */
  readRound(max: number): number {
    return this.drain(this.socket, max, false);
  }

  /** True while frames may be waiting in the kernel: paused, or a read left some. */
  get behind(): boolean {
    return this.paused || this.queued;
  }

  /** Reads (and delivers) up to `max` waiting frames, paused or not; true when more may wait. */
  readQueued(max: number): boolean {
    this.drain(this.socket, max, true);
    return this.queued;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ticker.forget(this);
    this.coalescer?.remove(this);
    this.quiet?.close();
    this.socket.close();
  }

  /** @internal the ticker's verdict; true while further checks are wanted */
  applyHealth(health: LinkHealth): boolean {
    if (this.closed) return false;
    switch (health) {
      case 'ok':
        this.down = false;
        return false;
      case 'down':
        this.markDown();
        return true;
      case 'vanished':
        this.close();
        this.emitError(new LinkError('vanished', `${this.ifname}: interface vanished`, this.ifname, true));
        return false;
      case 'reopen': {
        const next = this.host.open(openRequest(this.options));
        if (typeof next === 'number') {
          this.close();
          this.emitError(openError(next, this.ifname));
          return false;
        }
        this.socket.close();
        this.socket = next;
        this.attach(next);
        this.quiet?.reopened();
        return true; // check the new socket too
      }
    }
  }

  private attach(socket: CaptureSocket): void {
    for (const group of this.options.groups ?? (this.options.monitor ? [] : [HELLO_MULTICAST])) {
      const errno = socket.join(group);
      if (errno !== 0) this.emitError(new LinkError('open-failed', `${this.ifname}: cannot join ${group} (errno ${errno})`, this.ifname, false));
    }
    if (this.paused) socket.pause(true);
    socket.watch((errno) => (errno === 0 ? this.readable(socket) : this.onSocketError(errno)));
    if (this.options.keepAlive === false) socket.keepAlive(false);
  }

  /** @internal opened on a down interface: watched until it is up, no notice */
  startDown(): void {
    this.down = true;
    this.ticker.watch(this);
  }

  private markDown(): void {
    if (this.down) return;
    this.down = true;
    this.emitError(new LinkError('link-down', `${this.ifname}: link down; waiting for it to come back`, this.ifname, false));
  }

  private onSocketError(errno: number): void {
    if (this.closed) return;
    if (errno === Errno.ENETDOWN) this.markDown();
    // down, or deleted (also ENETDOWN first): the packet table says which
    this.ticker.checkSoon(this);
  }

  private readable(socket: CaptureSocket): void {
    if (socket !== this.socket) return;
    if (this.coalescer === null) this.drain(socket, FRAMES_PER_READ, false);
    else this.coalescer.readable(this);
  }

  /**
   * Reads up to `max` frames (stopping early once paused, unless `evenPaused`);
   * how many it read; `queued` says whether the kernel may hold more.
   */
  private drain(socket: CaptureSocket, max: number, evenPaused: boolean): number {
    // what the quiet socket holds came first: a neighbour's frames keep their order
    this.quiet?.beforeMain();
    const start = this.read;
    // an endpoint reads its budget in one call; a monitor one frame a call, so that a
    // pause (sniff's output blocked) stops it between two frames
    const each = this.options.monitor === undefined ? max : 1;
    while (this.read - start < max && !this.closed && socket === this.socket && (evenPaused || !this.paused)) {
      if (!socket.receive(Math.min(each, max - (this.read - start)), this)) {
        this.queued = false;
        return this.read - start;
      }
    }
    this.queued = !this.closed;
    return this.read - start;
  }

  /** @internal a read failed (the socket's report) */
  failed(errno: number): void {
    this.onSocketError(errno);
  }

  /** @internal one frame read from the socket */
  frame(raw: Buffer, packetType: number, time: number | undefined): void {
    this.read++;
    this.accept(raw, packetType, time, false);
  }

  /** @internal one frame read from the quiet socket */
  lateFrame(raw: Buffer, packetType: number, time: number | undefined): void {
    this.accept(raw, packetType, time, true);
  }

  private accept(raw: Buffer, packetType: number, time: number | undefined, late: boolean): void {
    // (read in the same call as a frame whose handler closed the link)
    if (this.closed) return;
    // A monitor sees both directions and, promiscuous, other stations' frames; its filter chose them.
    if (this.options.monitor === undefined && (packetType === PacketType.outgoing || packetType === PacketType.otherHost)) {
      this.ignored++;
      return;
    }
    let eth;
    try {
      eth = parseEthernet(raw);
    } catch {
      this.ignored++;
      return;
    }
    if (!this.ethertypes.has(eth.ethertype)) {
      this.ignored++;
      return;
    }
    this.down = false;
    this.received++;
    // (`late` always set: frames of one shape, whichever socket they came from)
    const frame: ReceivedFrame = {
      ifname: this.ifname,
      time: time ?? Date.now() / 1000,
      late: late && time !== undefined,
      dst: eth.dst,
      src: eth.src,
      ethertype: eth.ethertype,
      payload: eth.payload,
      raw,
    };
    if (this.options.monitor !== undefined && eth.vlanTags.length > 0) frame.vlan = eth.vlanTags;
    deliverFrame(this.frameHandlers, frame, this.emit);
  }

  private emitError(err: LinkError): void {
    dispatchLinkError(this.errorHandlers, err);
  }
}

/** A real-time clock for the ticker that never keeps the process alive by itself. */
const realNow = (): number => (performance.timeOrigin + performance.now()) / 1000;

const unrefClock: TickerClock<NodeJS.Timeout> = {
  setTimer(delay, fn) {
    const t = setTimeout(fn, delay * 1000);
    t.unref();
    return t;
  },
  clearTimer: (t) => clearTimeout(t),
};

/** Real time, as a timer that keeps the process running. */
const refClock: CoalescerClock<NodeJS.Timeout> = {
  now: realNow,
  setTimer: (delay, fn) => setTimeout(fn, delay * 1000),
  clearTimer: (t) => clearTimeout(t),
};

const tickers = new WeakMap<CaptureHost, HealthTicker<unknown>>();
const coalescers = new WeakMap<CaptureHost, ReadCoalescer<unknown>>();

/** The one ticker of a host (with the real clock unless one is given the first time). */
export function tickerFor(host: CaptureHost, clock?: TickerClock<unknown>): HealthTicker<unknown> {
  let t = tickers.get(host);
  if (t === undefined) {
    t = new HealthTicker(() => host.readPacketTable(), clock ?? (unrefClock as TickerClock<unknown>));
    tickers.set(host, t);
  }
  return t;
}

/** The one read coalescer of a host's endpoint links (clock as for tickerFor). */
export function coalescerFor(host: CaptureHost, clock?: CoalescerClock<unknown>): ReadCoalescer<unknown> {
  let c = coalescers.get(host);
  if (c === undefined) {
    // (its grace keeps the process running: every socket is held meanwhile)
    c = new ReadCoalescer(clock ?? (refClock as CoalescerClock<unknown>), host);
    coalescers.set(host, c);
  }
  return c;
}

/**
 * Opens a link on `options.ifname` (index and MAC already known, e.g. from the
 * interface table). Rejects with a LinkError: 'permission',
 * 'no-such-interface', 'link-down' (a down interface, unless allowDown), 'open-failed'.
 */
export function openPacketLink(host: CaptureHost, options: PacketLinkOptions, clock?: CoalescerClock<unknown>): PacketLink {
  const { ifname } = options;
  if (options.up === false && !options.allowDown) throw new LinkError('link-down', `${ifname}: interface is down`, ifname, true);
  const socket = host.open(openRequest(options));
  if (typeof socket === 'number') throw openError(socket, ifname);
  // endpoint links share the host's coalescer; a monitor (sniff) reads at each wake-up
  const coalescer = options.monitor === undefined ? coalescerFor(host, clock) : null;
  const link = new PacketLink(host, tickerFor(host, clock), options, socket, coalescer, clock === undefined ? realNow : () => clock.now());
  // A link that starts down (allowDown) is checked until it is up.
  if (options.up === false) link.startDown();
  return link;
}
