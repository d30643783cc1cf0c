// The BGP-LS northbound (PROTOCOL.md section 8): one BgpSpeaker per configured peer,
// fed by the daemon core's events and query methods. It reads the core, never changes
// it, so a broken BGP peer cannot touch LSOE. Every change to the view schedules one
// recomputation (coalesced), whose difference each established peer gets at once.
import { hostname } from 'node:os';
import { routerIdOf } from '../bgp/ls/router-id.js';
import { lsRoutes, type LsRouteSet, type LsSettings, type LsView } from '../bgp/ls/view.js';
import { peerText } from '../bgp/peer-address.js';
import { BgpSpeaker, type PeerStatus, type SpeakerChange } from '../bgp/speaker.js';
import { CEASE_SUB } from '../bgp/wire/errors.js';
import type { NetInterface } from '../io/interfaces.js';
import type { Encapsulation } from '../proto/types.js';
import { BgpConfigError, remoteAsnFor } from './bgp-config.js';
import { bgpLoopbacks } from './encaps-local.js';
import type { Clock, TimerHandle } from './clock.js';
import type { DaemonConfig } from './config.js';
import type { Logger } from './log.js';
import type { DaemonCore } from './views.js';

/** Connect-retry backoff of section 8: 5 s doubling up to 120 s. */
const RETRY_FIRST = 5;
const RETRY_MAX = 120;
/**
 * Changes closer together than this go out in one recomputation. A change after a quiet
 * spell goes out as soon as the work that made it is done (a link down is withdrawn at
 * once); only changes that follow a send within this time wait for the rest of it (a
 * burst, such as a fabric converging, goes out in few UPDATEs).
 */
export const COALESCE = 0.02;

export interface BgpStatus {
  enabled: boolean;
  routerId: string | null;
  asn: number | null;
  /** routes we would announce now */
  routes: number;
  /** open LSOE sessions whose Link NLRI waits for the peer's router-id */
  heldBack: { ifname: string; peerMac: string }[];
  peers: PeerStatus[];
}

/** The control socket's `bgp` topic: a peer's state changed, or NLRI went to it. */
export type BgpEvent =
  | { event: 'bgp-state'; time: string; peer: string; state: PeerStatus['state']; previous: PeerStatus['state']; lastError: string | null }
  | { event: 'bgp-sent'; time: string; peer: string; announced: number; withdrawn: number; held: number };

export interface NorthboundOptions {
  core: DaemonCore;
  clock: Clock;
  log: Logger;
  /** the interface table now (names, indexes, addresses) */
  interfaces(): readonly NetInterface[];
}

const IP_TYPES = new Set(['IPV4_ENCAPSULATION', 'IPV6_ENCAPSULATION']);

/** The router-id section 8 allows: our lowest loopback IPv4; a configured other one is refused. */
export function checkRouterId(config: DaemonConfig, loopbacks: readonly Encapsulation[]): string {
  const derived = routerIdOf(loopbacks);
  if (derived === null) {
    throw new BgpConfigError('bgp-peer is set but we have no loopback IPv4 to be our BGP router-id (add one to lo, or name the interface in loopback-interfaces)');
  }
  if (config.bgpRouterId !== null && config.bgpRouterId !== derived) {
    throw new BgpConfigError(`bgp-router-id ${config.bgpRouterId} is refused: it must be our lowest loopback IPv4, ${derived}, so that neighbours name us alike (PROTOCOL.md section 8)`);
  }
  return derived;
}

/** What makes a peer's session: when any of it changes, that peer reconnects. */
function sessionKey(c: DaemonConfig, routerId: string): string {
  return JSON.stringify([c.bgpAsn, c.bgpPeerAsn ?? c.bgpAsn, c.bgpHoldTime, routerId]);
}

