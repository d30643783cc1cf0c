// The gate between the wire and the sessions. Whatever a neighbour sends passes here
// first, and here it is decided what it may cost us:
//  - frames: never from a group, all-zero or own source MAC, only to our MAC, the
//    HELLO group or broadcast (promiscuous capture delivers other stations' frames),
//    never from a neighbour held down;
//  - sessions: created only by HELLO/KEEPALIVE/OPEN, within the size bounds (evicting a
//    hopeless or never-opened session) and the per-interface rate;
//  - restarts: per-neighbour rate limit and hold-down (restart-limit.ts);
//  - encapsulations: capped per type and per interface (encaps-cap.ts);
//  - ageing: strangers that are not open are forgotten after mac-address-cache-timeout.
// Everything refused is counted by reason.
import type { ReceivedFrame } from '../io/link.js';
import { isGroupMac } from '../io/link.js';
import { sessionKey } from '../proto/session/index.js';
import { ENCAPSULATION_TYPES, type EncapsulationPdu, type EncapsulationTypeName, type Pdu } from '../proto/types.js';
import { sizeRefusal, type Refusal } from './bounds.js';
import type { DaemonConfig } from './config.js';
import { bump, type CoreCounts, type FrameDropReason } from './counters.js';
import { bytesAllowed, capEncaps, listBytes } from './encaps-cap.js';
import { agedOut, evictionVictim } from './eviction.js';
import type { IfState, InterfaceSet } from './interface-set.js';
import { LogLimiter, type Logger } from './log.js';
import { causesRestart, RestartLimiter, type HoldDown } from './restart-limit.js';
import type { Entry, SessionTable } from './session-table.js';

const ZERO_MAC = '00:00:00:00:00:00';
/** Addressed to every station, us included (`lsoe hello --dst ff:ff:ff:ff:ff:ff` finds us). */
const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';

/** Sizes of learned lists, computed once per list (lists are never mutated). */
const sizes = new WeakMap<readonly unknown[], number>();

function learnedBytes(e: Entry, except?: EncapsulationTypeName): number {
  let n = 0;
  for (const type of ENCAPSULATION_TYPES) {
    if (type === except) continue;
    const list = e.s.learned[type];
    if (list === undefined) continue;
    let b = sizes.get(list);
    if (b === undefined) sizes.set(list, (b = listBytes(type, list)));
    n += b;
  }
  return n;
}

export class Admission {
  private readonly restarts: RestartLimiter;
  private ownMacs = new Set<string>();
  private readonly boundsLog = new LogLimiter(10);
  /** sessions already warned about a cap (once per session instance) */
  private readonly capWarned = new WeakSet<Entry>();

  constructor(
    private cfg: DaemonConfig,
    private readonly table: SessionTable,
    private readonly ifaces: InterfaceSet,
    private readonly log: Logger,
    private readonly count: CoreCounts,
    private readonly create: (st: IfState, key: string, peerMac: string, now: number) => Entry,
  ) {
    this.restarts = new RestartLimiter(policyOf(cfg), Math.max(1024, cfg.maxSessions));
  }

  reconfigure(cfg: DaemonConfig): void {
    this.cfg = cfg;
    this.restarts.setPolicy(policyOf(cfg));
  }

  /** The interface table changed: our own MACs may have too. */
  refreshOwnMacs(): void {
    this.ownMacs = this.ifaces.ownMacs();
  }

  // ---- frames -------------------------------------------------------------------

