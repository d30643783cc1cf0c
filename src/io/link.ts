// The one way the rest of lsoe sends and receives raw Ethernet frames
// (ARCHITECTURE.md, src/io). The daemon, `sniff` and `hello` see only this
// interface; libpcap (pcap-link.ts) and an in-memory wire for tests
// (memory-link.ts) implement it.
import { buildEthernet } from '../proto/ethernet.js';

/** An LSOE-bearing frame as it came off the wire. */
export interface ReceivedFrame {
  ifname: string;
  /** capture time, epoch seconds with microseconds */
  time: number;
  /** aa:bb:cc:dd:ee:ff */
  dst: string;
  src: string;
  ethertype: number;
  /**
   * Read late, from a socket nothing polls (an open neighbour's KEEPALIVE on a quiet
   * socket): `time` is when the kernel received it, and the receiver should take that
   * as its arrival (a later reading of its clock is not). False or absent on other frames.
   */
  late?: boolean;
  /** VLAN IDs of the tags the frame carried, outermost first (monitor captures; absent: none seen) */
  vlan?: number[];
  /** the octets after the EtherType (VLAN tags skipped), Ethernet padding included */
  payload: Buffer;
  /**
   * The whole frame as captured (Ethernet header, tags and padding), for
   * capture writers (`sniff -w`) and stream decoders that take Ethernet frames.
   * Present on frames from a real link; a memory link builds it.
   */
  raw?: Buffer;
}

export interface LinkStats {
  /** frames handed to onFrame handlers */
  received: number;
  /** frames the kernel dropped because we did not read fast enough */
  dropped: number;
  /** frames the interface or driver dropped (not every driver counts these) */
  ifDropped: number;
  /** frames read late from the quiet socket (packet-socket links; absent elsewhere) */
  quiet?: number;
  /** times the link stopped quieting for a while because its quiet socket dropped frames */
  quietBackoffs?: number;
}

export interface Link {
  readonly ifname: string;
  /** our MAC on this link: the source of what we send */
  readonly mac: string;
  readonly ethertype: number;
  /**
   * Sends one frame to `dst` (builds the Ethernet header, pads to the 60-octet
   * minimum). Never throws: a failure (link down, link gone, closed) is
   * reported through onError.
   */
  send(dst: string, payload: Buffer): void;
  /** Frames for us; our own transmitted frames never come back. */
  onFrame(handler: (frame: ReceivedFrame) => void): void;
  /** Failures; see LinkError. Never throws. */
  onError(handler: (error: LinkError) => void): void;
  stats(): LinkStats;
  /**
   * The link's open neighbours (the daemon, whenever a session opens or closes): their
   * frames whose payload begins with `prefix` may be read late, without a wake-up of their
   * own, and delivered with `late` and their arrival time. Optional: links that cannot
   * (libpcap, memory links) have none and deliver those frames as any other.
   */
  quietPeers?(peers: readonly string[], prefix: Uint8Array): void;
  /** Stops delivery at once. Idempotent. */
  close(): void;
}

/**
 * A link that can stop reading while its consumer is behind (a packet-socket
 * monitor, `sniff`): the kernel holds the frames meanwhile, up to its receive
 * buffer, and counts what it drops (stats().dropped). libpcap links cannot.
 */
export interface PausableLink extends Link {
  /** true: stop reading (no wake-ups); false: read again */
  pause(paused: boolean): void;
  /** true while frames may be waiting in the kernel: paused, or the last read left some */
  readonly behind: boolean;
  /** reads (and delivers) up to `max` waiting frames, paused or not; true when more may wait */
  readQueued(max: number): boolean;
}

export function canPause(link: Link): link is PausableLink {
  return typeof (link as Partial<PausableLink>).pause === 'function' && typeof (link as Partial<PausableLink>).readQueued === 'function';
}

