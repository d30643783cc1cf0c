// Kernel-driven interface change events: link up/down, addresses added or
// removed, interfaces appearing and vanishing.
//
// An `ip monitor link address` child listens to rtnetlink. iproute2 6.1
// ignores -j for `monitor` (it prints text), and its text differs by object
// and version, so a monitor line is mainly a trigger: we then re-read the whole
// table with `ip -j addr show` and diff it against the last one. Lines that
// arrive while a read is running cause one more read, so no change is lost.
// One kind of line is read as well: a link's flags (`3: eth1@if2: <...,UP,LOWER_UP>`,
// the same flag names as `ip -j` gives, in that form since iproute2's first
// monitor). A link going up or down is applied from it at once, so the daemon
// sends its HELLO (or closes the link's sessions) without waiting for the
// `ip` process of the re-read (tens of ms, a few hundred on a loaded machine);
// the re-read follows and has the last word, except that a read begun before
// the line cannot undo what the line said (it may have seen the kernel before).
//
// Nothing is read on a clock: an idle daemon wakes for nothing here. The one way
// the kernel loses events is its netlink queue overflowing (ENOBUFS), and
// iproute2's rtnl_listen says so on stderr ("netlink receive error ... (105)")
// and keeps listening; any stderr line from the monitor is therefore taken as
// "events may be lost" and the whole table is re-read. A re-read that fails is
// retried (1 s, doubling to 60 s) until one succeeds. A monitor child that dies
// is started again on the same back-off, then the table is re-read (what changed
// while no one listened is found by the diff): with no clock re-reading the
// table, a dead monitor would otherwise hide every later change.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { listInterfaces, type InterfaceAddress, type NetInterface } from './interfaces.js';

const STARTUP_RESYNC_MS = 250;
/** a failed re-read is retried after 1 s, then doubling, at most this */
const MAX_RETRY_MS = 60_000;

export type InterfaceEvent =
  | { type: 'added'; iface: NetInterface }
  | { type: 'removed'; iface: NetInterface }
  | { type: 'link-up'; iface: NetInterface }
  | { type: 'link-down'; iface: NetInterface }
  | { type: 'address-added'; iface: NetInterface; address: InterfaceAddress }
  | { type: 'address-removed'; iface: NetInterface; address: InterfaceAddress }
  /** MAC, MTU, name or index changed (not up/down or addresses) */
  | { type: 'changed'; iface: NetInterface; previous: NetInterface };

/** A link line's index, name and flags; null for any other line (addresses, `Deleted`, continuation). */
export function parseLinkFlags(line: string): { index: number; name: string; adminUp: boolean; lowerUp: boolean } | null {
  const m = /^(\d+): ([^\s:@]+)(?:@[^\s:]*)?: <([A-Z0-9_,-]*)>/.exec(line);
  if (m === null) return null;
  const flags = m[3]!.split(',');
  return { index: Number(m[1]), name: m[2]!, adminUp: flags.includes('UP'), lowerUp: flags.includes('LOWER_UP') };
}

/** `x` with the flags a link line gave. */
function withFlags(x: NetInterface, l: { adminUp: boolean; lowerUp: boolean }): NetInterface {
  return { ...x, adminUp: l.adminUp, lowerUp: l.lowerUp, up: l.adminUp && l.lowerUp };
}

function addressKey(a: InterfaceAddress): string {
  return `${a.family} ${a.address}/${a.prefixLength}`;
}

/**
 * The events that turn the table `before` into `after`. Interfaces are
 * matched by index (a rename is 'changed'; a delete and re-create is
 * 'removed' then 'added'). A tentative IPv6 address counts as absent until
 * DAD is over, so 'address-added' means "usable now".
 */
