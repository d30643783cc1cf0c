// The daemon core: the wiring between the pieces of the runtime side of PROTOCOL.md
// section 5, and the queries the control socket asks.
//  - InterfaceSet (interface-set.ts): which interfaces run, their links, what we announce;
//  - Beacon (beacon.ts): HELLOs;
//  - Admission (admission.ts): what a frame or PDU may cost us before a session sees it;
//  - SessionTable (session-table.ts): runs the pure session machine per (interface, MAC);
//  - SessionEffects (session-effects.ts): what the machine's actions mean for the world.
// Everything that touches the OS comes in through injected pieces (a Clock, a link
// factory, interface tables), so tests join two cores by memory links under a fake clock.
import { randomInt } from 'node:crypto';
import type { NetInterface } from '../io/interfaces.js';
import type { ReceivedFrame } from '../io/link.js';
import { LsoeStream, type StreamRecord } from '../proto/stream.js';
import { ENCAPSULATION_TYPES, type Pdu } from '../proto/types.js';
import { Admission } from './admission.js';
import { Beacon } from './beacon.js';
import { TokenBucket } from './bounds.js';
import { isoTime, type Clock, type TimerHandle } from './clock.js';
import { configToRecord, timingOf, type DaemonConfig } from './config.js';
import { bump, newCoreCounts, NO_EXTRA_COUNTERS, snapshotCounts, type Counters, type ExtraCounters } from './counters.js';
import { KEEPALIVE, sessionKey } from '../proto/session/index.js';
import { listBytes } from './encaps-cap.js';
import { isKeepaliveFrame, KEEPALIVE_FRAMES } from './keepalive-frame.js';
import { QuietSweep } from './quiet-sweep.js';
import { InterfaceSet, type IfState, type LinkFactory } from './interface-set.js';
import { NameSelector } from './glob.js';
import { LogLimiter, silentLogger, type Logger } from './log.js';
import type { PluginRegistry } from './plugins.js';
import type { Rfc7752Report } from './report.js';
import { oneLine, SessionEffects } from './session-effects.js';
import { SessionTable, type Entry } from './session-table.js';
import { NeighborHistory } from './neighbor-history.js';
import { neighborsOf } from './neighbor-view.js';
import { unmatchedPatterns } from './start-warnings.js';
import type {
  AnnouncedEncaps,
  DaemonCore,
  DaemonEvent,
  InterfaceNeighbors,
  InterfaceSelection,
  LearnedEncaps,
  SessionFilter,
  SessionView,
} from './views.js';

export type {
  AnnouncedEncaps,
  DaemonCore,
  DaemonEvent,
  InterfaceNeighbors,
  InterfaceSelection,
  LearnedEncaps,
  NeighborView,
  SessionCounters,
  SessionFilter,
  SessionState,
  SessionView,
} from './views.js';
export type { Counters } from './counters.js';
export type { LinkFactory } from './interface-set.js';

export interface CoreOptions {
  config: DaemonConfig;
  /** our Local ID, 20 hex digits (configured or derived) */
  localId: string;
  clock: Clock;
  openLink: LinkFactory;
  log?: Logger;
  /** 32-bit random integers for session nonce seeds */
  random?: () => number;
  /** northbound sink (Reporter.submit); none = reports are only logged */
  report?: (r: Rfc7752Report) => void;
  plugins?: PluginRegistry;
  version?: string;
  /** more counters to show (the reporter's, the plugins') */
  extraCounters?: () => Partial<ExtraCounters>;
  /**
   * Reads and hands to the core, now, the frames links hold back unpolled (the open
   * neighbours' KEEPALIVEs on quiet sockets: drainQuietLinks). The core calls it before
   * its session deadlines fire, before it answers about sessions, and at least once a
   * keepalive interval while some link quiets a neighbour. None: links hold nothing back.
   */
  drainQueued?: () => void;
}