  /** Why this frame must be dropped unread, or null to take it. */
  frameRefusal(st: IfState, f: ReceivedFrame, now: number): FrameDropReason | null {
    const src = f.src;
    let why: FrameDropReason | null = null;
    if (isGroupMac(src)) why = 'group-source';
    else if (src === ZERO_MAC) why = 'zero-source';
    else if (this.ownMacs.has(src) || src === st.link?.mac) why = 'own-source';
    else if (f.dst !== st.link?.mac && f.dst !== this.cfg.helloMulticastMacaddr && f.dst !== BROADCAST_MAC) why = 'not-for-us';
    else if (this.restarts.holding && this.restarts.heldDown(sessionKey(st.name, src), now) !== null) why = 'held-down';
    if (why !== null) {
      this.count.framesDropped++;
      bump(this.count.framesDroppedBy, why);
      if (why !== 'held-down' && this.log.debugEnabled('bounds')) {
        this.log.log('debug', 'bounds', `frame from ${src} to ${f.dst} on ${st.name} dropped: ${why}`, { ifname: st.name });
      }
    }
    return why;
  }

  // ---- PDUs ---------------------------------------------------------------------

  /**
   * The session this PDU may be stepped into, the PDU as it may be stepped (capped),
   * or null when it is to be dropped (refused, or its restart earned a hold-down).
   */
  admit(st: IfState, src: string, pdu: Pdu, now: number): { entry: Entry; pdu: Pdu } | null {
    // (by interface and MAC as received: no key text made per frame for a known neighbour)
    let e = this.table.find(st.name, src);
    if (e === undefined) {
      const key = sessionKey(st.name, src);
      e = this.table.get(key);
      if (e === undefined) return this.newcomer(st, key, src, pdu, now);
    }
    if (causesRestart(e.s, pdu)) {
      this.count.sessionRestarts++;
      const held = this.restarts.restart(e.key, st.name, src, now);
      if (held !== null) {
        this.holdDown(e, held, now);
        return null;
      }
    }
    if (pdu.type.endsWith('_ENCAPSULATION')) return { entry: e, pdu: this.capped(e, pdu as EncapsulationPdu) };
    return { entry: e, pdu };
  }

  /** A PDU from a neighbour without a session: only what can start one creates one. */
  private newcomer(st: IfState, key: string, src: string, pdu: Pdu, now: number): { entry: Entry; pdu: Pdu } | null {
    // An ACK or an encapsulation from a stranger would leave an idle session behind and
    // cost a rate token.
    if (pdu.type !== 'HELLO' && pdu.type !== 'KEEPALIVE' && pdu.type !== 'OPEN') {
      this.count.pdusFromUnknownPeers++;
      return null;
    }
    const refusal = this.makeRoom(st, now);
    if (refusal !== null) {
      this.refused(st, src, refusal, now);
      return null;
    }
    return { entry: this.create(st, key, src, now), pdu };
  }

  private refused(st: IfState, src: string, refusal: Refusal, now: number): void {
    this.count.sessionsRefused++;
    bump(this.count.sessionsRefusedBy, refusal);
    const held = this.boundsLog.allow(`${st.name}|${refusal}`, now);
    if (held !== null) {
      this.log.log('warning', 'bounds', `new session refused: ${refusal}`, {
        ifname: st.name,
        src,
        ...(held > 0 ? { suppressed: held } : {}),
      });
    }
  }

  private holdDown(e: Entry, h: HoldDown, now: number): void {
    this.count.holdDowns++;
    const held = this.boundsLog.allow(`${e.ifname}|hold-down`, now);
    if (held !== null) {
      this.log.log('warning', 'bounds', `${e.peerMac} on ${e.ifname} restarted ${this.cfg.restartLimit} times within ${this.cfg.restartWindow} s: held down for ${h.until - h.since} s`, {
        ifname: e.ifname,
        peerMac: e.peerMac,
        ...(held > 0 ? { suppressed: held } : {}),
      });
    }
    // Closed once, then nothing more: its frames are dropped before decoding until `until`.
    this.table.feed(e, { type: 'close' });
    this.table.remove(e);
  }

