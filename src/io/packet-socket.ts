// The real CaptureHost: one Linux packet socket per interface, through our
// small Node-API addon (native/packet_socket.c, built by scripts/build-native).
// Loaded on first use; null when it is not built (callers fall back to libpcap).
// The endpoint sockets share one poll (SocketSet, the addon's epoll set): the read
// coalescer's hold is then one call; a monitor (sniff) keeps a poll of its own; a
// quiet socket is polled by nothing (QuietSet: asked about by drainQuiet).
import { fstatSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { nativeAddon } from './native-addon.js';
import { parseMac } from '../proto/ethernet.js';
import type { CaptureHost, CaptureSocket, FrameSink, OpenRequest } from './capture-host.js';

interface Addon {
  open(ifindex: number, protocol: number, rcvbuf: number, flags: number, filter: Buffer | null): number;
  join(fd: number, ifindex: number, mac: Buffer): number;
  recv(fd: number, buf: Buffer, slot: number, meta: Float64Array, max: number): number;
  send(fd: number, ifindex: number, frame: Buffer, length: number): number;
  drops(fd: number): number;
  watch(fd: number, cb: (errno: number) => void): object | number;
  pause(watcher: object, on: boolean): void;
  ref(watcher: object, on: boolean): void;
  close(watcher: object | null, fd: number): void;
  set(ready: Int32Array, cb: (count: number) => void): object | number;
  setWatch(set: object, fd: number, on: boolean): number;
  setHold(set: object, on: boolean): void;
  setRef(set: object, on: boolean): void;
  /** absent from an addon built before quiet sockets */
  filter?(fd: number, filter: Buffer): number;
  quiet?(): number;
  quietWatch?(quiet: number, fd: number, on: boolean): number;
  quietReady?(quiet: number, fds: Int32Array): number;
}

/** What a socket needs of the poll that watches it (the endpoints' SocketSet, or the QuietSet). */
interface SharedPoll {
  /** `socket` watched through it; false when that cannot be */
  add(fd: number, socket: PacketSocket): boolean;
  /** a member in (true) or out of (false) it: its pause */
  watch(fd: number, on: boolean): void;
  remove(fd: number, keeping: boolean): void;
  /** a member starts (true) or stops keeping the process running */
  keep(on: boolean): void;
}

/** Bytes of one received frame we keep: a jumbo frame and its tags (longer ones are cut, then dropped). */
const RECEIVE_SPAN = 9216 + 22;
/** Frames one recv reads at most (native/packet_socket.c's RECV_BATCH): a read round's budget in one system call. */
const RECEIVE_BATCH = 64;
/** Sockets one wake-up of the set reports at most (SET_BATCH): more are reported on the next turn. */
const SET_BATCH = 64;
const EAGAIN = 11;
/** V8's typed_array_max_size_in_heap: a copy this short lives on the JS heap (no backing store). */
const ON_HEAP_OCTETS = 64;
const sliceOctets = Uint8Array.prototype.slice;

/** The addon's open() flags (native/packet_socket.c). */
const OPEN_MONITOR = 1;
const OPEN_PROMISC = 2;
const OPEN_TIMESTAMP = 4;
/** ETH_P_ALL: every EtherType, frames this host sends included (a monitor's filter narrows it). */
const ETH_P_ALL = 0x0003;

/**
 * The endpoint sockets' one poll (the addon's set: an epoll instance that libuv
 * polls as one fd). Holding every endpoint socket for a read round is then one
 * call (one epoll_ctl) instead of a poll stopped and started per socket, and a
 * wake-up reports every readable socket at once.
 */
class SocketSet implements SharedPoll {
  /** [fd, errno] pairs of the sockets a wake-up reports (filled by the addon) */
  private readonly ready = new Int32Array(2 * SET_BATCH);
  private readonly members = new Map<number, PacketSocket>();
  private readonly handle: object | null;
  private held = false;
  /** members that keep the process running */
  private keeping = 0;

  constructor(private readonly native: Addon) {
    const handle = native.set(this.ready, (count) => this.wakeUp(count));
    this.handle = typeof handle === 'number' ? null : handle;
  }

  /** `socket` watched through the set (and so held with the others); false when that cannot be */
  add(fd: number, socket: PacketSocket): boolean {
    if (this.handle === null || this.native.setWatch(this.handle, fd, true) !== 0) return false;
    this.members.set(fd, socket);
    this.keep(true);
    return true;
  }

  /** a member in (true) or out of (false) the poll: its pause */
  watch(fd: number, on: boolean): void {
    if (this.handle !== null && this.members.has(fd)) this.native.setWatch(this.handle, fd, on);
  }

  remove(fd: number, keeping: boolean): void {
    if (this.handle === null || !this.members.delete(fd)) return;
    this.native.setWatch(this.handle, fd, false);
    if (keeping) this.keep(false);
  }

  /** a member starts (true) or stops keeping the process running */
  keep(on: boolean): void {
    if (this.handle === null) return;
    const before = this.keeping > 0;
    this.keeping += on ? 1 : -1;
    if (this.keeping > 0 !== before) this.native.setRef(this.handle, this.keeping > 0);
  }

  hold(held: boolean): void {
    if (this.handle === null || this.held === held) return;
    this.held = held;
    this.native.setHold(this.handle, held);
  }

  private wakeUp(count: number): void {
    const ready = this.ready;
    // (a member closed by what an earlier one delivered is gone from the map)
    for (let i = 0; i < count; i++) this.members.get(ready[2 * i]!)?.ready(ready[2 * i + 1]!);
  }
}

/**
 * The quiet sockets: an epoll instance that nothing polls (not libuv), so their frames
 * wake nobody. drain() asks it, in one system call, which members hold frames and hands
 * each of those its report, as a poll would, but when the process is awake anyway.
 */
class QuietSet implements SharedPoll {
  private readonly ready = new Int32Array(SET_BATCH);
  private readonly members = new Map<number, PacketSocket>();

  constructor(
    private readonly native: Required<Pick<Addon, 'quietWatch' | 'quietReady'>>,
    private readonly epfd: number,
  ) {}

  add(fd: number, socket: PacketSocket): boolean {
    if (this.native.quietWatch(this.epfd, fd, true) !== 0) return false;
    this.members.set(fd, socket);
    return true;
  }

  watch(fd: number, on: boolean): void {
    if (this.members.has(fd)) this.native.quietWatch(this.epfd, fd, on);
  }

  remove(fd: number): void {
    if (this.members.delete(fd)) this.native.quietWatch(this.epfd, fd, false);
  }

  /** (nothing polls a quiet socket: it never keeps the process running) */
  keep(): void {}

  drain(): void {
    // up to SET_BATCH members a question; a few questions at most (a member that keeps
    // refilling, a flood, waits for the next drain rather than holding this one)
    for (let round = 0; round < 4 && this.members.size > 0; round++) {
      const n = this.native.quietReady(this.epfd, this.ready);
      // (a member closed by what an earlier one delivered is gone from the map)
      for (let i = 0; i < n; i++) this.members.get(this.ready[i]!)?.ready(0);
      if (n < this.ready.length) return;
    }
  }
}

class PacketSocket implements CaptureSocket {
  readonly inode: string;
  private watcher: object | null = null;
  /** watched through the host's set (endpoint sockets), not a poll of its own */
  private inSet = false;
  private onReady: ((errno: number) => void) | null = null;
  private closed = false;
  private paused = false;
  /** keeps the process running (keepAlive) */
  private keeping = true;
  /** [length, packet type, time] of each frame of the last read */
  private readonly meta = new Float64Array(3 * RECEIVE_BATCH);

  constructor(
    private readonly native: Addon,
    private readonly fd: number,
    private readonly ifindex: number,
    private readonly scratch: Buffer,
    /** the host's set (the quiet set for a quiet socket); null for a monitor (sniff), which is never held with the endpoints */
    private readonly set: SharedPoll | null,
  ) {
    this.inode = String(fstatSync(fd).ino);
  }

  join(group: string): number {
    if (this.closed) return 9; // EBADF
    const mac = parseMac(group);
    if (mac === null) return 22; // EINVAL
    return -this.native.join(this.fd, this.ifindex, mac);
  }

  watch(ready: (errno: number) => void): void {
    if (this.closed || this.onReady !== null) return;
    this.onReady = ready;
    if (this.set !== null && this.set.add(this.fd, this)) {
      this.inSet = true;
      if (this.paused) this.set.watch(this.fd, false);
      if (!this.keeping) this.set.keep(false);
      return;
    }
    const w = this.native.watch(this.fd, ready);
    if (typeof w === 'object') this.watcher = w;
    if (this.watcher !== null) {
      if (this.paused) this.native.pause(this.watcher, true);
      if (!this.keeping) this.native.ref(this.watcher, false);
    }
  }

  /** @internal the set's report: readable (0) or an errno */
  ready(errno: number): void {
    if (!this.closed) this.onReady?.(errno);
  }

  pause(paused: boolean): void {
    if (this.closed || this.paused === paused) return;
    this.paused = paused;
    if (this.inSet) this.set!.watch(this.fd, !paused);
    else if (this.watcher !== null) this.native.pause(this.watcher, paused);
  }

  receive(max: number, sink: FrameSink): boolean {
    if (this.closed) return false;
    const want = Math.min(max, RECEIVE_BATCH);
    const n = this.native.recv(this.fd, this.scratch, RECEIVE_SPAN, this.meta, want);
    if (n < 0) {
      if (n !== -EAGAIN) sink.failed(-n); // EAGAIN: nothing waiting
      return false;
    }
    const meta = this.meta;
    if (n === 1) {
      sink.frame(this.copy(0, meta[0]!), meta[1]!, meta[2]! > 0 ? meta[2]! : undefined);
      return want === 1;
    }
    // Every frame copied out of the shared scratch buffer before any is delivered:
    // a handler may read another socket into it.
    const frames: Buffer[] = [];
    for (let i = 0; i < n; i++) frames.push(this.copy(i, meta[3 * i]!));
    for (let i = 0; i < n; i++) sink.frame(frames[i]!, meta[3 * i + 1]!, meta[3 * i + 2]! > 0 ? meta[3 * i + 2]! : undefined);
    return n === want;
  }

  /** frame `i` of the last read, copied out of the scratch buffer (cut to its slot) */
  private copy(i: number, length: number): Buffer {
    const at = i * RECEIVE_SPAN;
    const n = Math.min(length, RECEIVE_SPAN);
    // A short frame (a KEEPALIVE or a HELLO: 60 octets) in one builtin: V8 keeps a typed
    // array of up to 64 octets on its own heap, and the slice is a Buffer (the species of
    // the scratch buffer). 165 against ~500 ns a frame in code never optimised (node
    // --no-opt); a longer one would get a backing store of its own (4 µs at 1,500 octets),
    // so it takes a slice of Node's pool as before.
    if (n <= ON_HEAP_OCTETS) return sliceOctets.call(this.scratch, at, at + n) as Buffer;
    const frame = Buffer.allocUnsafe(n);
    this.scratch.copy(frame, 0, at, at + n);
    return frame;
  }

  send(frame: Buffer, length = frame.length): number {
    if (this.closed) return 9;
    return -this.native.send(this.fd, this.ifindex, frame, length);
  }

  setFilter(filter: Buffer): number {
    if (this.closed) return 9;
    return this.native.filter === undefined ? 95 /* EOPNOTSUPP */ : -this.native.filter(this.fd, filter);
  }

  takeDrops(): number {
    if (this.closed) return 0;
    return Math.max(0, this.native.drops(this.fd));
  }

  keepAlive(on: boolean): void {
    if (this.closed || this.keeping === on) return;
    this.keeping = on;
    if (this.inSet) this.set!.keep(on);
    else if (this.watcher !== null) this.native.ref(this.watcher, on);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.inSet) this.set!.remove(this.fd, this.keeping);
    this.native.close(this.watcher, this.fd);
    this.watcher = null;
    this.onReady = null;
  }
}