/**
 * Housekeeping period: reassembly expiry, ageing, hold-downs, log summaries. It runs only
 * while one of those has something to do: a daemon whose sessions are all open and quiet
 * wakes for its keepalives and nothing else.
 */
const HOUSEKEEPING = 5;

export class Daemon implements DaemonCore {
  private cfg: DaemonConfig;
  private localId: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly count = newCoreCounts();
  private readonly ifaces: InterfaceSet;
  private readonly beacon: Beacon;
  private readonly effects: SessionEffects;
  private readonly sessionTable: SessionTable;
  private readonly admission: Admission;
  private stream: LsoeStream;
  private housekeepingTimer: TimerHandle | null = null;
  /** handling a frame: housekeeping is considered once, at its end */
  private inFrame = false;
  private stopped = false;
  /** stop() began */
  private stopping = false;
  private readonly malformedLog = new LogLimiter(60);
  /** all senders together: a flood from many MACs still says little (burst 50, then 1 a second) */
  private readonly malformedBudget = new TokenBucket(1, 50);
  private malformedHeld = 0;
  private readonly frameErrorLog = new LogLimiter(10);
  /** flaps and last down reason per neighbour, kept after its session is gone (lsoe neighbors) */
  private readonly history = new NeighborHistory();
  /** the last interface table given (for patterns that match nothing) */
  private lastTable: NetInterface[] = [];
  /** frames held back unpolled by the links (quiet sockets): read before deadlines and answers */
  private readonly drainQueued: () => void;
  private readonly sweep: QuietSweep;

  constructor(private readonly options: CoreOptions) {
    this.cfg = options.config;
    this.localId = options.localId;
    this.clock = options.clock;
    this.log = options.log ?? silentLogger;
    this.random = options.random ?? (() => randomInt(0, 2 ** 32 - 1));
    this.drainQueued = options.drainQueued ?? (() => undefined);
    this.sweep = new QuietSweep(this.clock, this.drainQueued, () => this.cfg.keepaliveSendInterval);
    this.stream = this.newStream();
    this.ifaces = new InterfaceSet(this.cfg, this.clock, options.openLink, this.log, this.count, {
      frame: (st, f) => this.onFrame(st, f),
      linkOpened: (st, generation) => this.beacon.linkOpened(st, generation),
      closing: (st) => {
        for (const e of this.sessionTable.onInterface(st.name)) {
          this.sessionTable.feed(e, { type: 'link-down' });
          this.remove(e);
        }
      },
      announcedChanged: (st, changed) => {
        for (const e of this.sessionTable.onInterface(st.name)) this.sessionTable.feed(e, { type: 'local-encaps-changed', announced: changed });
      },
    });
    this.beacon = new Beacon(this.clock, this.ifaces, this.log, this.count, () => ({
      group: this.cfg.helloMulticastMacaddr,
      interval: this.cfg.helloInterval,
    }));
    this.effects = new SessionEffects({
      clock: this.clock,
      log: this.log,
      count: this.count,
      ifaces: this.ifaces,
      localId: () => this.localId,
      ...(options.report ? { report: options.report } : {}),
      ...(options.plugins ? { plugins: options.plugins } : {}),
    });
    this.sessionTable = new SessionTable(
      this.clock,
      this.effects,
      (e, what, err) => {
        this.count.hookErrors++;
        this.log.log('error', 'core', `${what} for ${e.peerMac} on ${e.ifname} failed: ${oneLine(err)}`, { ifname: e.ifname, peerMac: e.peerMac });
      },
      {
        afterFeed: () => this.wakeHousekeeping(),
        openChanged: (e) => this.openPeersChanged(e.ifname),
        beforeDeadline: () => this.drainQueued(),
      },
    );
    this.effects.attach(this.sessionTable);
    // the history follows every event (subscribers get each neighbour's coalesced)
    this.effects.observe((e) => {
      if (e.event === 'session-up') this.history.up(e.ifname, e.peerMac, e.peerId, this.clock.now());
      else if (e.event === 'session-down') this.history.down(e.ifname, e.peerMac, e.peerId, String(e.reason ?? 'unknown'), this.clock.now());
    });
    this.admission = new Admission(this.cfg, this.sessionTable, this.ifaces, this.log, this.count, (st, key, peerMac, now) =>
      this.createEntry(st, key, peerMac, now),
    );
  }

