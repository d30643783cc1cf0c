// The real CaptureHost: one Linux packet socket per interface, through our
// small Node-API addon (native/packet_socket.c, built by scripts/build-native).
// Loaded on first use; null when it is not built (callers fall back to libpcap).
import { fstatSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { packageRoot } from '../package-root.js';
import { parseMac } from '../proto/ethernet.js';
import type { CaptureHost, CaptureSocket, HostFrame, OpenRequest } from './capture-host.js';

interface Addon {
  open(ifindex: number, ethertype: number, rcvbuf: number): number;
  join(fd: number, ifindex: number, mac: Buffer): number;
  recv(fd: number, buf: Buffer, meta: Int32Array): number;
  send(fd: number, ifindex: number, frame: Buffer): number;
  drops(fd: number): number;
  watch(fd: number, cb: (errno: number) => void): object | number;
  ref(watcher: object, on: boolean): void;
  close(watcher: object | null, fd: number): void;
}

/** The addon's path in this installation (native/build beside dist/). */
function addonPath(): string {
  return path.join(packageRoot(import.meta.url), 'native/build/packet_socket.node');
}

let addon: Addon | null | undefined;

function loadAddon(): Addon | null {
  if (addon !== undefined) return addon;
  try {
    addon = createRequire(import.meta.url)(addonPath()) as Addon;
  } catch {
    addon = null;
  }
  return addon;
}

/** Bytes of one received frame we keep: a jumbo frame and its tags (longer ones are cut, then dropped). */
const RECEIVE_SPAN = 9216 + 22;

class PacketSocket implements CaptureSocket {
  readonly inode: string;
  private watcher: object | null = null;
  private closed = false;
  private readonly meta = new Int32Array(2);

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
  }

  receive(): HostFrame | null | number {
    if (this.closed) return null;
    const n = this.native.recv(this.fd, this.scratch, this.meta);
    if (n < 0) return -n === 11 ? null : -n; // EAGAIN: nothing waiting
    // The scratch buffer is shared and reused: the frame gets its own copy.
    return { frame: Buffer.from(this.scratch.subarray(0, Math.min(n, this.scratch.length))), packetType: this.meta[1]! };
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
  const native = loadAddon();
  if (native === null) return (shared = null);
  // One receive buffer for every socket: frames are copied out of it at once.
  const scratch = Buffer.alloc(RECEIVE_SPAN);
  shared = {
    open(req: OpenRequest) {
      const fd = native.open(req.ifindex, req.ethertype, req.receiveBuffer);
      if (fd < 0) return -fd;
      return new PacketSocket(native, fd, req.ifindex, scratch);
    },
    readPacketTable: () => readFile('/proc/net/packet', 'utf8').catch(() => null),
  };
  return shared;
}
