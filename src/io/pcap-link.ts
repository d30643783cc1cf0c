// The Link over libpcap (node-pcap 3.1). What node-pcap does, read from its
// source and seen on veth pairs, and what we do about it:
// - buffer_timeout 0 turns on pcap_set_immediate_mode: each frame is handed
//   over as it arrives (LSOE is low volume and timing matters), not batched.
// - The capture buffer it hands us is reused for every packet: we copy.
// - A JS exception thrown inside its packet callback is a fatal exception of
//   the process: handlers run inside try/catch and become LinkErrors.
// - libpcap warnings (e.g. "no IPv4 address assigned") go to a global
//   pcap.warningHandler that prints with console.warn: we replace it and keep
//   the text in `warnings`.
// - It has no pcap_setdirection: a BPF filter drops our own frames instead
//   (`not ether src <our MAC>`), and unicast frames for other stations.
// - libpcap refuses to open an interface that is down.
// - When the interface goes down, the socket reports POLLERR and libuv stops
//   polling it for good (node-pcap cannot restart the poll): the capture goes
//   deaf without a word, even after the link comes back. We notice, retire
//   that capture and open a new one once the interface is up again; the Link
//   object and its handlers live on. How we notice, kept off the path that
//   reads frames (a /proc/net/packet read per wake-up cost kernel drops under
//   load): a wake-up that reads nothing is the poll's last one (we then read
//   /proc/net/packet once); the health check reads /proc/net/packet
//   asynchronously (one read shared by every link of the process) for a socket
//   that is not running; and, for a down-and-up quicker than a check whose
//   last wake-up also carried frames, it compares the kernel's count of queued
//   frames with ours: frames queued a whole interval ago and still unread
//   mean the poll has stopped. An interface that is deleted shows as unbound
//   (Iface -1): a fatal 'vanished' error.
// - close() only calls pcap_breakloop; libpcap frees the socket when the next
//   captured frame is read. Retired captures go into one process-wide set that
//   a shared timer keeps reading (each second, only while the set is not empty)
//   until that happens, also after their link was closed: a closed link's
//   capture must not live on (that leaked a socket and a ring per link flap). A capture whose poll is alive keeps the event loop
//   alive until then: commands end with process.exit().
//
// Multicast: HELLO goes to 01:80:c2:00:00:0e. A real NIC drops multicast it has
// not joined, and node-pcap cannot add a PACKET_ADD_MEMBERSHIP. We open in
// promiscuous mode (libpcap's PACKET_MR_PROMISC membership, reference-counted
// by the kernel and released when the socket closes, even on a crash) rather
// than `ip maddr add`, which would change the interface for good. The BPF
// filter runs in the kernel, so the extra traffic never reaches us.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { DEFAULT_ETHERTYPE, parseEthernet } from '../proto/ethernet.js';
import { getInterface, InterfaceError } from './interfaces.js';
import { parsePacketTable } from './packet-table.js';
import { dispatchLinkError, LinkError, deliverFrame, frameToSend, type Link, type LinkStats, type ReceivedFrame } from './link.js';

export interface PcapLinkOptions {
  ifname: string;
  /** default 0x88b5 */
  ethertype?: number;
  /**
   * 'endpoint' (default): only frames for us (our MAC or a group address), never
   * our own; what the daemon and `hello` use. 'monitor': every frame of the
   * EtherType in either direction, 802.1Q-tagged ones too; what `sniff` uses.
   */
  mode?: 'endpoint' | 'monitor';
  /** monitor mode: further EtherTypes to capture besides `ethertype` (sniff --ethertype 0x88b5,0x8885) */
  moreEthertypes?: number[];
  /** monitor mode: only frames received ('in') or sent ('out') on the interface (sniff -Q); default both */
  direction?: 'in' | 'out' | 'inout';
  /** default true: see the note on multicast at the top of this file */
  promiscuous?: boolean;
  /** kernel capture buffer in bytes (default 8 MiB) */
  bufferSize?: number;
  /** open an interface that is down and start receiving when it comes up (default: 'link-down' error) */
  allowDown?: boolean;
  /** milliseconds between health checks (vanished? down? back up?) (default 1000) */
  checkInterval?: number;
}

/** The subset of node-pcap's session we use (its typings omit the internals). */
interface PcapSession {
  buf: Buffer;
  header: Buffer;
  session: { dispatch(buf: Buffer, header: Buffer): number; read_callback: () => void };
  on(event: 'packet', listener: (raw: { buf: Buffer; header: Buffer }) => void): void;
  inject(data: Buffer): void;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
  close(): void;
}