export class BgpNorthbound {
  private config: DaemonConfig | null = null;
  private routerId: string | null = null;
  private readonly speakers = new Map<string, { speaker: BgpSpeaker; key: string }>();
  private routes: LsRouteSet = { routes: new Map(), heldBack: [] };
  /** the view changed since `routes` was computed */
  private dirty = true;
  /** the recomputation to come (a timer, or the end of the current turn: null handle) */
  private pending: { timer: TimerHandle | null } | null = null;
  private unsubscribe: (() => void) | null = null;
  /** a derived router-id configure() refused (logged once) */
  private refusedRouterId: string | null = null;
  private readonly listeners = new Set<(e: BgpEvent) => void>();
  /** when the routes were last sent (clock seconds) */
  private lastSync = -Infinity;

  /** Every peer's state changes and UPDATEs sent, as events; returns the unsubscribe. */
  subscribe(listener: (e: BgpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(peer: string, c: SpeakerChange): void {
    if (this.listeners.size === 0) return;
    const time = new Date(this.o.clock.now() * 1000).toISOString();
    const e: BgpEvent =
      c.kind === 'state'
        ? { event: 'bgp-state', time, peer, state: c.state, previous: c.previous, lastError: c.lastError }
        : { event: 'bgp-sent', time, peer, announced: c.announced, withdrawn: c.withdrawn, held: c.held };
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        // a listener's bug is not the speaker's: keep the session
        this.o.log.log('error', 'bgp', `event listener: ${(err as Error).message}`);
      }
    }
  }

  constructor(private readonly o: NorthboundOptions) {}

  /** Applies a configuration (at start and on SIGHUP). Throws BgpConfigError. */
  configure(config: DaemonConfig): void {
    const loopbacks = this.loopbacks(config);
    const routerId = config.bgpPeer.length > 0 ? checkRouterId(config, loopbacks) : routerIdOf(loopbacks);
    this.config = config;
    this.routerId = routerId;
    const key = sessionKey(config, routerId ?? '');
    const wanted = new Map(config.bgpPeer.map((p) => [peerText(p), p]));
    for (const [name, entry] of this.speakers) {
      if (!wanted.has(name)) {
        this.o.log.log('info', 'bgp', `${name}: removed from the configuration`);
        void entry.speaker.stop(CEASE_SUB.peerDeconfigured);
        this.speakers.delete(name);
      } else if (entry.key !== key) {
        this.o.log.log('info', 'bgp', `${name}: session parameters changed, reconnecting`);
        void entry.speaker.stop(CEASE_SUB.otherConfigurationChange);
        this.speakers.delete(name);
      }
    }
    this.recompute();
    for (const [name, peer] of wanted) {
      if (this.speakers.has(name)) continue;
      const asn = config.bgpAsn!;
      const peerAsn = config.bgpPeerAsn ?? asn;
      const speaker = new BgpSpeaker({
        peer,
        params: { asn, peerAsn, holdTime: config.bgpHoldTime, routerId: routerId!, connectRetryFirst: RETRY_FIRST, connectRetryMax: RETRY_MAX, random: Math.random },
        clock: this.o.clock,
        log: this.o.log,
        ebgp: asn !== peerAsn,
        routes: () => this.current().routes,
        onChange: (c) => this.emit(name, c),
      });
      this.speakers.set(name, { speaker, key });
      speaker.start();
    }
    if (this.unsubscribe === null && this.speakers.size > 0) this.unsubscribe = this.o.core.subscribe(() => this.changed());
    for (const { speaker } of this.speakers.values()) speaker.sync();
  }

  /** Something the routes depend on changed (a core event, the interface table). */
  changed(): void {
    this.dirty = true;
    if (this.pending !== null || this.speakers.size === 0) return;
    const run = (): void => {
      if (this.pending !== entry) return; // stopped meanwhile
      this.pending = null;
      this.lastSync = this.o.clock.now();
      if (this.routerIdMoved()) return;
      for (const { speaker } of this.speakers.values()) speaker.sync();
    };
    const entry: { timer: TimerHandle | null } = { timer: null };
    this.pending = entry;
    const wait = COALESCE - (this.o.clock.now() - this.lastSync);
    // After a quiet spell: at the end of this turn, once the change that called us is
    // complete. Measured (bench lab-bgp): any timer, even of 0 ms, queued behind the
    // interface re-read a link change sets off and fired 80-200 ms late on a loaded machine.
    if (wait <= 0) queueMicrotask(run);
    else entry.timer = this.o.clock.setTimer(wait, run);
  }