  // ---- lifecycle -------------------------------------------------------------------

  /** Starts the HELLO beacon; interfaces come with `updateInterfaces`. */
  start(table: NetInterface[]): void {
    this.beacon.schedule();
    this.updateInterfaces(table);
    this.wakeHousekeeping();
  }

  /** Closes every session (withdrawing what was reported), then every link. */
  stop(): void {
    if (this.stopped) return;
    // (the links close below: no filter to change, no late frame to take as the sessions close)
    this.stopping = true;
    for (const e of this.sessionTable.all()) this.sessionTable.feed(e, { type: 'close' });
    this.stopped = true;
    this.sweep.stop();
    this.beacon.stop();
    if (this.housekeepingTimer) this.clock.clearTimer(this.housekeepingTimer);
    this.housekeepingTimer = null;
    this.ifaces.stop();
    for (const e of this.sessionTable.all()) this.remove(e);
    this.effects.flushEvents();
  }

  /** Applies a new configuration (SIGHUP). Identity or timing changes restart the sessions. */
  reconfigure(config: DaemonConfig, localId: string): void {
    // All or nothing: what can still refuse the new configuration is tried before any change.
    for (const patterns of [config.interfaces, config.loopbackInterfaces]) new NameSelector(patterns);
    const old = this.cfg;
    const restart =
      localId !== this.localId ||
      config.ethertype !== old.ethertype ||
      JSON.stringify(timingOf(config)) !== JSON.stringify(timingOf(old));
    this.cfg = config;
    this.localId = localId;
    this.admission.reconfigure(config);
    if (
      config.reassemblyTimeout !== old.reassemblyTimeout ||
      config.reassemblyMaxBytesPerSender !== old.reassemblyMaxBytesPerSender ||
      config.reassemblyMaxBytesPerInterface !== old.reassemblyMaxBytesPerInterface ||
      config.reassemblyMaxBytesTotal !== old.reassemblyMaxBytesTotal
    ) {
      this.stream = this.newStream();
    }
    if (restart) {
      this.log.log('info', 'config', 'identity, EtherType or timers changed: restarting every session');
      for (const e of this.sessionTable.all()) {
        this.sessionTable.feed(e, { type: 'close' });
        this.remove(e);
      }
    }
    if (config.helloInterval !== old.helloInterval) this.beacon.schedule();
    this.ifaces.reconfigure(config, config.ethertype !== old.ethertype);
    this.admission.refreshOwnMacs();
  }

  /**
   * The interface table changed (or is read for the first time): starts and stops
   * interfaces, closes the sessions of a link that went down, and re-announces
   * addresses to the open sessions they concern.
   */
  updateInterfaces(table: NetInterface[]): void {
    if (this.stopped) return;
    this.lastTable = table;
    this.ifaces.update(table);
    this.admission.refreshOwnMacs();
  }

  /**
   * Operator action: restarts the matching sessions (closed now; they start again when
   * the neighbour next speaks, hopeless ones included) and releases matching hold-downs.
   * Returns how many sessions and hold-downs it concerned.
   */
  clearSessions(filter: SessionFilter = {}): number {
    this.drainQueued();
    const mac = filter.peerMac?.toLowerCase().replace(/-/g, ':');
    const match = (x: { ifname: string; peerMac: string }) =>
      (filter.ifname === undefined || x.ifname === filter.ifname) && (mac === undefined || x.peerMac === mac);
    let n = 0;
    for (const e of this.sessionTable.all()) {
      if (!match(e)) continue;
      n++;
      this.count.sessionsCleared++;
      this.log.log('info', 'core', `session with ${e.peerMac} on ${e.ifname} cleared by operator`, { ifname: e.ifname, peerMac: e.peerMac });
      this.sessionTable.feed(e, { type: 'reset' });
      this.sessionTable.feed(e, { type: 'close' });
      this.remove(e);
    }
    return n + this.admission.release(match, this.clock.now());
  }