interface PcapModule {
  createSession(device: string, options: Record<string, unknown>): PcapSession;
  warningHandler: (text: string) => unknown;
}

/** One libpcap capture; a PcapLink replaces it when the link flaps. */
interface Capture {
  session: PcapSession;
  /** the packet socket's inode, to find it in /proc/net/packet (null: unknown) */
  inode: string | null;
  /** libpcap has freed the handle: never call dispatch again */
  finalized: boolean;
  /** frames libpcap handed over from this capture */
  read: number;
  /** what the last two health checks saw, oldest first (for pollStalled) */
  checks: CaptureCount[];
}

/** At one health check: frames the kernel queued for a capture (not dropped), and frames we read. */
export interface CaptureCount {
  queued: number;
  read: number;
}

/**
 * True when the poll of a capture has stopped although the interface is up:
 * frames were queued between the two checks before `now` and nothing at all
 * was read since the older one. A live poll reads a queued frame within the
 * same turn of the event loop, long before the next check; comparing changes
 * (not totals) ignores what libpcap discards on its own when it opens.
 */
export function pollStalled(older: CaptureCount, previous: CaptureCount, now: CaptureCount): boolean {
  return previous.queued > older.queued && now.read === older.read;
}

/** The BPF filter for a mode (exported for tests and `sniff -v`). */
export function captureFilter(
  mode: 'endpoint' | 'monitor',
  ethertype: number,
  mac: string,
  monitor: { moreEthertypes?: readonly number[]; direction?: 'in' | 'out' | 'inout' } = {},
): string {
  const proto = `ether proto 0x${ethertype.toString(16).padStart(4, '0')}`;
  if (mode === 'monitor') {
    const more = monitor.moreEthertypes ?? [];
    const protos = more.length === 0 ? proto : `(${[ethertype, ...more].map((e) => `ether proto 0x${e.toString(16).padStart(4, '0')}`).join(' or ')})`;
    // `vlan` shifts the offsets of what follows it, so it comes last.
    const both = `${protos} or (vlan and ${protos})`;
    // By the source MAC: libpcap's `inbound`/`outbound` keywords (the kernel's packet
    // type) let frames sent through another packet socket pass as inbound (seen on veth),
    // and node-pcap has no pcap_setdirection. What this host sends carries its MAC.
    if (monitor.direction === 'in') return `(${both}) and not ether src ${mac}`;
    if (monitor.direction === 'out') return `(${both}) and ether src ${mac}`;
    return both;
  }
  return `${proto} and not ether src ${mac} and (ether dst ${mac} or ether multicast)`;
}

