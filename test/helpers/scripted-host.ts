// A CaptureHost that plays the kernel for PacketLink without root: frames of
// each packet type arrive when a test says so, socket errors, the packet
// table, and (for monitor links) a receive queue of bounded size that keeps
// frames while the socket is paused and counts what does not fit, as a real
// socket's SO_RCVBUF does.
import type { CaptureHost, CaptureSocket, FrameSink, HostFrame, OpenRequest } from '../../src/io/capture-host.js';

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
    /** the host, whose hold stops every endpoint socket's poll (null: never held) */
    private readonly host: { readonly held: boolean; readonly filterLog: string[] } | null = null,
  ) {
    if (request.filter !== undefined) this.filters.push(request.filter);
  }
  /** whether its poll runs: not paused, not held with the host's other endpoint sockets, not a quiet socket (nothing polls those) */
  get watched(): boolean {
    return !this.paused && this.request.quiet !== true && !(this.request.monitor === undefined && this.host?.held === true);
  }
  /** the programs attached by setFilter, in order (the one given at open first) */
  readonly filters: Buffer[] = [];
  setFilter(filter: Buffer): number {
    this.filters.push(filter);
    this.host?.filterLog.push(this.request.quiet === true ? 'quiet' : 'main');
    return 0;
  }
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
  /** reads up to `max` frames as the real socket does (an errno queued stops the read and is reported) */
  receive(max: number, sink: FrameSink): boolean {
    this.receives++;
    for (let n = 0; n < max; n++) {
      const got = this.queue.shift();
      if (got === undefined) return false;
      if (typeof got === 'number') {
        sink.failed(got);
        return false;
      }
      this.queuedBytes -= got.frame.length + QUEUED_OVERHEAD;
      sink.frame(got.frame, got.packetType, got.time);
    }
    return true;
  }
  /** calls of receive (the real socket: one system call each) */
  receives = 0;
  send(frame: Buffer, length = frame.length): number {
    // a copy, as sendto makes: the caller may reuse its buffer
    if (this.sendErrno === 0) this.sent.push(Buffer.from(frame.subarray(0, length)));
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
  /** the poll fires (readable), unless paused or held; level-triggered: again on the next turn while frames wait */
  wake(): void {
    if (!this.watched || this.closed || this.ready === null) return;
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
  /** hold(true) was called: every endpoint socket's poll is stopped */
  held = false;
  /** calls of hold() that changed it (the real host: one epoll_ctl each) */
  holds = 0;
  /** which socket's program was replaced, in order ('quiet' or 'main') */
  readonly filterLog: string[] = [];
  /** calls of drainQuiet */
  drains = 0;
  /** the receive queue's bound for new sockets (octets); by default, none */
  constructor(private readonly capacity = Infinity) {}
  /** the quiet sockets that hold frames get their report now, as the real host's quiet set */
  drainQuiet(): void {
    this.drains++;
    for (const s of this.sockets) if (s.request.quiet === true && !s.closed && s.queue.length > 0) s.ready?.(0);
  }
  hold(held: boolean): void {
    if (this.held === held) return;
    this.held = held;
    this.holds++;
    // level-triggered: a socket with frames waiting fires again at once
    if (!held) for (const s of this.sockets) if (s.queue.length > 0) queueMicrotask(() => s.wake());
  }
  open(req: OpenRequest): CaptureSocket | number {
    if (this.refuse !== 0) return this.refuse;
    const s = new ScriptedSocket(String(1000 + this.sockets.length), req, this.capacity, this);
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
