// The real CaptureHost: one Linux packet socket per interface, through our
// small Node-API addon (native/packet_socket.c, built by scripts/build-native).
// Loaded on first use; null when it is not built (callers fall back to libpcap).
import { fstatSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { nativeAddon } from './native-addon.js';
import { parseMac } from '../proto/ethernet.js';
import type { CaptureHost, CaptureSocket, HostFrame, OpenRequest } from './capture-host.js';

interface Addon {
  open(ifindex: number, protocol: number, rcvbuf: number, flags: number, filter: Buffer | null): number;
  join(fd: number, ifindex: number, mac: Buffer): number;
  recv(fd: number, buf: Buffer, meta: Float64Array): number;
  send(fd: number, ifindex: number, frame: Buffer): number;
  drops(fd: number): number;
  watch(fd: number, cb: (errno: number) => void): object | number;
  pause(watcher: object, on: boolean): void;
  ref(watcher: object, on: boolean): void;
  close(watcher: object | null, fd: number): void;
}

/** Bytes of one received frame we keep: a jumbo frame and its tags (longer ones are cut, then dropped). */
const RECEIVE_SPAN = 9216 + 22;

/** The addon's open() flags (native/packet_socket.c). */
const OPEN_MONITOR = 1;
const OPEN_PROMISC = 2;
/** ETH_P_ALL: every EtherType, frames this host sends included (a monitor's filter narrows it). */
const ETH_P_ALL = 0x0003;

class PacketSocket implements CaptureSocket {
  readonly inode: string;
  private watcher: object | null = null;
  private closed = false;
  private paused = false;
  /** [ifindex, packet type, time] of the last frame read */
  private readonly meta = new Float64Array(3);

  constructor(
    private readonly native: Addon,
    private readonly fd: number,
    private readonly ifindex: number,
    private readonly scratch: Buffer,
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
    if (this.closed || this.watcher !== null) return;
    const w = this.native.watch(this.fd, ready);
    if (typeof w === 'object') this.watcher = w;
    if (this.paused && this.watcher !== null) this.native.pause(this.watcher, true);
  }

  pause(paused: boolean): void {
    if (this.closed || this.paused === paused) return;
    this.paused = paused;
    if (this.watcher !== null) this.native.pause(this.watcher, paused);
  }

  receive(): HostFrame | null | number {
    if (this.closed) return null;
    const n = this.native.recv(this.fd, this.scratch, this.meta);
    if (n < 0) return -n === 11 ? null : -n; // EAGAIN: nothing waiting
    // The scratch buffer is shared and reused: the frame gets its own copy.
    const got: HostFrame = { frame: Buffer.from(this.scratch.subarray(0, Math.min(n, this.scratch.length))), packetType: this.meta[1]! };
    if (this.meta[2]! > 0) got.time = this.meta[2]!;
    return got;
  }

  send(frame: Buffer): number {
    if (this.closed) return 9;
    return -this.native.send(this.fd, this.ifindex, frame);
  }

  takeDrops(): number {
    if (this.closed) return 0;
    return Math.max(0, this.native.drops(this.fd));
  }

  keepAlive(on: boolean): void {
    if (this.watcher !== null) this.native.ref(this.watcher, on);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.close(this.watcher, this.fd);
    this.watcher = null;
  }
}

let shared: CaptureHost | null | undefined;

/** The process's packet-socket host; null when the addon is not built or cannot load. */
export function packetSocketHost(): CaptureHost | null {
  if (shared !== undefined) return shared;
  const native = nativeAddon<Addon>();
  if (native === null) return (shared = null);
  // One receive buffer for every socket: frames are copied out of it at once.
  const scratch = Buffer.alloc(RECEIVE_SPAN);
  shared = {
    open(req: OpenRequest) {
      const m = req.monitor;
      const fd =
        m === undefined
          ? native.open(req.ifindex, req.ethertype, req.receiveBuffer, 0, null)
          : native.open(req.ifindex, ETH_P_ALL, req.receiveBuffer, OPEN_MONITOR | (m.promiscuous ? OPEN_PROMISC : 0), m.filter);
      if (fd < 0) return -fd;
      return new PacketSocket(native, fd, req.ifindex, scratch);
    },
    readPacketTable: () => readFile('/proc/net/packet', 'utf8').catch(() => null),
  };
  return shared;
}