  // ---- receiving --------------------------------------------------------------------

  private onFrame(st: IfState, f: ReceivedFrame): void {
    // a bug on the receive path costs this frame, never the daemon
    this.inFrame = true;
    try {
      if (this.stopped || !st.active) return;
      this.count.framesReceived++;
      const now = f.late === true ? this.arrival(f.time) : this.clock.now();
      if (this.admission.frameRefusal(st, f, now) !== null) return;
      // Our KEEPALIVE's octets are that PDU, whole in one frame: it needs no decoding, and
      // with no pieces held nothing can expire on the way (the stream would only say so).
      if (this.stream.idle && isKeepaliveFrame(f.payload)) return this.onPdu(st, f.src, KEEPALIVE, now);
      const records = this.stream.push({ time: now, ifname: st.name, dst: f.dst, src: f.src, payload: f.payload });
      for (const r of records) this.onRecord(st, r, now);
    } catch (err) {
      this.count.frameErrors++;
      if (this.frameErrorLog.allow('frame-error', this.clock.now()) !== null) {
        this.log.log('error', 'io', `frame from ${f.src} on ${st.name} not handled: ${oneLine(err)}`, { ifname: st.name });
      }
    } finally {
      // a piece kept for reassembly, a stranger, a refusal logged: housekeeping has work
      this.inFrame = false;
      this.wakeHousekeeping();
    }
  }

  /** A late frame's kernel receive time (wall clock) on our clock, never after now. */
  private arrival(wall: number): number {
    const now = this.clock.now();
    const t = this.clock.fromWall?.(wall) ?? wall;
    return t < now ? t : now;
  }

  /**
   * A session on `ifname` opened or closed: the link learns its open neighbours, whose
   * KEEPALIVEs it may then read late (quiet sockets); the sweep runs while any link has some.
   */
  private openPeersChanged(ifname: string): void {
    if (this.stopping) return;
    const link = this.ifaces.get(ifname)?.link;
    const peers: string[] = [];
    if (link?.quietPeers !== undefined) {
      for (const e of this.sessionTable.onInterface(ifname)) if (e.s.phase === 'open' && !e.peerIsGroup) peers.push(e.peerMac);
      link.quietPeers(peers, KEEPALIVE_FRAMES[0]!);
    }
    // (a link already gone quiets no one: the sweep forgets it rather than wake for it)
    this.sweep.quieting(ifname, peers.length > 0);
  }

  private onRecord(st: IfState, r: StreamRecord, now: number): void {
    if (r.kind === 'error') {
      this.count.malformedFrames++;
      bump(this.count.malformedBy, r.error.reason);
      const held = this.malformedLog.allow(`${st.name}|${r.src}`, now);
      if (held === null) return;
      if (!this.malformedBudget.take(now)) {
        this.malformedHeld++;
        return;
      }
      const othersHeld = this.malformedHeld;
      this.malformedHeld = 0;
      this.log.log('warning', 'io', `malformed frame: ${r.error.message}`, {
        ifname: st.name,
        src: r.src,
        reason: r.error.reason,
        ...(held > 0 ? { suppressed: held } : {}),
        ...(othersHeld > 0 ? { suppressedOtherSenders: othersHeld } : {}),
      });
      return;
    }
    this.onPdu(st, r.src, r.pdu, now);
  }