  /** The encapsulation PDU cut to the caps; counted and warned about once per session. */
  private capped(e: Entry, pdu: EncapsulationPdu): EncapsulationPdu {
    const onIf = this.table.onInterface(e.ifname);
    let others = 0;
    for (const o of onIf) if (o !== e) others += learnedBytes(o);
    const budget = this.cfg.maxEncapsulationBytesPerInterface;
    const own = learnedBytes(e, pdu.type);
    const allowed = bytesAllowed(budget, others, own, onIf.length);
    const c = capEncaps(pdu.type, pdu.encaps, { maxPerType: this.cfg.maxEncapsulationsPerType, maxBytes: allowed });
    if (c.droppedPerType === 0 && c.droppedPerInterface === 0) return pdu;
    this.count.encapsTruncatedPerType += c.droppedPerType;
    this.count.encapsTruncatedPerInterface += c.droppedPerInterface;
    if (!this.capWarned.has(e)) {
      this.capWarned.add(e);
      const why = c.droppedPerType > 0 ? `max-encapsulations-per-type ${this.cfg.maxEncapsulationsPerType}` : `max-encapsulation-bytes-per-interface ${budget}`;
      this.log.log('warning', 'bounds', `${e.peerMac} on ${e.ifname} announces ${pdu.encaps.length} ${pdu.type} entries: keeping the first ${c.encaps.length} (${why})`, {
        ifname: e.ifname,
        peerMac: e.peerMac,
      });
    }
    return { type: pdu.type, encaps: [...c.encaps] };
  }

  /**
   * Whether a new neighbour may have a session: when the interface's share or the whole
   * table is full, a hopeless or never-opened session makes room (else strangers that
   * never finish, or that declare themselves hopeless, would lock real neighbours out).
   * The rate is checked before anything is evicted, so a refusal costs no one a place.
   */
  private makeRoom(st: IfState, now: number): Refusal | null {
    const limits = { maxSessions: this.cfg.maxSessions, maxSessionsPerInterface: this.cfg.maxSessionsPerInterface };
    const full = sizeRefusal(limits, this.table.size, this.table.countOn(st.name));
    let victim: Entry | null = null;
    if (full !== null) {
      victim = evictionVictim(full === 'max-sessions-per-interface' ? this.table.onInterface(st.name) : this.table.all());
      if (victim === null) return full;
    }
    if (!st.bucket.take(now)) return 'new-session-rate';
    if (victim !== null) this.forget(victim, 'evicted');
    return null;
  }

  /** Drops a session that is not open (aged out or evicted); an opening one is closed first. */
  forget(e: Entry, why: 'aged-out' | 'evicted'): void {
    if (why === 'aged-out') this.count.sessionsAgedOut++;
    else this.count.sessionsEvicted++;
    if (this.log.debugEnabled('bounds')) {
      this.log.log('debug', 'bounds', `${e.s.phase} session with ${e.peerMac} on ${e.ifname} forgotten: ${why}`, {
        ifname: e.ifname,
        peerMac: e.peerMac,
      });
    }
    if (e.s.phase === 'opening') this.table.feed(e, { type: 'close' });
    this.table.remove(e);
  }

  /** Housekeeping: ages out strangers, forgets old restarts and ended hold-downs. */
  housekeeping(now: number): void {
    for (const e of agedOut(this.table.all(), this.cfg.macAddressCacheTimeout, now)) this.forget(e, 'aged-out');
    this.restarts.expire(now);
  }

  /** Restarts or hold-downs are on record: housekeeping must come to forget them. */
  get housekeepingDue(): boolean {
    return !this.restarts.empty;
  }

  heldDown(now: number): HoldDown[] {
    return this.restarts.all(now);
  }

  /** Releases matching hold-downs (operator); returns how many. */
  release(match: (h: { ifname: string; peerMac: string }) => boolean, now: number): number {
    const n = this.restarts.release(match, now);
    this.count.holdDownsReleased += n;
    return n;
  }
}

function policyOf(cfg: DaemonConfig) {
  return { limit: cfg.restartLimit, window: cfg.restartWindow, holdDown: cfg.restartHoldDown };
}
