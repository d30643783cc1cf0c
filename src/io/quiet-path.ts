// An endpoint link's quiet socket (issue 10; ARCHITECTURE.md "src/io: quiet
// sockets"): a second packet socket on the link that nothing polls. The kernel
// (quiet-filter.ts) hands it the frames the daemon expects every second and need
// not wake for, the open neighbours' KEEPALIVEs, and the main socket everything
// else. Its frames are read when the process is awake anyway (drain: the host's
// drainQuiet, or before the link's main socket is read, so a neighbour's frames
// keep their order), stamped with the kernel's receive time, and delivered through
// the link's one path like any other frame, marked late.
//
// Flood safety: only frames that claim an open neighbour's MAC and are exactly the
// KEEPALIVE can fill it. Its receive buffer holds several intervals of KEEPALIVEs
// from every neighbour; should a drain find that the kernel dropped frames from it
// anyway (someone floods with a neighbour's MAC), the link stops quieting for
// QUIET_BACKOFF seconds (counted): everything goes to the main socket, read at full
// rate by the read coalescer's rules, as without a quiet socket.
import type { CaptureHost, CaptureSocket, FrameSink, OpenRequest } from './capture-host.js';
import { FRAMES_PER_READ } from './read-coalescer.js';
import { quietFilters } from './quiet-filter.js';

/** Bytes the kernel may queue on a quiet socket (doubled by the kernel): hundreds of 60-octet frames. */
export const QUIET_RECEIVE_BUFFER = 256 * 1024;
/** Seconds a link whose quiet socket dropped frames reads everything on its main socket. */
export const QUIET_BACKOFF = 30;
/** Frames one drain reads from a quiet socket at most (the rest wait for the next drain). */
const DRAIN_MAX = 4 * FRAMES_PER_READ;
/** the filters with no neighbour: the main socket takes every frame */
const NONE = quietFilters({ ethertype: 0, prefix: new Uint8Array(0), peers: [] });

/** What the quiet path needs of its link. */
export interface QuietLink {
  readonly ifindex: number;
  readonly ethertype: number;
  /** the link's main socket now (a reopen replaces it) */
  readonly mainSocket: CaptureSocket;
  /** a frame read from the quiet socket: delivered as the link's own, `time` the kernel's */
  lateFrame(raw: Buffer, packetType: number, time: number | undefined): void;
}

export class QuietPath implements FrameSink {
  /** frames read from the quiet socket */
  frames = 0;
  /** times the link stopped quieting because the quiet socket dropped frames */
  backoffs = 0;
  /** frames the kernel dropped from the quiet socket, not yet taken into the link's stats */
  private dropped = 0;
  private socket: CaptureSocket | null = null;
  private peers: readonly string[] = [];
  private peerSet: ReadonlySet<string> = new Set();
  /** the neighbours the attached filters quiet */
  private applied: readonly string[] = [];
  private prefix: Uint8Array = new Uint8Array(0);
  /** the filters attached now quiet someone */
  private active = false;
  /** quieting stopped (the quiet socket dropped frames) until then, clock seconds */
  private resumeAt = -Infinity;
  /** setFilter failed: this link never quiets again */
  private broken = false;
  private draining = false;
  private closed = false;

  constructor(
    private readonly host: CaptureHost,
    private readonly link: QuietLink,
    private readonly now: () => number,
  ) {}

  /** The link's open neighbours now, and the payload prefix of their frames to quiet. */
  set(peers: readonly string[], prefix: Uint8Array): void {
    this.peers = [...peers];
    this.peerSet = new Set(this.peers);
    this.prefix = prefix;
    this.apply();
  }

  /** Whether frames to `dst` with this payload are answered on the quiet socket (our KEEPALIVE to a quieted neighbour). */
  covers(dst: string, payload: Buffer): boolean {
    const p = this.prefix;
    return this.active && this.peerSet.has(dst) && payload.length >= p.length && payload.compare(p, 0, p.length, 0, p.length) === 0;
  }

  /** Before the main socket is read: what waits on the quiet socket first (and quieting again after a back-off). */
  beforeMain(): void {
    if (!this.active && this.resumeAt !== -Infinity && this.now() >= this.resumeAt) {
      this.resumeAt = -Infinity;
      this.apply();
    }
    // (a quiet socket that stopped quieting may still hold frames from before: read them too)
    if (this.socket !== null) this.drain();
  }