  private onPdu(st: IfState, src: string, pdu: Pdu, now: number): void {
    this.count.pdusReceived++;
    bump(this.count.pdusReceivedBy, pdu.type);
    if (this.log.debugEnabled('io')) {
      this.log.log('debug', 'io', `received ${pdu.type}`, { ifname: st.name, src, pdu });
    }
    const admitted = this.admission.admit(st, src, pdu, now);
    if (admitted !== null) this.sessionTable.feed(admitted.entry, { type: 'pdu-received', pdu: admitted.pdu }, now);
  }

  private createEntry(st: IfState, key: string, peerMac: string, now: number): Entry {
    this.count.sessionsCreated++;
    return this.sessionTable.create(
      key,
      {
        ifname: st.name,
        peerMac,
        localId: this.localId,
        nonceSeed: this.random(),
        announced: st.announced ?? {},
        timing: timingOf(this.cfg),
      },
      now,
    );
  }

  private remove(e: Entry): void {
    this.sessionTable.remove(e);
    this.effects.forget(e);
  }

  /** Something housekeeping looks after is there: sessions not open, restarts on record, log windows, PDU pieces. */
  private housekeepingDue(): boolean {
    return this.sessionTable.unsettled > 0 || this.admission.housekeepingDue || this.effects.neighbourLog.pending || !this.stream.idle;
  }

  /** Arms housekeeping if it is due and not armed (after every frame and session event; cheap). */
  private wakeHousekeeping(): void {
    // (within a frame, once at its end: the session events it causes need not ask again)
    if (this.inFrame || this.housekeepingTimer !== null || this.stopped || !this.housekeepingDue()) return;
    this.housekeepingTimer = this.clock.setTimer(HOUSEKEEPING, () => this.housekeeping());
  }

  private housekeeping(): void {
    this.housekeepingTimer = null;
    if (this.stopped) return;
    try {
      const now = this.clock.now();
      this.admission.housekeeping(now);
      this.effects.neighbourLog.flush(now);
      for (const r of this.stream.expire(now)) {
        const st = r.ifname === undefined ? undefined : this.ifaces.get(r.ifname);
        if (st) this.onRecord(st, r, now);
      }
    } finally {
      // whatever failed above, housekeeping goes on while it has something to do
      this.wakeHousekeeping();
    }
  }

  private newStream(): LsoeStream {
    return new LsoeStream({
      timeout: this.cfg.reassemblyTimeout,
      maxBytesPerSender: this.cfg.reassemblyMaxBytesPerSender,
      maxBytesPerInterface: this.cfg.reassemblyMaxBytesPerInterface,
      maxBytesTotal: this.cfg.reassemblyMaxBytesTotal,
      maxSenders: Math.max(1024, this.cfg.maxSessions),
      // an open session's one PDU is reserved: a flood of strangers' pieces cannot starve it
      reserved: (ifname, src) =>
        ifname !== undefined && this.sessionTable.get(sessionKey(ifname, src))?.s.phase === 'open',
      onDrop: (reason) => {
        this.count.reassemblyDropped++;
        bump(this.count.reassemblyDroppedBy, reason);
      },
    });
  }

  // ---- DaemonCore -------------------------------------------------------------------

  sessions(): SessionView[] {
    this.drainQueued();
    const out: SessionView[] = [];
    for (const e of this.sessionTable.all()) {
      const s = e.s;
      if (s.phase === 'idle') continue;
      out.push({
        ifname: e.ifname,
        peerMac: e.peerMac,
        peerId: s.phase === 'hopeless' ? e.peerId : s.peerId,
        state: s.phase,
        since: isoTime(s.since),
        until: null,
        lastHeard: s.lastHeard === null ? null : isoTime(s.lastHeard),
        counters: { ...s.counters },
      });
    }
    for (const h of this.admission.heldDown(this.clock.now())) {
      out.push({
        ifname: h.ifname,
        peerMac: h.peerMac,
        peerId: null,
        state: 'held-down',
        since: isoTime(h.since),
        until: isoTime(h.until),
        lastHeard: null,
        counters: { txPdus: 0, rxPdus: 0, retransmits: 0, errors: 0 },
      });
    }
    return out;
  }

