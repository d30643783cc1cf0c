// The seam between a link and the operating system: what a PacketLink needs
// from the kernel, and nothing more. The real host is a packet socket per
// interface (packet-socket.ts); tests hand in a scripted host and so drive
// link flaps, vanishing interfaces and socket errors without root.

/** Linux's sll_pkttype values (linux/if_packet.h). */
export const PacketType = { host: 0, broadcast: 1, multicast: 2, otherHost: 3, outgoing: 4 } as const;

/** errno values the link tells apart (Linux numbering). */
export const Errno = { EPERM: 1, ENXIO: 6, EAGAIN: 11, EACCES: 13, ENODEV: 19, ENETDOWN: 100 } as const;

export interface OpenRequest {
  ifindex: number;
  ethertype: number;
  /** bytes the kernel may queue for us (SO_RCVBUF) */
  receiveBuffer: number;
  /**
   * `sniff`: every EtherType in both directions (our own frames too) that the
   * filter passes, promiscuous or not, with the kernel's receive time and VLAN
   * tags put back into the frame; `ethertype` is then ignored.
   */
  monitor?: MonitorRequest;
  /** an endpoint socket's classic BPF program (quiet-filter.ts), attached before bind */
  filter?: Buffer;
  /** an endpoint socket whose frames carry the kernel's receive time (`time`), as a monitor's do */
  timestamps?: boolean;
  /**
   * an endpoint socket that nothing polls (a quiet socket: it wakes nobody): its watch
   * callback is called by the host's drainQuiet(), when the process is awake anyway.
   * Only for a host that has drainQuiet.
   */
  quiet?: boolean;
}

export interface MonitorRequest {
  /** a classic BPF program (struct sock_filter array: monitor-filter.ts) */
  filter: Buffer;
  promiscuous: boolean;
}

export interface HostFrame {
  frame: Buffer;
  /** a PacketType value */
  packetType: number;
  /** when the kernel received it, epoch seconds with µs (monitor sockets) */
  time?: number;
}

/** Where a socket hands the frames it reads (a PacketLink: no object or closure per frame). */
export interface FrameSink {
  /** one frame read; `frame` is the sink's own copy; `time`: see HostFrame */
  frame(frame: Buffer, packetType: number, time: number | undefined): void;
  /** a read failed with this errno (already cleared: the socket keeps listening) */
  failed(errno: number): void;
}

/** One socket bound to one interface and one EtherType. */
export interface CaptureSocket {
  /** its inode, the key of its row in the packet table */
  readonly inode: string;
  /** adds a multicast group to the interface for as long as the socket lives; 0 or an errno */
  join(group: string): number;
  /**
   * Calls `ready(0)` when frames are waiting and `ready(errno)` when the
   * socket reported an error (already cleared: the socket keeps listening).
   */
  watch(ready: (errno: number) => void): void;
  /**
   * true: stop watching (no wake-ups: frames wait in the kernel's receive
   * queue, and what does not fit is dropped and counted, see takeDrops);
   * false: watch again. receive() still reads while paused.
   */
  pause(paused: boolean): void;
  /**
   * Reads up to `max` waiting frames (the real host: in one system call) into
   * `sink`; true when it stopped at `max` (more may wait), false when the queue
   * is empty or a read failed (sink.failed).
   */
  receive(max: number, sink: FrameSink): boolean;
  /**
   * Sends the first `length` octets of `frame` (default: all of it), a whole
   * Ethernet frame, copied before it returns (the caller may reuse the buffer); 0 or an errno.
   */
  send(frame: Buffer, length?: number): number;
  /** frames the kernel dropped for want of room since the last call */
  takeDrops(): number;
  /** replaces the socket's filter in one step (each frame meets the old program or the new); 0 or an errno. Absent: the host cannot. */
  setFilter?(filter: Buffer): number;
  /** whether this socket alone keeps the process running (default: yes) */
  keepAlive(on: boolean): void;
  /** releases the socket (and with it its group memberships). Idempotent. */
  close(): void;
}

export interface CaptureHost {
  /** a new socket, or the errno the kernel refused it with */
  open(request: OpenRequest): CaptureSocket | number;
  /**
   * true: stop watching every endpoint (not monitor) socket at once, those
   * opened meanwhile included, as their pause(true) would, but in one call (the
   * real host watches them all through one poll); false: watch them again.
   */
  hold(held: boolean): void;
  /** the text of /proc/net/packet; null when it cannot be read */
  readPacketTable(): Promise<string | null>;
  /**
   * Calls the watch callback of every quiet socket that holds frames, now (the real
   * host: one epoll_wait of timeout 0 for all of them). Absent: the host has no quiet
   * sockets (an addon built before them, a scripted host that plays none).
   */
  drainQuiet?(): void;
}