export function diffInterfaces(before: NetInterface[], after: NetInterface[]): InterfaceEvent[] {
  const events: InterfaceEvent[] = [];
  const old = new Map(before.map((i) => [i.index, i]));
  const now = new Map(after.map((i) => [i.index, i]));
  for (const [index, iface] of old) {
    if (!now.has(index)) events.push({ type: 'removed', iface });
  }
  for (const [index, iface] of now) {
    const prev = old.get(index);
    if (prev === undefined) {
      events.push({ type: 'added', iface });
      continue;
    }
    if (prev.name !== iface.name || prev.mac !== iface.mac || prev.mtu !== iface.mtu) {
      events.push({ type: 'changed', iface, previous: prev });
    }
    if (prev.up !== iface.up) events.push({ type: iface.up ? 'link-up' : 'link-down', iface });
    const usable = (i: NetInterface) => new Map(i.addresses.filter((a) => !a.tentative).map((a) => [addressKey(a), a]));
    const was = usable(prev);
    const is = usable(iface);
    for (const [key, address] of was) if (!is.has(key)) events.push({ type: 'address-removed', iface, address });
    for (const [key, address] of is) if (!was.has(key)) events.push({ type: 'address-added', iface, address });
  }
  return events;
}

export interface InterfaceMonitorOptions {
  /** read the table (tests pass a fake); default `ip -j addr show` */
  read?: () => Promise<NetInterface[]>;
  /**
   * start the event source (tests pass a fake); default spawns `ip monitor link address`.
   * Lines on its stdout are events; lines on its stderr say events were lost.
   */
  spawnMonitor?: () => ChildProcess;
}

export interface InterfaceMonitorEvents {
  change: [InterfaceEvent];
  /** the monitor child died or a re-read failed; the monitor keeps its last table */
  error: [Error];
  /** the event source said events were lost (its stderr line); the table is being re-read */
  lost: [string];
}

/**
 * Watches the interface table. `start()` resolves after the first read;
 * `current()` is always the last table read. Emits 'change' per event and
 * 'error' for failures (never throws from an event).
 */
export class InterfaceMonitor extends EventEmitter<InterfaceMonitorEvents> {
  private table: NetInterface[] = [];
  private child: ChildProcess | null = null;
  private reading = false;
  private again = false;
  private closed = false;
  private retry: { timer: NodeJS.Timeout | null; delayMs: number } = { timer: null, delayMs: 1000 };
  /** the back-off of restarting a monitor child that died (reset by its first line) */
  private respawn: { timer: NodeJS.Timeout | null; delayMs: number } = { timer: null, delayMs: 1000 };
  private readonly read: () => Promise<NetInterface[]>;
  /** link lines applied, numbered; by interface index, the last one's number and flags */
  private lineSeq = 0;
  private readonly fromLines = new Map<number, { seq: number; adminUp: boolean; lowerUp: boolean }>();

  constructor(private readonly options: InterfaceMonitorOptions = {}) {
    super();
    this.read = options.read ?? listInterfaces;
  }

  /** Starts the kernel listener first, then reads the table, so nothing falls in between. */
  async start(): Promise<this> {
    // The child would otherwise outlive a daemon that exits without close().
    process.once('exit', this.killChild);
    this.listen();
    this.table = await this.read();
    // `ip monitor` subscribes to netlink a few milliseconds after it starts, and
    // nothing tells us when: one more read shortly after covers that window.
    setTimeout(() => this.refresh(), STARTUP_RESYNC_MS).unref();
    return this;
  }

  /** Spawns the event source and wires its lines; a child that dies is started again later. */
  private listen(): void {
    const child = (this.options.spawnMonitor ?? spawnIpMonitor)();
    this.child = child;
    child.on('error', (err) => this.fail(new Error(`ip monitor: ${err.message}`)));
    child.on('exit', (code, signal) => {
      if (this.closed || this.child !== child) return;
      this.child = null;
      const delay = this.respawn.delayMs;
      this.respawn.delayMs = Math.min(MAX_RETRY_MS, delay * 2);
      this.fail(new Error(`ip monitor exited (${signal ?? `code ${code}`}); started again in ${delay / 1000} s, then the table is re-read`));
      this.respawn.timer = setTimeout(() => {
        this.respawn.timer = null;
        if (this.closed) return;
        this.listen();
        this.refresh();
      }, delay);
      this.respawn.timer.unref();
    });
    if (child.stdout) {
      // Continuation lines start with white space; each event starts at column 0.
      createInterface({ input: child.stdout }).on('line', (line) => {
        this.respawn.delayMs = 1000;
        if (line.length > 0 && !/^\s/.test(line)) {
          this.applyLinkLine(line);
          this.refresh();
        }
      });
    }
    if (child.stderr) {
      createInterface({ input: child.stderr }).on('line', (line) => {
        if (line.trim().length === 0) return;
        this.emit('lost', line.trim());
        this.refresh();
      });
    }
  }