  learnedEncaps(): LearnedEncaps[] {
    const out: LearnedEncaps[] = [];
    for (const e of this.sessionTable.all()) {
      if (e.s.phase !== 'open') continue;
      for (const type of ENCAPSULATION_TYPES) {
        const list = e.s.learned[type];
        if (list === undefined) continue;
        out.push({ ifname: e.ifname, peerMac: e.peerMac, peerId: e.s.peerId, type, encaps: list.map((x) => ({ ...x })) });
      }
    }
    return out;
  }

  announcedEncaps(): AnnouncedEncaps[] {
    const out: AnnouncedEncaps[] = [];
    for (const st of this.ifaces.all()) {
      if (!st.active || st.announced === null) continue;
      for (const type of ENCAPSULATION_TYPES) {
        out.push({ ifname: st.name, type, encaps: st.announced[type].map((x) => ({ ...x })) });
      }
    }
    return out;
  }

  counters(): Counters {
    this.drainQueued();
    let open = 0;
    let opening = 0;
    let hopeless = 0;
    let learnedBytes = 0;
    for (const e of this.sessionTable.all()) {
      if (e.s.phase === 'open') open++;
      else if (e.s.phase === 'opening') opening++;
      else if (e.s.phase === 'hopeless') hopeless++;
      for (const type of ENCAPSULATION_TYPES) {
        const list = e.s.learned[type];
        if (list !== undefined) learnedBytes += listBytes(type, list);
      }
    }
    let linkDropped = 0;
    let linkIfDropped = 0;
    let interfaces = 0;
    let quietFrames = 0;
    let quietBackoffs = 0;
    for (const st of this.ifaces.all()) {
      if (st.active) interfaces++;
      const s = st.link?.stats();
      if (s) {
        linkDropped += s.dropped;
        linkIfDropped += s.ifDropped;
        quietFrames += s.quiet ?? 0;
        quietBackoffs += s.quietBackoffs ?? 0;
      }
    }
    const r = this.stream.stats();
    return {
      ...snapshotCounts(this.count),
      sessions: this.sessionTable.size,
      sessionsOpen: open,
      sessionsOpening: opening,
      sessionsHopeless: hopeless,
      sessionsHeldDown: this.admission.heldDown(this.clock.now()).length,
      interfaces,
      captureDropped: linkDropped,
      captureIfDropped: linkIfDropped,
      quietFrames,
      quietBackoffs,
      reassemblySenders: r.senders,
      reassemblyBytes: r.bytes,
      learnedEncapsBytes: learnedBytes,
      retransmits: this.sessionTable.retransmits,
      ...NO_EXTRA_COUNTERS,
      ...this.options.extraCounters?.(),
    };
  }

  config(): Record<string, unknown> {
    return configToRecord(this.cfg, { 'effective-local-id': this.localId });
  }

  version(): string {
    return this.options.version ?? '0.0.0';
  }

  neighbors(): InterfaceNeighbors[] {
    this.drainQueued();
    const heldDown = this.admission.heldDown(this.clock.now());
    return [...this.ifaces.all()].map((st) =>
      neighborsOf(
        { ifname: st.name, mac: st.info.mac, up: st.info.up, running: st.active && st.link !== null },
        this.sessionTable.onInterface(st.name),
        this.history.on(st.name),
        heldDown.filter((h) => h.ifname === st.name),
      ),
    );
  }

  interfaceSelection(): InterfaceSelection {
    return { patterns: [...this.cfg.interfaces], unmatched: unmatchedPatterns(this.cfg, this.lastTable) };
  }

  subscribe(listener: (e: DaemonEvent) => void): () => void {
    return this.effects.subscribe(listener);
  }

  /** Our Local ID (20 hex digits). */
  get id(): string {
    return this.localId;
  }
}
