// What the session machine's actions mean for the world (the SessionHooks of
// session-table.ts): frames on the wire, log lines, control-socket events, northbound
// reports and vendor plugins. Everything a neighbour can cause here is bounded per
// neighbour: log lines by NeighbourLog, encapsulation reports and their events by a
// throttle per (session, type) that sends the first change at once and folds further
// changes within `REPORT_HOLD` seconds into one, the latest; and what subscribers see of
// one neighbour's events (session up and down included) by NeighbourEvents.
import { isGroupMac } from '../io/link.js';
import { splitPdu } from '../proto/fragment.js';
import { encodePdu } from '../proto/pdu/index.js';
import type { CloseReason } from '../proto/session/index.js';
import type { Encapsulation, EncapsulationTypeName, Pdu, VendorPdu } from '../proto/types.js';
import { isoTime, type Clock, type TimerHandle } from './clock.js';
import { bump, type CoreCounts } from './counters.js';
import type { InterfaceSet } from './interface-set.js';
import { KEEPALIVE_FRAMES } from './keepalive-frame.js';
import { LogLimiter, type Level, type Logger } from './log.js';
import { NeighbourEvents } from './neighbour-events.js';
import { NeighbourLog } from './neighbour-log.js';
import { PluginError, type PluginRegistry, type VendorSession } from './plugins.js';
import { buildReport, type Rfc7752Report } from './report.js';
import type { Entry, SessionHooks, SessionTable } from './session-table.js';
import type { DaemonEvent } from './views.js';

/** Seconds during which further changes of one (session, type) are folded into one report. */
export const REPORT_HOLD = 1;

/** An error as one line of a log message (never a stack). */
export function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

function encapKey(e: Encapsulation): string {
  return `${e.address}/${e.prefixLength}${e.primary ? 'P' : ''}${e.loopback ? 'L' : ''}${(e.labels ?? []).join(' ')}`;
}

/** `12 entries (+3 −1)`: an encapsulation change in a log line, never every entry. */
export function changeSummary(before: readonly Encapsulation[] | undefined, after: readonly Encapsulation[]): string {
  const old = new Set((before ?? []).map(encapKey));
  const now = new Set(after.map(encapKey));
  let added = 0;
  let removed = 0;
  for (const k of now) if (!old.has(k)) added++;
  for (const k of old) if (!now.has(k)) removed++;
  return `${after.length} ${after.length === 1 ? 'entry' : 'entries'} (+${added} −${removed})`;
}

export interface EffectsOptions {
  clock: Clock;
  log: Logger;
  count: CoreCounts;
  ifaces: InterfaceSet;
  localId: () => string;
  report?: (r: Rfc7752Report) => void;
  plugins?: PluginRegistry;
}

interface HeldReport {
  /** the throttle's window ends; a change inside it waits */
  timer: TimerHandle | null;
  pending: { encaps: readonly Encapsulation[]; peerId: string | null } | null;
  /** what the last report said, for the diff summary */
  last: readonly Encapsulation[] | undefined;
}

export class SessionEffects implements SessionHooks {
  /** the core's own listeners: every event */
  private readonly observers = new Set<(e: DaemonEvent) => void>();
  /** subscribers (the control socket, the northbound): each neighbour's events coalesced */
  private readonly listeners = new Set<(e: DaemonEvent) => void>();
  private readonly coalesced: NeighbourEvents;
  readonly neighbourLog: NeighbourLog;
  private readonly vendorLog = new LogLimiter(60);
  private readonly held = new Map<Entry, Map<EncapsulationTypeName, HeldReport>>();
  private table: SessionTable | null = null;

  constructor(private readonly o: EffectsOptions) {
    this.neighbourLog = new NeighbourLog(o.log);
    this.coalesced = new NeighbourEvents(
      o.clock,
      REPORT_HOLD,
      (e) => this.tell(this.listeners, e),
      (n) => (o.count.eventsCoalesced += n),
    );
  }

  /** The table whose sessions these are (set once, after it is built with these hooks). */
  attach(table: SessionTable): void {
    this.table = table;
  }

