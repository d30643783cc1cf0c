// The daemon core: the pure session machine (src/proto/session, run by session-table.ts)
// over links, one session per (interface, neighbour MAC). It owns the runtime side of
// PROTOCOL.md section 5: HELLO beacons, which interfaces run, what we announce on each,
// bounds, and what sessions mean for the world: logs, events, northbound reports, plugins. Everything that touches the OS comes
// in through injected pieces (a Clock, a link factory, interface tables), so tests
// join two cores by memory links under a fake clock.
import { randomInt } from 'node:crypto';
import type { NetInterface } from '../io/interfaces.js';
import type { Link, LinkError, ReceivedFrame } from '../io/link.js';
import { splitPdu } from '../proto/fragment.js';
import { encodePdu } from '../proto/pdu/index.js';
import { sessionKey } from '../proto/session/index.js';
import type { CloseReason } from '../proto/session/index.js';
import { LsoeStream, type StreamRecord } from '../proto/stream.js';
import { ENCAPSULATION_TYPES, type Encapsulation, type EncapsulationTypeName, type Pdu, type VendorPdu } from '../proto/types.js';
import { sizeRefusal, TokenBucket, type Refusal } from './bounds.js';
import { isoTime, type Clock, type TimerHandle } from './clock.js';
import { configToRecord, timingOf, type DaemonConfig } from './config.js';
import { announcedFor, changedTypes, loopbackAddresses, selectsInterface, type EncapsTable } from './encaps-local.js';
import { agedOut, evictionVictim } from './eviction.js';
import { NameSelector } from './glob.js';
import { LogLimiter, silentLogger, type Level, type Logger } from './log.js';
import { PluginError, type PluginRegistry, type VendorSession } from './plugins.js';
import { buildReport, type Rfc7752Report } from './report.js';
import { SessionTable, type Entry, type SessionHooks } from './session-table.js';
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
  SessionFilter,
  SessionCounters,
  SessionView,
} from './views.js';

/** An error as one line of a log message (never a stack). */
function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** `10.0.0.1/31 P L [00fa01]`: one encapsulation in a log line. */
function encapText(e: Encapsulation): string {
  const flags = `${e.primary ? ' P' : ''}${e.loopback ? ' L' : ''}`;
  const labels = e.labels && e.labels.length > 0 ? ` [${e.labels.join(' ')}]` : '';
  return `${e.address}/${e.prefixLength}${flags}${labels}`;
}

/** Opens the link of one interface; rejects with a LinkError. */
export type LinkFactory = (ifname: string, ethertype: number) => Promise<Link>;

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
  extraCounters?: () => Record<string, number>;
}

/** Extra HELLOs after an interface comes up, in seconds: a peer whose capture was not open yet still hears one. */
const HELLO_BURST = [1, 2];
/** Seconds before retrying an interface whose link failed to open: doubles up to the max. */
const LINK_RETRY_FIRST = 1;
const LINK_RETRY_MAX = 30;
/** Housekeeping period: reassembly expiry, MAC cache ageing. */
const HOUSEKEEPING = 5;

interface IfState {
  name: string;
  info: NetInterface;
  link: Link | null;
  /** bumps on every (de)activation, so a late link open for an old one is discarded */
  generation: number;
  active: boolean;
  announced: EncapsTable | null;
  bucket: TokenBucket;
  timers: Set<TimerHandle>;
  /** next delay before re-opening a link that failed */
  retryDelay: number;
}

export class Daemon implements DaemonCore {
  private cfg: DaemonConfig;
  private localId: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly ifaces = new Map<string, IfState>();
  private readonly sessionTable: SessionTable;
  private readonly listeners = new Set<(e: DaemonEvent) => void>();
  private stream: LsoeStream;
  private selector: NameSelector;
  private loopbacks: NameSelector;
  /** the last interface table given */
  private table: NetInterface[] = [];
  private helloTimer: TimerHandle | null = null;
  private housekeepingTimer: TimerHandle | null = null;
  private stopped = false;
  private readonly malformedLog = new LogLimiter(60);
  /** all senders together: a flood from many MACs still says little (burst 50, then 1 a second) */
  private readonly malformedBudget = new TokenBucket(1, 50);
  private malformedHeld = 0;
  private readonly boundsLog = new LogLimiter(10);
  private readonly vendorLog = new LogLimiter(60);
  private readonly count: Record<string, number> = {};
  private readonly helloFrames: Buffer[];
  private readonly history = new NeighborHistory();

