// A CaptureHost that plays the kernel for PacketLink without root: frames of
// each packet type arrive when a test says so, socket errors, the packet
// table, and (for monitor links) a receive queue of bounded size that keeps
// frames while the socket is paused and counts what does not fit, as a real
// socket's SO_RCVBUF does.
import type { CaptureHost, CaptureSocket, HostFrame, OpenRequest } from '../../src/io/capture-host.js';

/** What a queued frame costs against the capacity besides its octets (the kernel's bookkeeping, roughly). */
export const QUEUED_OVERHEAD = 256;

export class ScriptedSocket implements CaptureSocket {
  readonly queue: Array<HostFrame | number> = [];
  readonly sent: Buffer[] = [];
  readonly groups: string[] = [];
  ready: ((errno: number) => void) | null = null;
  closed = false;
  paused = false;
  sendErrno = 0;
  /** times the poll fired (readable): the process's wake-ups for this socket */
  wakes = 0;
  /** octets queued (frames + QUEUED_OVERHEAD each) and dropped frames not yet taken */
  private queuedBytes = 0;
  private drops = 0;
  constructor(
    readonly inode: string,
    readonly request: OpenRequest,
    /** octets the queue may hold (Infinity: no bound) */
    private readonly capacity = Infinity,
  ) {}
  join(group: string): number {
    this.groups.push(group);
    return 0;
  }
  watch(ready: (errno: number) => void): void {
    this.ready = ready;
  }
  pause(paused: boolean): void {
    this.paused = paused;
    // a level-triggered poll fires again at once when frames are waiting
    if (!paused && this.queue.length > 0) queueMicrotask(() => this.wake());
  }
  receive(): HostFrame | null | number {
    const got = this.queue.shift() ?? null;
    if (got !== null && typeof got !== 'number') this.queuedBytes -= got.frame.length + QUEUED_OVERHEAD;
    return got;
  }
  send(frame: Buffer): number {
    if (this.sendErrno === 0) this.sent.push(frame);
    return this.sendErrno;
  }
  takeDrops(): number {
    const n = this.drops;
    this.drops = 0;
    return n;
  }
  keepAlive(): void {}
  close(): void {
    this.closed = true;
  }
  /** a frame arrives and, unless paused, the poll fires; false when the queue was full (dropped, counted) */
  arrive(frame: Buffer, packetType: number, time?: number): boolean {
    const cost = frame.length + QUEUED_OVERHEAD;
    if (this.queuedBytes + cost > this.capacity) {
      this.drops++;
      return false;
    }
    this.queuedBytes += cost;
    this.queue.push(time === undefined ? { frame, packetType } : { frame, packetType, time });
    this.wake();
    return true;
  }
  /** the poll fires (readable), unless paused; level-triggered: again on the next turn while frames wait */
  wake(): void {
    if (this.paused || this.closed || this.ready === null) return;
    this.wakes++;
    this.ready(0);
    if (this.queue.length > 0 && !this.waking) {
      this.waking = true;
      setImmediate(() => {
        this.waking = false;
        // (read meanwhile: a level-triggered poll no longer fires)
        if (this.queue.length > 0) this.wake();
      });
    }
  }
  private waking = false;
}

export class ScriptedHost implements CaptureHost {
  readonly sockets: ScriptedSocket[] = [];
  /** inode → [ifindex, running]; absent: not in the table */
  readonly rows = new Map<string, [number, boolean]>();
  tableReads = 0;
  refuse = 0;
  /** the receive queue's bound for new sockets (octets); by default, none */
  constructor(private readonly capacity = Infinity) {}
  open(req: OpenRequest): CaptureSocket | number {
    if (this.refuse !== 0) return this.refuse;
    const s = new ScriptedSocket(String(1000 + this.sockets.length), req, this.capacity);
    this.sockets.push(s);
    this.rows.set(s.inode, [req.ifindex, true]);
    return s;
  }
  async readPacketTable(): Promise<string | null> {
    this.tableReads++;
    const lines = ['sk RefCnt Type Proto Iface R Rmem User Inode'];
    for (const [inode, [ifindex, running]] of this.rows) lines.push(`0 3 3 88b5 ${ifindex} ${running ? 1 : 0} 0 0 ${inode}`);
    return lines.join('\n');
  }
}