export type LinkErrorCode =
  /** no interface of that name (when opening) */
  | 'no-such-interface'
  /** not root and no CAP_NET_RAW (when opening) */
  | 'permission'
  /** libpcap refused for another reason (when opening) */
  | 'open-failed'
  /** the interface disappeared: the link is dead and closed */
  | 'vanished'
  /**
   * the interface is down: fatal when opening; later, a notice (not fatal)
   * that frames are neither sent nor received until it comes back up
   */
  | 'link-down'
  /** one frame could not be sent (link down, closed); the link lives on */
  | 'send-failed'
  /** an onFrame handler threw; caught so that libpcap's callback never crashes the process */
  | 'handler-failed';

/** The one error type of src/io links. `fatal`: the link is closed and will deliver nothing more. */
export class LinkError extends Error {
  override readonly name = 'LinkError';
  constructor(
    readonly code: LinkErrorCode,
    message: string,
    readonly ifname: string,
    readonly fatal: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Shortest Ethernet frame without FCS; real NICs pad to it, so we do too. */
export const MIN_ETHERNET_FRAME = 60;

/** Octets of the padded frame that carries `payloadLength` octets. */
export function paddedFrameLength(payloadLength: number): number {
  return Math.max(MIN_ETHERNET_FRAME, 14 + payloadLength);
}

/**
 * The Ethernet frame for `payload`, padded to the 60-octet minimum as a NIC
 * would pad it: a new buffer, or written at the start of `into` (which must
 * hold paddedFrameLength octets). Throws what buildEthernet throws for a bad MAC.
 */
export function paddedEthernetFrame(dst: string, src: string, ethertype: number, payload: Buffer, into?: Buffer): Buffer {
  return buildEthernet(dst, src, ethertype, payload, MIN_ETHERNET_FRAME, into);
}

/** True for group (multicast and broadcast) MAC addresses: the I/G bit of the first octet. */
export function isGroupMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

/**
 * Hands `err` to every error handler (a throwing handler is ignored). With no
 * handler, a failing frame handler (a bug) is rethrown outside the capture
 * callback so it is seen; other errors have nobody to tell and are dropped.
 */
export function dispatchLinkError(handlers: ReadonlyArray<(e: LinkError) => void>, err: LinkError): void {
  if (handlers.length === 0) {
    if (err.code === 'handler-failed') {
      queueMicrotask(() => {
        throw err.cause ?? err;
      });
    }
    return;
  }
  for (const h of handlers) {
    try {
      h(err);
    } catch {
      // an error handler that throws must not take the link down with it
    }
  }
}

/**
 * The padded frame a link sends for `payload` (in `into` when given, see
 * paddedEthernetFrame), or null after reporting a 'send-failed' error through
 * `emit` (a bad destination MAC, a closed link: `refused` says why it may not
 * send). Shared by every Link.
 */
export function frameToSend(
  link: Pick<Link, 'ifname' | 'mac' | 'ethertype'>,
  dst: string,
  payload: Buffer,
  refused: string | null,
  emit: (e: LinkError) => void,
  into?: Buffer,
): Buffer | null {
  if (refused !== null) {
    emit(new LinkError('send-failed', `${link.ifname}: frame to ${dst} not sent: ${refused}`, link.ifname, false));
    return null;
  }
  try {
    return paddedEthernetFrame(dst, link.mac, link.ethertype, payload, into);
  } catch (err) {
    emit(new LinkError('send-failed', `${link.ifname}: ${(err as Error).message}`, link.ifname, false, { cause: err }));
    return null;
  }
}

/** Hands `frame` to every handler; one that throws becomes a 'handler-failed' error, never a crash. */
export function deliverFrame(handlers: ReadonlyArray<(f: ReceivedFrame) => void>, frame: ReceivedFrame, emit: (e: LinkError) => void): void {
  for (const h of handlers) {
    try {
      h(frame);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      emit(new LinkError('handler-failed', `${frame.ifname}: frame handler failed: ${text}`, frame.ifname, false, { cause: err }));
    }
  }
}