  constructor(private readonly options: CoreOptions) {
    this.cfg = options.config;
    this.localId = options.localId;
    this.clock = options.clock;
    this.log = options.log ?? silentLogger;
    this.random = options.random ?? (() => randomInt(0, 2 ** 32 - 1));
    this.stream = this.newStream();
    this.selector = new NameSelector(this.cfg.interfaces);
    this.loopbacks = new NameSelector(this.cfg.loopbackInterfaces);
    this.helloFrames = splitPdu(encodePdu({ type: 'HELLO' }));
    this.sessionTable = new SessionTable(this.clock, this.hooks(), (e, what, err) => {
      this.count.hookErrors!++;
      this.log.log('error', 'core', `${what} for ${e.peerMac} on ${e.ifname} failed: ${oneLine(err)}`, { ifname: e.ifname, peerMac: e.peerMac });
    });
    for (const k of [
      'framesReceived',
      'malformedFrames',
      'pdusReceived',
      'pdusSent',
      'framesSent',
      'framesNotSent',
      'hellosSent',
      'sessionsCreated',
      'sessionsRefused',
      'sessionsAgedOut',
      'sessionsEvicted',
      'hookErrors',
      'frameErrors',
      'sessionsUp',
      'sessionsDown',
      'pdusFromUnknownPeers',
      'reportsSubmitted',
      'vendorPdusReceived',
      'linkErrors',
    ]) {
      this.count[k] = 0;
    }
  }

  // ---- lifecycle -------------------------------------------------------------------

  /** Starts the HELLO beacon; interfaces come with `updateInterfaces`. */
  start(table: NetInterface[]): void {
    this.scheduleHello();
    this.housekeepingTimer = this.clock.setTimer(HOUSEKEEPING, () => this.housekeeping());
    this.updateInterfaces(table);
  }

  /** Closes every session (withdrawing what was reported), then every link. */
  stop(): void {
    if (this.stopped) return;
    for (const e of this.sessionTable.all()) this.sessionTable.feed(e, { type: 'close' });
    this.stopped = true;
    if (this.helloTimer) this.clock.clearTimer(this.helloTimer);
    if (this.housekeepingTimer) this.clock.clearTimer(this.housekeepingTimer);
    for (const st of this.ifaces.values()) this.deactivate(st);
    for (const e of this.sessionTable.all()) this.sessionTable.remove(e);
    this.ifaces.clear();
  }

  /** Applies a new configuration (SIGHUP). Identity or timing changes restart the sessions. */
  reconfigure(config: DaemonConfig, localId: string): void {
    const old = this.cfg;
    const restart =
      localId !== this.localId ||
      config.ethertype !== old.ethertype ||
      JSON.stringify(timingOf(config)) !== JSON.stringify(timingOf(old));
    this.cfg = config;
    this.localId = localId;
    this.selector = new NameSelector(config.interfaces);
    this.loopbacks = new NameSelector(config.loopbackInterfaces);
    if (
      config.reassemblyTimeout !== old.reassemblyTimeout ||
      config.reassemblyMaxBytesPerSender !== old.reassemblyMaxBytesPerSender ||
      config.reassemblyMaxBytesTotal !== old.reassemblyMaxBytesTotal
    ) {
      this.stream = this.newStream();
    }
    for (const st of this.ifaces.values()) st.bucket.setRate(config.maxNewSessionsPerSecond);
    if (restart) {
      this.log.log('info', 'config', 'identity, EtherType or timers changed: restarting every session');
      for (const e of this.sessionTable.all()) {
        this.sessionTable.feed(e, { type: 'close' });
        this.sessionTable.remove(e);
      }
    }
    if (config.ethertype !== old.ethertype) {
      for (const st of this.ifaces.values()) this.deactivate(st);
      this.ifaces.clear();
    }
    if (config.helloInterval !== old.helloInterval) this.scheduleHello();
    this.updateInterfaces(this.table);
  }