  /**
   * A loopback came or went and our lowest loopback IPv4 is no longer our router-id:
   * neighbours now name us by the new one, so the sessions restart with it (or, when
   * bgp-router-id pins the old one, that is logged and nothing changes).
   */
  private routerIdMoved(): boolean {
    const c = this.config;
    const derived = c === null ? null : routerIdOf(this.loopbacks(c));
    if (c === null || c.bgpPeer.length === 0 || derived === this.routerId || derived === this.refusedRouterId) return false;
    try {
      this.configure(c);
    } catch (err) {
      // said once per new value, not at every change
      this.refusedRouterId = derived;
      this.o.log.log('error', 'bgp', `router-id not changed: ${(err as Error).message}`);
      return false;
    }
    this.o.log.log('info', 'bgp', `router-id is now ${this.routerId}`);
    return true;
  }

  private current(): LsRouteSet {
    if (this.dirty) this.recompute();
    return this.routes;
  }

  status(): BgpStatus {
    return {
      enabled: this.speakers.size > 0,
      routerId: this.routerId,
      asn: this.config?.bgpAsn ?? null,
      routes: this.current().routes.size,
      heldBack: this.current().heldBack,
      peers: [...this.speakers.values()].map((e) => e.speaker.status()),
    };
  }

  /** Cease to every peer; resolves when the NOTIFICATIONs are written. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.pending?.timer) this.o.clock.clearTimer(this.pending.timer);
    this.pending = null;
    await Promise.all([...this.speakers.values()].map((e) => e.speaker.stop()));
    this.speakers.clear();
  }

  private loopbacks(config: DaemonConfig): Encapsulation[] {
    return bgpLoopbacks(config, this.o.interfaces());
  }

  private recompute(): void {
    this.dirty = false;
    const c = this.config;
    if (c === null || c.bgpPeer.length === 0) {
      this.routes = { routes: new Map(), heldBack: [] };
      return;
    }
    const asn = c.bgpAsn!;
    const settings: LsSettings = {
      asn,
      instanceId: c.bgpLsInstanceId,
      igpRouterId: c.bgpLsIgpRouterId,
      nodeName: c.bgpLsNodeName ?? hostname(),
      remoteAsn: (ifname) => remoteAsnFor(c.bgpLsRemoteAsn, ifname, asn),
    };
    this.routes = lsRoutes(this.view(c), settings);
  }

  private view(c: DaemonConfig): LsView {
    const index = new Map(this.o.interfaces().map((i) => [i.name, i.index]));
    const announced = new Map<string, Encapsulation[]>();
    for (const a of this.o.core.announcedEncaps()) {
      if (!IP_TYPES.has(a.type)) continue;
      announced.set(a.ifname, [...(announced.get(a.ifname) ?? []), ...a.encaps]);
    }
    const learned = new Map<string, Encapsulation[]>();
    for (const l of this.o.core.learnedEncaps()) {
      if (!IP_TYPES.has(l.type)) continue;
      const k = `${l.ifname}|${l.peerMac}`;
      learned.set(k, [...(learned.get(k) ?? []), ...l.encaps]);
    }
    return {
      routerId: this.routerId,
      loopbacks: this.loopbacks(c),
      interfaces: [...announced].map(([ifname, list]) => ({ ifname, ifindex: index.get(ifname) ?? 0, announced: list })),
      sessions: this.o.core
        .sessions()
        .filter((s) => s.state === 'open')
        .map((s) => ({ ifname: s.ifname, peerMac: s.peerMac, learned: learned.get(`${s.ifname}|${s.peerMac}`) ?? [] })),
    };
  }
}