let shared: CaptureHost | null | undefined;

/** The host's quiet set; null when the addon predates quiet sockets (or epoll refuses). */
function quietSetOf(native: Addon): QuietSet | null {
  const { filter, quiet, quietWatch, quietReady } = native;
  if (filter === undefined || quiet === undefined || quietWatch === undefined || quietReady === undefined) return null;
  const epfd = quiet();
  return epfd < 0 ? null : new QuietSet({ quietWatch, quietReady }, epfd);
}

/** The process's packet-socket host; null when the addon is not built or cannot load. */
export function packetSocketHost(): CaptureHost | null {
  if (shared !== undefined) return shared;
  const native = nativeAddon<Addon>();
  if (native === null) return (shared = null);
  // One receive buffer for every socket, a slot per frame of a read: frames are copied out of it
  // at once. Its pages are touched only by the frames read (allocUnsafeSlow: not zero-filled).
  const scratch = Buffer.allocUnsafeSlow(RECEIVE_SPAN * RECEIVE_BATCH);
  // the endpoint sockets' one poll (created with the first of them)
  let set: SocketSet | undefined;
  const quiet = quietSetOf(native);
  const host: CaptureHost = {
    open(req: OpenRequest) {
      const m = req.monitor;
      if (req.quiet === true && quiet === null) return 95; // EOPNOTSUPP
      const fd =
        m === undefined
          ? native.open(req.ifindex, req.ethertype, req.receiveBuffer, req.timestamps === true ? OPEN_TIMESTAMP : 0, req.filter ?? null)
          : native.open(req.ifindex, ETH_P_ALL, req.receiveBuffer, OPEN_MONITOR | (m.promiscuous ? OPEN_PROMISC : 0), m.filter);
      if (fd < 0) return -fd;
      const poll = m !== undefined ? null : req.quiet === true ? quiet : (set ??= new SocketSet(native));
      return new PacketSocket(native, fd, req.ifindex, scratch, poll);
    },
    hold(held: boolean) {
      set?.hold(held);
    },
    readPacketTable: () => readFile('/proc/net/packet', 'utf8').catch(() => null),
  };
  if (quiet !== null) host.drainQuiet = () => quiet.drain();
  return (shared = host);
}