  // ---- interfaces -------------------------------------------------------------------

  private selects(i: NetInterface): boolean {
    return selectsInterface(i, this.selector, this.loopbacks);
  }

  /**
   * The interface table changed (or is read for the first time): starts and stops
   * interfaces, closes the sessions of a link that went down, and re-announces
   * addresses to the open sessions they concern.
   */
  updateInterfaces(table: NetInterface[]): void {
    if (this.stopped) return;
    this.table = table;
    const loopback = loopbackAddresses(table, this.loopbacks);
    const mpls = { v4: this.cfg.mplsIpv4Encapsulation, v6: this.cfg.mplsIpv6Encapsulation };
    const present = new Set<string>();
    for (const info of table) {
      if (!this.selects(info)) continue;
      present.add(info.name);
      let st = this.ifaces.get(info.name);
      if (st !== undefined && st.info.mac !== info.mac) {
        // a new MAC is a new identity on the wire: start over
        this.deactivate(st);
        this.ifaces.delete(info.name);
        st = undefined;
      }
      if (st === undefined) {
        st = {
          name: info.name,
          info,
          link: null,
          generation: 0,
          active: false,
          announced: null,
          bucket: new TokenBucket(this.cfg.maxNewSessionsPerSecond),
          timers: new Set(),
          retryDelay: LINK_RETRY_FIRST,
        };
        this.ifaces.set(info.name, st);
        this.log.log('info', 'iface', `interface ${info.name} selected`, { ifname: info.name, mac: info.mac, up: info.up });
      }
      st.info = info;
      if (info.up && !st.active) this.activate(st);
      else if (!info.up && st.active) {
        this.log.log('info', 'iface', `link down on ${st.name}: closing its sessions`, { ifname: st.name });
        this.deactivate(st);
      }
      const next = announcedFor(info, loopback, mpls);
      const changed = changedTypes(st.announced, next);
      const hadTable = st.announced !== null;
      st.announced = next;
      if (hadTable && Object.keys(changed).length > 0) {
        this.log.log('info', 'iface', `addresses changed on ${st.name}: re-announcing ${Object.keys(changed).join(', ')}`, {
          ifname: st.name,
        });
        for (const e of this.sessionTable.onInterface(st.name)) {
          this.sessionTable.feed(e, { type: 'local-encaps-changed', announced: changed });
        }
      }
    }
    for (const st of [...this.ifaces.values()]) {
      if (!present.has(st.name)) {
        this.log.log('info', 'iface', `interface ${st.name} gone or no longer selected`, { ifname: st.name });
        this.deactivate(st);
        this.ifaces.delete(st.name);
      }
    }
  }