  /** Each neighbour's events, coalesced (what the control socket passes on). */
  subscribe(listener: (e: DaemonEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Every event as it happens (the core's own bookkeeping: neighbour history). */
  observe(listener: (e: DaemonEvent) => void): void {
    this.observers.add(listener);
  }

  /** Tells subscribers what is still held (the daemon stops). */
  flushEvents(): void {
    this.coalesced.close();
  }

  // ---- SessionHooks ---------------------------------------------------------------

  send(e: Entry, dst: string, pdu: Pdu): void {
    this.o.count.pdusSent++;
    bump(this.o.count.pdusSentBy, pdu.type);
    // Only the beacon speaks to a group; a session whose peer is a group is a bug or an attack.
    if (dst === e.peerMac ? e.peerIsGroup : isGroupMac(dst)) {
      this.o.count.sendsToGroupRefused++;
      return;
    }
    const link = this.o.ifaces.get(e.ifname)?.link ?? null;
    if (link === null) {
      this.o.count.framesNotSent++;
      return;
    }
    let frames: readonly Buffer[];
    try {
      // a KEEPALIVE, every second of every session, is the same frame every time (made once)
      frames = pdu.type === 'KEEPALIVE' ? KEEPALIVE_FRAMES : splitPdu(encodePdu(pdu));
    } catch (err) {
      this.o.log.log('error', 'fsm', `cannot encode ${pdu.type}: ${oneLine(err)}`, { ifname: e.ifname, peerMac: e.peerMac });
      return;
    }
    for (const f of frames) link.send(dst, f);
    this.o.count.framesSent += frames.length;
    if (this.o.log.debugEnabled('io')) this.o.log.log('debug', 'io', `sent ${pdu.type}`, { ifname: e.ifname, dst, pdu });
  }

  up(e: Entry, now: number): void {
    this.o.count.sessionsUp++;
    this.say(e, now, 'session', 'info', `session up with ${e.peerMac} on ${e.ifname}`, { event: 'session-up', peerId: e.peerId });
    this.emit({ event: 'session-up', time: isoTime(now), ifname: e.ifname, peerMac: e.peerMac, peerId: e.peerId });
    this.o.plugins?.sessionUp(this.vendorSession(e));
  }

  down(e: Entry, reason: CloseReason, wasOpen: boolean, now: number): void {
    this.o.count.sessionsDown++;
    bump(this.o.count.sessionsDownBy, reason);
    this.dropHeld(e);
    if (!wasOpen) {
      this.o.log.log('debug', 'fsm', `opening session with ${e.peerMac} on ${e.ifname} given up: ${reason}`, {
        ifname: e.ifname,
        peerMac: e.peerMac,
        reason,
      });
      return;
    }
    this.say(e, now, 'session', 'info', `session down with ${e.peerMac} on ${e.ifname}: ${reason}`, {
      event: 'session-down',
      peerId: e.peerId,
      reason,
    });
    this.emit({ event: 'session-down', time: isoTime(now), ifname: e.ifname, peerMac: e.peerMac, peerId: e.peerId, reason });
    this.o.plugins?.sessionDown(this.vendorSession(e));
  }

  report(e: Entry, type: EncapsulationTypeName, encaps: readonly Encapsulation[], peerId: string | null, now: number): void {
    let types = this.held.get(e);
    if (types === undefined) this.held.set(e, (types = new Map()));
    let h = types.get(type);
    if (h === undefined) types.set(type, (h = { timer: null, pending: null, last: undefined }));
    if (h.timer !== null) {
      if (h.pending !== null) this.o.count.reportsCoalesced++;
      h.pending = { encaps, peerId };
      return;
    }
    this.deliver(e, type, h, encaps, peerId, now);
  }

  withdraw(e: Entry, types: EncapsulationTypeName[], peerId: string | null, now: number): void {
    this.dropHeld(e);
    for (const type of types) this.northbound(e, type, [], peerId);
    for (const type of e.learnedTypes) {
      this.emit({ event: 'encaps-changed', time: isoTime(now), ifname: e.ifname, peerMac: e.peerMac, peerId, type, encaps: [], withdrawn: true });
    }
  }

  vendor(e: Entry, pdu: VendorPdu, now: number): void {
    this.o.count.vendorPdusReceived++;
    const handled = this.o.plugins?.deliver(pdu, this.vendorSession(e)) ?? false;
    if (!handled && this.vendorLog.allow(`${pdu.enterpriseNumber}`, now) !== null) {
      this.o.log.log('info', 'plugin', `VENDOR PDU for enterprise ${pdu.enterpriseNumber}: no plugin, ACKed and ignored`, {
        ifname: e.ifname,
        peerMac: e.peerMac,
        enterpriseType: pdu.enterpriseType,
      });
    }
  }

  log(e: Entry, level: Level, message: string, now: number): void {
    this.say(e, now, `fsm-${level}`, level, message, {});
  }

  // ---- the rest -------------------------------------------------------------------

  emit(event: DaemonEvent): void {
    this.tell(this.observers, event);
    this.coalesced.push(event);
  }

  private tell(listeners: Set<(e: DaemonEvent) => void>, event: DaemonEvent): void {
    for (const l of [...listeners]) {
      try {
        l(event);
      } catch (err) {
        this.o.log.log('error', 'core', `event listener failed: ${oneLine(err)}`);
      }
    }
  }

  /**
   * A log line caused by a neighbour. Sessions that never opened (strangers, maybe
   * thousands of spoofed MACs) share one budget per interface; real peers have their own.
   */
  private say(e: Entry, now: number, category: string, level: Level, message: string, fields: Record<string, unknown>): void {
    const n = { ifname: e.ifname, peerMac: e.everOpen ? e.peerMac : 'strangers' };
    const before = this.neighbourLog.suppressedTotal;
    this.neighbourLog.say(now, n, category, level, 'fsm', message, { ifname: e.ifname, peerMac: e.peerMac, ...fields });
    this.o.count.logLinesSuppressed += this.neighbourLog.suppressedTotal - before;
  }

  private deliver(e: Entry, type: EncapsulationTypeName, h: HeldReport, encaps: readonly Encapsulation[], peerId: string | null, now: number): void {
    this.northbound(e, type, encaps, peerId);
    this.say(e, now, `announces-${type}`, 'info', `${e.peerMac} on ${e.ifname} announces ${type}: ${changeSummary(h.last, encaps)}`, {
      event: 'encaps-changed',
      peerId,
      type,
    });
    h.last = encaps;
    this.emit({ event: 'encaps-changed', time: isoTime(now), ifname: e.ifname, peerMac: e.peerMac, peerId, type, encaps, withdrawn: false });
    // the window: a change within it waits for its end, then goes as one report
    h.timer = this.o.clock.setTimer(REPORT_HOLD, () => {
      h.timer = null;
      const p = h.pending;
      h.pending = null;
      if (p !== null && !e.removed) this.deliver(e, type, h, p.encaps, p.peerId, this.o.clock.now());
    });
  }

  /** The session closed: what waits is withdrawn anyway, and the throttle starts afresh. */
  private dropHeld(e: Entry): void {
    const types = this.held.get(e);
    if (types === undefined) return;
    for (const h of types.values()) if (h.timer !== null) this.o.clock.clearTimer(h.timer);
    this.held.delete(e);
  }

  /** Forgets a removed session's throttles. */
  forget(e: Entry): void {
    this.dropHeld(e);
  }

  private northbound(e: Entry, type: EncapsulationTypeName, encaps: readonly Encapsulation[], peerId: string | null): void {
    this.o.count.reportsSubmitted++;
    const report = buildReport({
      localId: this.o.localId(),
      sessionNumber: e.number,
      ifname: e.ifname,
      peerMac: e.peerMac,
      peerId,
      peerAttributes: e.peerAttributes,
      type,
      encaps,
    });
    this.o.report?.(report);
  }

  vendorSession(e: Entry): VendorSession {
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
        if (e.removed || e.s.phase !== 'open' || this.table === null) return false;
        this.table.feed(e, { type: 'send-vendor', pdu });
        return true;
      },
    };
  }
}