  /** Reads what the quiet socket holds into the link; stops quieting when the kernel dropped some. */
  drain(): void {
    const socket = this.socket;
    if (socket === null || this.draining || this.closed) return;
    this.draining = true;
    let read = 0;
    try {
      while (read < DRAIN_MAX && socket === this.socket) {
        const before = this.frames;
        const more = socket.receive(FRAMES_PER_READ, this);
        read += this.frames - before;
        if (!more) break;
      }
    } finally {
      this.draining = false;
    }
    // A full queue is the only way to lose frames: a drain that found less than a read's
    // budget cannot have followed a drop (the buffer holds several times that).
    if (read < FRAMES_PER_READ || socket !== this.socket) return;
    const drops = socket.takeDrops();
    this.dropped += drops;
    if (drops > 0 && this.active) this.backOff();
  }

  /** @internal a frame of the quiet socket */
  frame(raw: Buffer, packetType: number, time: number | undefined): void {
    this.frames++;
    this.link.lateFrame(raw, packetType, time);
  }

  /** @internal a quiet socket's read failed (link down: the main socket reports it) */
  failed(): void {}

  /** frames the kernel dropped from the quiet socket since the last call */
  takeDrops(): number {
    const n = this.dropped + (this.socket?.takeDrops() ?? 0);
    this.dropped = 0;
    return n;
  }

  /** The main socket was replaced (reopened): the quiet one goes too, and both start again. */
  reopened(): void {
    this.drain(); // what it holds is the neighbours' KEEPALIVEs: taken, not thrown away
    this.closeSocket();
    this.applied = [];
    this.active = false;
    this.apply();
  }

  close(): void {
    if (this.closed) return;
    this.closeSocket();
    this.closed = true;
  }

  private backOff(): void {
    this.backoffs++;
    this.resumeAt = this.now() + QUIET_BACKOFF;
    this.apply();
  }

  /** Attaches the filters for the neighbours now (or none): the quiet socket takes before the main one lets go, so no frame is lost in between. */
  private apply(): void {
    if (this.closed || this.broken) return;
    const quieting = this.peers.length > 0 && this.prefix.length > 0 && this.resumeAt === -Infinity;
    if (!quieting && !this.active) return;
    const f = quieting ? quietFilters({ ethertype: this.link.ethertype, prefix: this.prefix, peers: this.peers }) : NONE;
    const main = this.link.mainSocket;
    if (quieting) {
      if (this.socket === null) {
        const opened = this.host.open(this.request(f.quiet));
        if (typeof opened === 'number') return this.giveUp();
        this.socket = opened;
        opened.watch((errno) => errno === 0 && this.drain());
        if (main.setFilter?.(f.main) !== 0) return this.giveUp();
      } else {
        // The quiet socket takes a new neighbour before the main one lets it go; the main
        // socket takes back a neighbour no longer open before the quiet one lets it go: a
        // frame in between may reach both sockets (a KEEPALIVE twice is harmless), never neither.
        // One change that does both goes through the union: the quiet socket takes old and
        // new neighbours, then the main socket changes, then the quiet socket narrows (past
        // QUIET_MAX_PEERS the new ones come first in the union: a leaving one beyond the cap
        // may then be refused by both for the microseconds of the change).
        const leaving = this.applied.some((mac) => !this.peerSet.has(mac));
        const joining = this.peers.some((mac) => !this.applied.includes(mac));
        const steps: Array<[CaptureSocket, Buffer]> = [];
        if (joining && leaving) {
          const union = [...this.peers, ...this.applied.filter((mac) => !this.peerSet.has(mac))];
          steps.push([this.socket, quietFilters({ ethertype: this.link.ethertype, prefix: this.prefix, peers: union }).quiet]);
        }
        if (leaving) steps.push([main, f.main], [this.socket, f.quiet]);
        else steps.push([this.socket, f.quiet], [main, f.main]);
        for (const [socket, program] of steps) if (socket.setFilter?.(program) !== 0) return this.giveUp();
      }
      this.applied = this.peers;
      this.active = true;
      return;
    }
    // stop quieting: the main socket takes everything again, then the quiet one lets go and is emptied
    main.setFilter?.(f.main);
    this.socket?.setFilter?.(f.quiet);
    this.applied = [];
    this.active = false;
    this.drain();
  }

  private request(filter: Buffer): OpenRequest {
    return { ifindex: this.link.ifindex, ethertype: this.link.ethertype, receiveBuffer: QUIET_RECEIVE_BUFFER, filter, timestamps: true, quiet: true };
  }

  /** The kernel refused a socket or a filter: everything on the main socket, for good. */
  private giveUp(): void {
    this.link.mainSocket.setFilter?.(NONE.main);
    this.drain();
    this.closeSocket();
    this.applied = [];
    this.active = false;
    this.broken = true;
  }

  private closeSocket(): void {
    const s = this.socket;
    if (s === null) return;
    this.dropped += s.takeDrops();
    this.socket = null;
    s.close();
  }
}