  private activate(st: IfState): void {
    st.active = true;
    const generation = ++st.generation;
    this.log.log('info', 'iface', `link up on ${st.name}`, { ifname: st.name });
    this.options.openLink(st.name, this.cfg.ethertype).then(
      (link) => {
        if (this.stopped || st.generation !== generation || !st.active || this.ifaces.get(st.name) !== st) {
          link.close();
          return;
        }
        st.link = link;
        st.retryDelay = LINK_RETRY_FIRST;
        link.onFrame((f) => {
          // a bug on the receive path costs this frame, never the daemon
          try {
            this.onFrame(st, f);
          } catch (err) {
            this.count.frameErrors!++;
            if (this.boundsLog.allow('frame-error', this.clock.now()) !== null) {
              this.log.log('error', 'io', `frame from ${f.src} on ${st.name} not handled: ${oneLine(err)}`, { ifname: st.name });
            }
          }
        });
        link.onError((err) => this.onLinkError(st, link, err));
        this.log.log('debug', 'io', `capturing on ${st.name}`, { ifname: st.name, mac: link.mac });
        this.sendHello(st);
        for (const delay of HELLO_BURST) {
          const h = this.clock.setTimer(delay, () => {
            st.timers.delete(h);
            if (st.generation === generation) this.sendHello(st);
          });
          st.timers.add(h);
        }
      },
      (err: unknown) => {
        this.count.linkErrors!++;
        const message = err instanceof Error ? err.message : String(err);
        const delay = st.retryDelay;
        st.retryDelay = Math.min(delay * 2, LINK_RETRY_MAX);
        this.log.log('error', 'io', `cannot open ${st.name}: ${message}; retrying in ${delay} s`, { ifname: st.name });
        if (this.stopped || st.generation !== generation) return;
        const h = this.clock.setTimer(delay, () => {
          st.timers.delete(h);
          if (st.generation === generation && st.active && !this.stopped) {
            st.active = false;
            this.activate(st);
          }
        });
        st.timers.add(h);
      },
    );
  }

  /** Link down, gone or deselected: its sessions close at once and its capture stops. */
  private deactivate(st: IfState): void {
    st.active = false;
    st.generation++;
    for (const h of st.timers) this.clock.clearTimer(h);
    st.timers.clear();
    for (const e of this.sessionTable.onInterface(st.name)) {
      this.sessionTable.feed(e, { type: 'link-down' });
      this.sessionTable.remove(e);
    }
    // A fresh capture at the next link up: a packet socket can be left in error by a down.
    st.link?.close();
    st.link = null;
  }

  private onLinkError(st: IfState, link: Link, err: LinkError): void {
    this.count.linkErrors!++;
    if (err.fatal) {
      this.log.log('warning', 'io', err.message, { ifname: st.name, code: err.code });
      if (st.link === link) {
        this.deactivate(st);
        st.info = { ...st.info, up: false };
        // Gone for good, the interface table will say so; otherwise capture again.
        const h = this.clock.setTimer(st.retryDelay, () => {
          st.timers.delete(h);
          this.updateInterfaces(this.table);
        });
        st.timers.add(h);
        st.retryDelay = Math.min(st.retryDelay * 2, LINK_RETRY_MAX);
      }
      return;
    }
    if (this.boundsLog.allow(`linkerr|${st.name}|${err.code}`, this.clock.now()) !== null) {
      this.log.log('warning', 'io', err.message, { ifname: st.name, code: err.code });
    }
  }

  // ---- HELLO ------------------------------------------------------------------------

  private scheduleHello(): void {
    if (this.helloTimer) this.clock.clearTimer(this.helloTimer);
    this.helloTimer = this.clock.setTimer(this.cfg.helloInterval, () => {
      this.helloTimer = null;
      if (this.stopped) return;
      for (const st of this.ifaces.values()) this.sendHello(st);
      this.scheduleHello();
    });
  }

  private sendHello(st: IfState): void {
    if (!st.link || !st.active) return;
    for (const f of this.helloFrames) st.link.send(this.cfg.helloMulticastMacaddr, f);
    this.count.hellosSent!++;
    this.count.framesSent! += this.helloFrames.length;
    this.log.log('debug', 'io', `HELLO on ${st.name}`, { ifname: st.name });
  }

  // ---- receiving --------------------------------------------------------------------

  private onFrame(st: IfState, f: ReceivedFrame): void {
    if (this.stopped || !st.active) return;
    this.count.framesReceived!++;
    const now = this.clock.now();
    const records = this.stream.push({ time: now, ifname: st.name, dst: f.dst, src: f.src, payload: f.payload });
    for (const r of records) this.onRecord(st, r, now);
  }