  current(): NetInterface[] {
    return this.table;
  }

  /** Re-reads the table now and emits what changed (also called on every kernel event). */
  refresh(): void {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    const begun = this.lineSeq;
    this.read()
      .then((read) => {
        if (this.closed) return;
        const next = this.overLines(read, begun);
        const events = diffInterfaces(this.table, next);
        this.table = next;
        this.retry.delayMs = 1000;
        for (const e of events) this.emit('change', e);
      })
      .catch((err: unknown) => {
        this.fail(err instanceof Error ? err : new Error(String(err)));
        this.retryLater();
      })
      .finally(() => {
        this.reading = false;
        if (this.again) {
          this.again = false;
          this.refresh();
        }
      });
  }

  /** A link line's up/down applied to the table at once (the re-read it triggers follows). */
  private applyLinkLine(line: string): void {
    const l = parseLinkFlags(line);
    if (l === null || this.closed) return;
    const i = this.table.findIndex((x) => x.index === l.index && x.name === l.name);
    if (i < 0) return; // a new interface, or renamed: the re-read says what it is
    this.fromLines.set(l.index, { seq: ++this.lineSeq, adminUp: l.adminUp, lowerUp: l.lowerUp });
    const was = this.table[i]!;
    if (was.adminUp === l.adminUp && was.lowerUp === l.lowerUp) return;
    const next = [...this.table];
    next[i] = withFlags(was, l);
    const events = diffInterfaces(this.table, next);
    this.table = next;
    for (const e of events) this.emit('change', e);
  }

  /**
   * A table read that began when `begun` link lines had been applied: the flags of lines
   * applied since stay (the read may predate them; the read they triggered comes next),
   * those of earlier lines are the read's to say, and forgotten.
   */
  private overLines(read: NetInterface[], begun: number): NetInterface[] {
    for (const [index, l] of this.fromLines) if (l.seq <= begun) this.fromLines.delete(index);
    if (this.fromLines.size === 0) return read;
    return read.map((x) => {
      const l = this.fromLines.get(x.index);
      return l === undefined ? x : withFlags(x, l);
    });
  }

  /** No clock re-reads the table: a failed read is tried again, later and later, until one works. */
  private retryLater(): void {
    if (this.closed || this.retry.timer !== null) return;
    const delay = this.retry.delayMs;
    this.retry.delayMs = Math.min(MAX_RETRY_MS, delay * 2);
    this.retry.timer = setTimeout(() => {
      this.retry.timer = null;
      this.refresh();
    }, delay);
    this.retry.timer.unref();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retry.timer) clearTimeout(this.retry.timer);
    if (this.respawn.timer) clearTimeout(this.respawn.timer);
    process.removeListener('exit', this.killChild);
    this.killChild();
  }

  private readonly killChild = (): void => {
    // End of input stops the real monitor (see spawnIpMonitor); a fake child may have no stdin.
    this.child?.stdin?.end();
    this.child?.kill();
    this.child = null;
  };

  private fail(err: Error): void {
    if (this.closed) return;
    // An EventEmitter 'error' without a listener throws: the owner may not listen.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

/**
 * `ip monitor` must not outlive us: a daemon killed with SIGKILL runs no exit
 * handler, and a monitor left behind keeps a deleted network namespace alive.
 * So a small shell holds our end of a pipe on fd 3 and kills the monitor when
 * that pipe reaches end of file, which the kernel makes happen when we die.
 * Closing stdin ends it too, which is how close() stops it.
 */
const MONITOR_SCRIPT = 'exec 3<&0; ip monitor link address & m=$!; { read -r _ <&3; kill $m 2>/dev/null; } & wait $m';

function spawnIpMonitor(): ChildProcess {
  // stderr is read: iproute2 reports a netlink overflow (lost events) there
  const child = spawn('sh', ['-c', MONITOR_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  // Our own timers and links keep the process alive, not this child.
  child.unref();
  (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return child;
}

/** Convenience: a started monitor. */
export function watchInterfaces(options?: InterfaceMonitorOptions): Promise<InterfaceMonitor> {
  return new InterfaceMonitor(options).start();
}