/** Maps libpcap's open error text to our codes. */
export function classifyOpenError(text: string): 'no-such-interface' | 'permission' | 'link-down' | 'open-failed' {
  if (/permission|not permitted/i.test(text)) return 'permission';
  if (/no such device|doesn't exist|does not exist/i.test(text)) return 'no-such-interface';
  if (/not up/i.test(text)) return 'link-down';
  return 'open-failed';
}

/** What /proc/net/packet says about a packet socket. */
export type SocketState = 'running' | 'down' | 'gone' | 'unknown';

/**
 * Reads a /proc/net/packet table (columns: sk RefCnt Type Proto Iface R Rmem
 * User Inode): 'gone' when the socket is missing or unbound (its interface was
 * deleted), 'down' when bound but not running (interface down).
 */
export function socketState(table: string, inode: string): SocketState {
  const row = parsePacketTable(table).get(inode);
  if (row === undefined || row.ifindex === -1) return 'gone';
  return row.running ? 'running' : 'down';
}

let tableRead: Promise<string | null> | null = null;

/**
 * /proc/net/packet, read without blocking; the health checks of every link
 * that ask while a read is under way share it (null: cannot be read).
 */
function readPacketTable(): Promise<string | null> {
  tableRead ??= readFile('/proc/net/packet', 'utf8').then(
    (text) => {
      tableRead = null;
      return text;
    },
    () => {
      tableRead = null;
      return null;
    },
  );
  return tableRead;
}

let pcapModule: PcapModule | null = null;

async function loadPcap(ifname: string): Promise<PcapModule> {
  if (pcapModule) return pcapModule;
  try {
    const mod = (await import('pcap')) as unknown as { default?: PcapModule } & PcapModule;
    pcapModule = mod.default ?? mod;
  } catch (err) {
    throw new LinkError('open-failed', `libpcap binding (node-pcap) cannot be loaded: ${(err as Error).message.split('\n')[0]}`, ifname, true);
  }
  return pcapModule;
}

/**
 * Bytes kept of each frame: a jumbo frame and its tags. LSOE frames fit in a
 * 1500 MTU; a smaller snap length also packs more frames into libpcap's ring.
 */
const SNAP_LENGTH = 9216 + 22;

const readHeader = endianness() === 'LE' ? (b: Buffer, o: number) => b.readUInt32LE(o) : (b: Buffer, o: number) => b.readUInt32BE(o);

/**
 * Opens `options.ifname`. Rejects with a LinkError: 'no-such-interface',
 * 'permission', 'link-down' (unless allowDown), 'open-failed'.
 */
export async function openPcapLink(options: PcapLinkOptions): Promise<PcapLink> {
  const { ifname } = options;
  let iface;
  try {
    iface = await getInterface(ifname);
  } catch (err) {
    throw new LinkError('open-failed', `${ifname}: ${(err as InterfaceError).message}`, ifname, true);
  }
  if (iface === undefined) throw new LinkError('no-such-interface', `${ifname}: no such interface`, ifname, true);
  if (iface.mac === null) {
    throw new LinkError('open-failed', `${ifname}: not an Ethernet interface (link type ${iface.linkType})`, ifname, true);
  }
  const pcap = await loadPcap(ifname);
  const link = new PcapLink(pcap, {
    ifname,
    index: iface.index,
    mac: iface.mac,
    ethertype: options.ethertype ?? DEFAULT_ETHERTYPE,
    mode: options.mode ?? 'endpoint',
    moreEthertypes: options.moreEthertypes ?? [],
    direction: options.direction ?? 'inout',
    promiscuous: options.promiscuous ?? true,
    bufferSize: options.bufferSize ?? 8 * 1024 * 1024,
    checkInterval: options.checkInterval ?? 1000,
  });
  const err = link.start();
  if (err !== null && !(err.code === 'link-down' && options.allowDown)) {
    link.close();
    throw err;
  }
  return link;
}

interface PcapLinkInit {
  ifname: string;
  index: number;
  mac: string;
  ethertype: number;
  mode: 'endpoint' | 'monitor';
  moreEthertypes: number[];
  direction: 'in' | 'out' | 'inout';
  promiscuous: boolean;
  bufferSize: number;
  checkInterval: number;
}

export class PcapLink implements Link {
  readonly ifname: string;
  readonly index: number;
  readonly mac: string;
  readonly ethertype: number;
  readonly mode: 'endpoint' | 'monitor';
  /** EtherTypes delivered besides `ethertype` (monitor mode) */
  private readonly moreEthertypes: ReadonlySet<number>;
  /** libpcap's warnings while opening (kept, never printed) */
  readonly warnings: string[] = [];
  private readonly frameHandlers: Array<(f: ReceivedFrame) => void> = [];
  private readonly errorHandlers: Array<(e: LinkError) => void> = [];
  private active: Capture | null = null;
  private received = 0;
  /** kernel drop counters of retired captures */
  private droppedBefore = { dropped: 0, ifDropped: 0 };
  private lastActive = { dropped: 0, ifDropped: 0 };
  private closed = false;
  /** a health check is waiting for /proc/net/packet */
  private checking = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pcap: PcapModule,
    private readonly init: PcapLinkInit,
  ) {
    this.ifname = init.ifname;
    this.index = init.index;
    this.mac = init.mac;
    this.ethertype = init.ethertype;
    this.mode = init.mode;
    this.moreEthertypes = new Set(init.moreEthertypes);
    this.timer = setInterval(() => void this.check(), init.checkInterval);
    this.timer.unref();
  }

  /** @internal Opens a capture; returns the LinkError when libpcap refuses. */
  start(): LinkError | null {
    const { ifname } = this;
    this.pcap.warningHandler = (text: string) => {
      if (!this.warnings.includes(String(text))) this.warnings.push(String(text));
    };
    const before = socketInodes();
    let session: PcapSession;
    try {
      session = this.pcap.createSession(ifname, {
        filter: captureFilter(this.mode, this.ethertype, this.mac, this.init),
        promiscuous: this.init.promiscuous,
        buffer_size: this.init.bufferSize,
        buffer_timeout: 0,
        snap_length: SNAP_LENGTH,
      });
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      const code = classifyOpenError(text);
      return new LinkError(code, code === 'link-down' ? `${ifname}: interface is down` : `${ifname}: ${text}`, ifname, true);
    }
    const opened = [...socketInodes()].filter((s) => !before.has(s));
    // Several new sockets (another thread opened one) would make the checks ambiguous.
    const capture: Capture = { session, inode: opened.length === 1 ? opened[0]! : null, finalized: false, read: 0, checks: [] };
    session.on('packet', (raw) => {
      capture.read++;
      this.onPacket(raw.buf, raw.header);
    });
    // Our reader replaces node-pcap's: it learns when libpcap freed the handle
    // (dispatch -2 after close; dispatching after that would touch freed memory)
    // and it notices when the poll was stopped by a link going down.
    const inner = session.session;
    // Every read (node-pcap's first one too) goes through this guard.
    const nativeDispatch = inner.dispatch.bind(inner);
    inner.dispatch = (buf: Buffer, header: Buffer): number => {
      if (capture.finalized) return -2;
      const n = nativeDispatch(buf, header);
      if (n === -2) capture.finalized = true;
      return n;
    };
    inner.read_callback = () => {
      // node-pcap's dispatch returns the last pcap_dispatch result (0 once the
      // ring is empty), not how many were read: count the packets instead.
      // This is the hot path: no file reads here (see the top of this file).
      const before = capture.read;
      inner.dispatch(session.buf, session.header);
      // Nothing read on a wake-up: the poll saw an error and has stopped.
      if (capture === this.active && capture.read === before) this.lost(capture, this.stateOf(capture));
    };
    this.active = capture;
    return null;
  }

  send(dst: string, payload: Buffer): void {
    const capture = this.active;
    const refused = capture !== null ? null : this.closed ? 'the link is closed' : 'the link is down';
    const frame = frameToSend(this, dst, payload, refused, (e) => this.emitError(e));
    if (frame === null || capture === null) return;
    try {
      capture.session.inject(frame);
    } catch (err) {
      this.emitError(
        new LinkError('send-failed', `${this.ifname}: frame to ${dst} not sent (is the link up?)`, this.ifname, false, { cause: err }),
      );
      // Down or gone: find out now rather than at the next check.
      void this.check();
    }
  }

  onFrame(handler: (frame: ReceivedFrame) => void): void {
    this.frameHandlers.push(handler);
  }

  onError(handler: (error: LinkError) => void): void {
    this.errorHandlers.push(handler);
  }

  /** True while frames can flow (false while the interface is down, or after close). */
  get up(): boolean {
    return this.active !== null;
  }

  /** The interface index (as a MonitorLink has it). */
  get ifindex(): number {
    return this.index;
  }

  stats(): LinkStats {
    if (this.active !== null) {
      try {
        const s = this.active.session.stats();
        this.lastActive = { dropped: s.ps_drop, ifDropped: s.ps_ifdrop };
      } catch {
        // handle already released: keep the last numbers
      }
    }
    return {
      received: this.received,
      dropped: this.droppedBefore.dropped + this.lastActive.dropped,
      ifDropped: this.droppedBefore.ifDropped + this.lastActive.ifDropped,
    };
  }

  close(): void {
    if (this.closed) return;
    if (this.active !== null) this.retire(this.active);
    this.closed = true;
    clearInterval(this.timer);
  }

  private onPacket(buf: Buffer, header: Buffer): void {
    if (this.closed) return;
    const caplen = readHeader(header, 8);
    const time = readHeader(header, 0) + readHeader(header, 4) / 1e6;
    const raw = Buffer.from(buf.subarray(0, Math.min(caplen, buf.length)));
    let eth;
    try {
      eth = parseEthernet(raw);
    } catch {
      return; // shorter than an Ethernet header: the filter makes this impossible
    }
    // `vlan and ether proto` in monitor mode can match an inner EtherType we do not want.
    if (eth.ethertype !== this.ethertype && !this.moreEthertypes.has(eth.ethertype)) return;
    this.received++;
    const frame: ReceivedFrame = { ifname: this.ifname, time, dst: eth.dst, src: eth.src, ethertype: eth.ethertype, payload: eth.payload, raw };
    if (eth.vlanTags.length > 0) frame.vlan = eth.vlanTags;
    deliverFrame(this.frameHandlers, frame, (e) => this.emitError(e));
  }

  /** The periodic health check: vanished? went down? poll stopped? back up? */
  private async check(): Promise<void> {
    if (this.closed || this.checking) return;
    const capture = this.active;
    if (capture !== null) {
      const stalled = this.countCheck(capture);
      let state: SocketState = 'unknown';
      if (capture.inode !== null) {
        this.checking = true;
        const table = await readPacketTable();
        this.checking = false;
        // Closed, or already replaced by a wake-up that read nothing, meanwhile.
        if (this.closed || capture !== this.active) return;
        if (table !== null) state = socketState(table, capture.inode);
      }
      if (state === 'down' || state === 'gone' || stalled) this.lost(capture, state);
      return;
    }
    // Down: try to capture again; libpcap says whether it is up, gone, or still down.
    const err = this.start();
    if (err === null) {
      if (this.stateOf(this.active!) === 'gone' || this.boundIndex(this.active!) !== this.index) {
        // A different interface now carries the name: ours is gone.
        this.vanish();
      }
      return;
    }
    if (err.code === 'no-such-interface') this.vanish();
  }

  /** Records this check's counts; true when they show a stopped poll (see pollStalled). */
  private countCheck(capture: Capture): boolean {
    let queued: number;
    try {
      const s = capture.session.stats();
      queued = s.ps_recv - s.ps_drop;
    } catch {
      return false;
    }
    capture.checks.push({ queued, read: capture.read });
    if (capture.checks.length < 3) return false;
    const [older, previous, now] = capture.checks as [CaptureCount, CaptureCount, CaptureCount];
    capture.checks.shift();
    return pollStalled(older, previous, now);
  }

  /** The active capture stopped delivering (poll stopped or socket not running): `state` is its socket's. */
  private lost(capture: Capture, state: SocketState): void {
    if (state === 'gone') {
      this.vanish();
      return;
    }
    this.retire(capture);
    // A wake-up that read nothing while the link is up (rare): reopen at once.
    if (state === 'running' || state === 'unknown') {
      if (this.start() === null) return;
    }
    this.emitError(new LinkError('link-down', `${this.ifname}: link down; waiting for it to come back`, this.ifname, false));
  }

  private vanish(): void {
    if (this.closed) return;
    this.close();
    this.emitError(new LinkError('vanished', `${this.ifname}: interface vanished`, this.ifname, true));
  }

  private retire(capture: Capture): void {
    if (this.active === capture) this.active = null;
    try {
      const s = capture.session.stats();
      this.droppedBefore.dropped += s.ps_drop;
      this.droppedBefore.ifDropped += s.ps_ifdrop;
    } catch {
      // already freed
    }
    this.lastActive = { dropped: 0, ifDropped: 0 };
    capture.session.close();
    if (!capture.finalized) retireCapture(capture);
  }

  private stateOf(capture: Capture): SocketState {
    if (capture.inode === null) return 'unknown';
    try {
      return socketState(readFileSync('/proc/net/packet', 'utf8'), capture.inode);
    } catch {
      return 'unknown';
    }
  }

  private boundIndex(capture: Capture): number {
    if (capture.inode === null) return this.index;
    try {
      return parsePacketTable(readFileSync('/proc/net/packet', 'utf8')).get(capture.inode)?.ifindex ?? this.index;
    } catch {
      return this.index; // no /proc: assume it is ours
    }
  }

  private emitError(err: LinkError): void {
    dispatchLinkError(this.errorHandlers, err);
  }
}