  private onRecord(st: IfState, r: StreamRecord, now: number): void {
    if (r.kind === 'error') {
      this.count.malformedFrames!++;
      const reasonKey = `malformed.${r.error.reason}`;
      this.count[reasonKey] = (this.count[reasonKey] ?? 0) + 1;
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
    this.count.pdusReceived!++;
    if (this.log.debugEnabled('io')) {
      this.log.log('debug', 'io', `received ${r.pdu.type}`, { ifname: st.name, src: r.src, pdu: r.pdu });
    }
    this.onPdu(st, r.src, r.pdu, now);
  }

  private onPdu(st: IfState, src: string, pdu: Pdu, now: number): void {
    const key = sessionKey(st.name, src);
    let e = this.sessionTable.get(key);
    if (e === undefined) {
      // Only what can start a session creates one: an ACK or an encapsulation from a
      // stranger would leave an idle session behind and cost a rate token.
      if (pdu.type !== 'HELLO' && pdu.type !== 'KEEPALIVE' && pdu.type !== 'OPEN') {
        this.count.pdusFromUnknownPeers!++;
        return;
      }
      const refusal = this.makeRoom(st, now);
      if (refusal !== null) {
        this.count.sessionsRefused!++;
        const k = `sessionsRefused.${refusal}`;
        this.count[k] = (this.count[k] ?? 0) + 1;
        const held = this.boundsLog.allow(`${st.name}|${refusal}`, now);
        if (held !== null) {
          this.log.log('warning', 'bounds', `new session refused: ${refusal}`, {
            ifname: st.name,
            src,
            ...(held > 0 ? { suppressed: held } : {}),
          });
        }
        return;
      }
      e = this.createEntry(st, key, src, now);
    }
    this.sessionTable.feed(e, { type: 'pdu-received', pdu });
  }

  /**
   * Whether a new neighbour may have a session: when the interface's share or the whole
   * table is full, a hopeless or never-opened session makes room (else strangers that
   * never finish, or that declare themselves hopeless, would lock real neighbours out).
   * The rate is checked before anything is evicted, so a refusal costs no one a place.
   */
  private makeRoom(st: IfState, now: number): Refusal | null {
    const limits = { maxSessions: this.cfg.maxSessions, maxSessionsPerInterface: this.cfg.maxSessionsPerInterface };
    const full = sizeRefusal(limits, this.sessionTable.size, this.sessionTable.countOn(st.name));
    let victim: Entry | null = null;
    if (full !== null) {
      victim = evictionVictim(full === 'max-sessions-per-interface' ? this.sessionTable.onInterface(st.name) : this.sessionTable.all());
      if (victim === null) return full;
    }
    if (!st.bucket.take(now)) return 'new-session-rate';
    if (victim !== null) this.forget(victim, 'evicted');
    return null;
  }

  /** Drops a session that is not open (aged out or evicted); an opening one is closed first. */
  private forget(e: Entry, why: 'aged-out' | 'evicted'): void {
    this.count[why === 'aged-out' ? 'sessionsAgedOut' : 'sessionsEvicted']!++;
    if (this.log.debugEnabled('bounds')) {
      this.log.log('debug', 'bounds', `${e.s.phase} session with ${e.peerMac} on ${e.ifname} forgotten: ${why}`, {
        ifname: e.ifname,
        peerMac: e.peerMac,
      });
    }
    if (e.s.phase === 'opening') this.sessionTable.feed(e, { type: 'close' });
    this.sessionTable.remove(e);
  }

  private createEntry(st: IfState, key: string, peerMac: string, now: number): Entry {
    this.count.sessionsCreated!++;
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

  // ---- what sessions mean for the world ----------------------------------------------

  private hooks(): SessionHooks {
    return {
      send: (e, dst, pdu) => this.sendPdu(e, dst, pdu),
      up: (e, now) => this.onUp(e, now),
      down: (e, reason, wasOpen, now) => this.onDown(e, reason, wasOpen, now),
      report: (e, type, encaps, peerId, now) => this.onReport(e, type, encaps, peerId, now),
      withdraw: (e, types, peerId, now) => this.onWithdraw(e, types, peerId, now),
      vendor: (e, pdu, now) => this.onVendor(e, pdu, now),
      log: (e, level, message, now) => this.fsmLog(e, level, message, now),
    };
  }

  private onUp(e: Entry, now: number): void {
    this.count.sessionsUp!++;
    this.history.up(e.ifname, e.peerMac, e.peerId, now);
    this.log.log('info', 'fsm', `session up with ${e.peerMac} on ${e.ifname}`, {
      event: 'session-up',
      ifname: e.ifname,
      peerMac: e.peerMac,
      peerId: e.peerId,
    });
    this.emit({ event: 'session-up', time: isoTime(now), ifname: e.ifname, peerMac: e.peerMac, peerId: e.peerId });
    this.options.plugins?.sessionUp(this.vendorSession(e));
  }

  private onDown(e: Entry, reason: CloseReason, wasOpen: boolean, now: number): void {
    this.count.sessionsDown!++;
    if (!wasOpen) {
      this.log.log('debug', 'fsm', `opening session with ${e.peerMac} on ${e.ifname} given up: ${reason}`, {
        ifname: e.ifname,
        peerMac: e.peerMac,
        reason,
      });
      return;
    }
    this.history.down(e.ifname, e.peerMac, e.peerId, reason, now);
    this.log.log('info', 'fsm', `session down with ${e.peerMac} on ${e.ifname}: ${reason}`, {
      event: 'session-down',
      ifname: e.ifname,
      peerMac: e.peerMac,
      peerId: e.peerId,
      reason,
    });
    this.emit({ event: 'session-down', time: isoTime(now), ifname: e.ifname, peerMac: e.peerMac, peerId: e.peerId, reason });
    this.options.plugins?.sessionDown(this.vendorSession(e));
  }

  private onReport(e: Entry, type: EncapsulationTypeName, encaps: readonly Encapsulation[], peerId: string | null, now: number): void {
    this.northbound(e, type, encaps, peerId);
    const summary = encaps.map(encapText).join(', ') || 'nothing';
    this.log.log('info', 'fsm', `${e.peerMac} on ${e.ifname} announces ${type}: ${summary}`, {
      event: 'encaps-changed',
      ifname: e.ifname,
      peerMac: e.peerMac,
      peerId,
      type,
      encaps,
    });
    this.emit({ event: 'encaps-changed', time: isoTime(now), ifname: e.ifname, peerMac: e.peerMac, peerId, type, encaps });
  }

  private onWithdraw(e: Entry, types: EncapsulationTypeName[], peerId: string | null, now: number): void {
    for (const type of types) this.northbound(e, type, [], peerId);
    for (const type of e.learnedTypes) {
      this.emit({ event: 'encaps-changed', time: isoTime(now), ifname: e.ifname, peerMac: e.peerMac, peerId, type, encaps: [], withdrawn: true });
    }
  }

  private sendPdu(e: Entry, dst: string, pdu: Pdu): void {
    const link = this.ifaces.get(e.ifname)?.link ?? null;
    this.count.pdusSent!++;
    if (link === null) {
      this.count.framesNotSent!++;
      return;
    }
    let frames: Buffer[];
    try {
      frames = splitPdu(encodePdu(pdu));
    } catch (err) {
      this.log.log('error', 'fsm', `cannot encode ${pdu.type}: ${(err as Error).message}`, { ifname: e.ifname, peerMac: e.peerMac });
      return;
    }
    for (const f of frames) link.send(dst, f);
    this.count.framesSent! += frames.length;
    if (this.log.debugEnabled('io')) this.log.log('debug', 'io', `sent ${pdu.type}`, { ifname: e.ifname, dst, pdu });
  }

  private fsmLog(e: Entry, level: Level, message: string, now: number): void {
    // A flood of strangers must not flood the log: warnings of sessions that never
    // opened share one limiter; real peers' are always said.
    if (level === 'warning' && !e.everOpen) {
      const held = this.boundsLog.allow('unopened-warning', now);
      if (held === null) return;
      this.log.log(level, 'fsm', message, { ifname: e.ifname, peerMac: e.peerMac, ...(held > 0 ? { suppressed: held } : {}) });
      return;
    }
    this.log.log(level, 'fsm', message, { ifname: e.ifname, peerMac: e.peerMac });
  }

  private northbound(e: Entry, type: EncapsulationTypeName, encaps: readonly Encapsulation[], peerId: string | null): void {
    this.count.reportsSubmitted!++;
    const report = buildReport({
      localId: this.localId,
      sessionNumber: e.number,
      ifname: e.ifname,
      peerMac: e.peerMac,
      peerId,
      peerAttributes: e.peerAttributes,
      type,
      encaps,
    });
    this.options.report?.(report);
  }

  private onVendor(e: Entry, pdu: VendorPdu, now: number): void {
    this.count.vendorPdusReceived!++;
    const handled = this.options.plugins?.deliver(pdu, this.vendorSession(e)) ?? false;
    if (!handled && this.vendorLog.allow(`${pdu.enterpriseNumber}`, now) !== null) {
      this.log.log('info', 'plugin', `VENDOR PDU for enterprise ${pdu.enterpriseNumber}: no plugin, ACKed and ignored`, {
        ifname: e.ifname,
        peerMac: e.peerMac,
        enterpriseType: pdu.enterpriseType,
      });
    }
  }

  private vendorSession(e: Entry): VendorSession {
    return {
      ifname: e.ifname,
      peerMac: e.peerMac,
      peerId: e.peerId,
      peerAttributes: e.peerAttributes,
      send: (enterpriseNumber, enterpriseType, data) => {
        // Checked here, where the plugin can hear it: a PDU that cannot be encoded would
        // otherwise fail again on every retransmission until the session gives up.
        if (!Number.isInteger(enterpriseNumber) || enterpriseNumber < 0 || enterpriseNumber > 0xffffffff) {
          throw new PluginError(`send(): enterprise number ${String(enterpriseNumber)} is not an integer in 0..4294967295`);
        }
        if (!Number.isInteger(enterpriseType) || enterpriseType < 0 || enterpriseType > 255) {
          throw new PluginError(`send(): enterprise type ${String(enterpriseType)} is not an integer in 0..255`);
        }
        if (typeof data !== 'string' && !Buffer.isBuffer(data)) throw new PluginError('send(): data must be a Buffer or a hex string');
        const hex = typeof data === 'string' ? data.toLowerCase() : data.toString('hex');
        if (!/^([0-9a-f]{2})*$/.test(hex)) throw new PluginError('send(): data is not a string of hex octets');
        const pdu: VendorPdu = { type: 'VENDOR', enterpriseNumber, enterpriseType, data: hex };
        try {
          splitPdu(encodePdu(pdu));
        } catch (err) {
          throw new PluginError(`send(): VENDOR PDU cannot be encoded: ${oneLine(err)}`);
        }
        if (e.removed || e.s.phase !== 'open') return false;
        this.sessionTable.feed(e, { type: 'send-vendor', pdu });
        return true;
      },
    };
  }

  private emit(event: DaemonEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (err) {
        this.log.log('error', 'core', `event listener failed: ${(err as Error).message}`);
      }
    }
  }

  private housekeeping(): void {
    if (this.stopped) return;
    // rescheduled first: whatever fails below, housekeeping goes on
    this.housekeepingTimer = this.clock.setTimer(HOUSEKEEPING, () => this.housekeeping());
    const now = this.clock.now();
    // lsoed's MAC cache: a neighbour that never got (or no longer is) open and has been
    // silent this long is forgotten, hopeless ones included.
    for (const e of agedOut(this.sessionTable.all(), this.cfg.macAddressCacheTimeout, now)) this.forget(e, 'aged-out');
    for (const r of this.stream.expire(now)) {
      const st = r.ifname === undefined ? undefined : this.ifaces.get(r.ifname);
      if (st) this.onRecord(st, r, now);
    }
  }

  private newStream(): LsoeStream {
    return new LsoeStream({
      timeout: this.cfg.reassemblyTimeout,
      maxBytesPerSender: this.cfg.reassemblyMaxBytesPerSender,
      maxBytesTotal: this.cfg.reassemblyMaxBytesTotal,
      maxSenders: Math.max(1024, this.cfg.maxSessions),
    });
  }

  // ---- DaemonCore -------------------------------------------------------------------

  sessions(): SessionView[] {
    const out: SessionView[] = [];
    for (const e of this.sessionTable.all()) {
      const s = e.s;
      if (s.phase !== 'open' && s.phase !== 'opening') continue;
      out.push({
        ifname: e.ifname,
        peerMac: e.peerMac,
        peerId: s.peerId,
        state: s.phase,
        since: isoTime(s.since),
        lastHeard: s.lastHeard === null ? null : isoTime(s.lastHeard),
        counters: { ...s.counters },
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
    for (const st of this.ifaces.values()) {
      if (!st.active || st.announced === null) continue;
      for (const type of ENCAPSULATION_TYPES) {
        out.push({ ifname: st.name, type, encaps: st.announced[type].map((x) => ({ ...x })) });
      }
    }
    return out;
  }

  counters(): Record<string, number> {
    let open = 0;
    let opening = 0;
    let hopeless = 0;
    for (const e of this.sessionTable.all()) {
      if (e.s.phase === 'open') open++;
      else if (e.s.phase === 'opening') opening++;
      else if (e.s.phase === 'hopeless') hopeless++;
    }
    let linkDropped = 0;
    let linkIfDropped = 0;
    for (const st of this.ifaces.values()) {
      const s = st.link?.stats();
      if (s) {
        linkDropped += s.dropped;
        linkIfDropped += s.ifDropped;
      }
    }
    const r = this.stream.stats();
    return {
      ...this.count,
      sessions: this.sessionTable.size,
      sessionsOpen: open,
      sessionsOpening: opening,
      sessionsHopeless: hopeless,
      interfaces: [...this.ifaces.values()].filter((s) => s.active).length,
      captureDropped: linkDropped,
      captureIfDropped: linkIfDropped,
      reassemblySenders: r.senders,
      reassemblyBytes: r.bytes,
      ...(this.options.extraCounters?.() ?? {}),
    };
  }

  config(): Record<string, unknown> {
    return configToRecord(this.cfg, { 'effective-local-id': this.localId });
  }

  version(): string {
    return this.options.version ?? '0.0.0';
  }

  neighbors(): InterfaceNeighbors[] {
    return [...this.ifaces.values()].map((st) =>
      neighborsOf(
        { ifname: st.name, mac: st.info.mac, up: st.info.up, running: st.active && st.link !== null },
        this.sessionTable.onInterface(st.name),
        this.history.on(st.name),
      ),
    );
  }

  interfaceSelection(): InterfaceSelection {
    return { patterns: [...this.cfg.interfaces], unmatched: unmatchedPatterns(this.cfg, this.table) };
  }

  /**
   * The operator reset: matching sessions are closed and forgotten (a hopeless one is
   * reset first, releasing its marker), then a HELLO goes out on their interfaces so the
   * neighbours open new ones at once rather than at their next HELLO.
   */
  clearSessions(filter: SessionFilter): number {
    const hit = this.sessionTable
      .all()
      .filter((e) => (filter.ifname === undefined || e.ifname === filter.ifname) && (filter.peerMac === undefined || e.peerMac === filter.peerMac));
    const ifnames = new Set<string>();
    for (const e of hit) {
      this.sessionTable.feed(e, { type: e.s.phase === 'hopeless' ? 'reset' : 'close' });
      this.sessionTable.remove(e);
      ifnames.add(e.ifname);
    }
    if (hit.length > 0) {
      this.log.log('info', 'core', `operator cleared ${hit.length} session${hit.length === 1 ? '' : 's'}`, { ...filter });
    }
    for (const name of ifnames) {
      const st = this.ifaces.get(name);
      if (st !== undefined) this.sendHello(st);
    }
    return hit.length;
  }

  subscribe(listener: (e: DaemonEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Our Local ID (20 hex digits). */
  get id(): string {
    return this.localId;
  }
}