/** Closed captures libpcap has not freed yet, of every link, closed ones included. */
const retiredCaptures = new Set<Capture>();
let drainTimer: NodeJS.Timeout | null = null;

function retireCapture(capture: Capture): void {
  retiredCaptures.add(capture);
  drainRetired();
  if (retiredCaptures.size > 0 && drainTimer === null) {
    drainTimer = setInterval(drainRetired, 1000);
    drainTimer.unref();
  }
}

/** Lets libpcap free closed captures: a read returns -2 once a frame is waiting in the ring. */
function drainRetired(): void {
  for (const c of retiredCaptures) {
    try {
      c.session.session.dispatch(c.session.buf, c.session.header);
    } catch {
      c.finalized = true; // the binding refused: nothing more we can do with it
    }
    if (c.finalized) retiredCaptures.delete(c);
  }
  if (retiredCaptures.size === 0 && drainTimer !== null) {
    clearInterval(drainTimer);
    drainTimer = null;
  }
}

/** The socket inodes this process holds (to find the one libpcap just opened). */
function socketInodes(): Set<string> {
  const out = new Set<string>();
  try {
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
        if (m) out.add(m[1]!);
      } catch {
        // fd closed while we looked
      }
    }
  } catch {
    // no /proc
  }
  return out;
}
