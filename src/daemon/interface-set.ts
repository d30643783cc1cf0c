// The interfaces the daemon runs on: which are selected, which links are open, and
// what we announce on each. Links come up and go down here (with one retry/backoff
// helper for links that fail to open or die); what that means for sessions, HELLOs and
// frames is the core's business, told through InterfaceEvents.
import type { NetInterface } from '../io/interfaces.js';
import type { AnnouncedEncapsSet } from '../proto/session/index.js';
import type { Link, LinkError, ReceivedFrame } from '../io/link.js';
import { Backoff } from './backoff.js';
import { TokenBucket } from './bounds.js';
import type { Clock, TimerHandle } from './clock.js';
import type { DaemonConfig } from './config.js';
import type { CoreCounts } from './counters.js';
import { announcedFor, changedTypes, loopbackAddresses, selectsInterface, type EncapsTable } from './encaps-local.js';
import { fitOnePdu } from './encaps-fit.js';
import { NameSelector } from './glob.js';
import { LogLimiter, type Logger } from './log.js';

/** Opens the link of one interface; rejects with a LinkError. */
export type LinkFactory = (ifname: string, ethertype: number) => Promise<Link>;

/** Seconds before retrying an interface whose link failed to open or died: doubles up to the max. */
const LINK_RETRY_FIRST = 1;
const LINK_RETRY_MAX = 30;

export interface IfState {
  readonly name: string;
  info: NetInterface;
  link: Link | null;
  /** bumps on every (de)activation, so a late link open for an old one is discarded */
  generation: number;
  active: boolean;
  announced: EncapsTable | null;
  /** warned that our addresses do not all fit one PDU (once per interface) */
  warnedTooMany: boolean;
  /** new sessions per second on this interface */
  readonly bucket: TokenBucket;
  readonly timers: Set<TimerHandle>;
  readonly retry: Backoff;
}

/** What the interface set tells the core. */
export interface InterfaceEvents {
  /** a frame from an open link (the core guards against throwing) */
  frame(st: IfState, f: ReceivedFrame): void;
  /** a link opened: `generation` identifies this activation */
  linkOpened(st: IfState, generation: number): void;
  /** the link is closing (down, gone, deselected): close its sessions */
  closing(st: IfState): void;
  /** addresses changed on an interface with open sessions to tell */
  announcedChanged(st: IfState, changed: AnnouncedEncapsSet): void;
}

export class InterfaceSet {
  private readonly states = new Map<string, IfState>();
  private selector: NameSelector;
  private loopbacks: NameSelector;
  /** the last interface table given */
  private table: NetInterface[] = [];
  private stopped = false;
  private readonly linkLog = new LogLimiter(10);

  constructor(
    private cfg: DaemonConfig,
    private readonly clock: Clock,
    private readonly openLink: LinkFactory,
    private readonly log: Logger,
    private readonly count: CoreCounts,
    private readonly events: InterfaceEvents,
  ) {
    this.selector = new NameSelector(cfg.interfaces);
    this.loopbacks = new NameSelector(cfg.loopbackInterfaces);
  }

  get(name: string): IfState | undefined {
    return this.states.get(name);
  }

  all(): IterableIterator<IfState> {
    return this.states.values();
  }

  /** Our MACs on every interface of the last table (a frame from one of them is ours). */
  ownMacs(): Set<string> {
    const out = new Set<string>();
    for (const i of this.table) if (i.mac !== null) out.add(i.mac.toLowerCase());
    return out;
  }

  /** A new configuration; `relink`: the EtherType changed, every link is reopened. */
  reconfigure(cfg: DaemonConfig, relink: boolean): void {
    this.cfg = cfg;
    this.selector = new NameSelector(cfg.interfaces);
    this.loopbacks = new NameSelector(cfg.loopbackInterfaces);
    for (const st of this.states.values()) st.bucket.setRate(cfg.maxNewSessionsPerSecond);
    if (relink) {
      for (const st of this.states.values()) this.deactivate(st);
      this.states.clear();
    }
    this.update(this.table);
  }

  stop(): void {
    this.stopped = true;
    for (const st of this.states.values()) this.deactivate(st);
    this.states.clear();
  }

  /**
   * The interface table changed (or is read for the first time): starts and stops
   * interfaces, closes the sessions of a link that went down, and re-announces
   * addresses to the open sessions they concern.
   */
  update(table: NetInterface[]): void {
    if (this.stopped) return;
    this.table = table;
    const loopback = loopbackAddresses(table, this.loopbacks);
    const mpls = { v4: this.cfg.mplsIpv4Encapsulation, v6: this.cfg.mplsIpv6Encapsulation };
    const present = new Set<string>();
    for (const info of table) {
      if (!selectsInterface(info, this.selector, this.loopbacks)) continue;
      present.add(info.name);
      let st = this.states.get(info.name);
      if (st !== undefined && st.info.mac !== info.mac) {
        // a new MAC is a new identity on the wire: start over
        this.deactivate(st);
        this.states.delete(info.name);
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
          warnedTooMany: false,
          bucket: new TokenBucket(this.cfg.maxNewSessionsPerSecond),
          timers: new Set(),
          retry: new Backoff(LINK_RETRY_FIRST, LINK_RETRY_MAX),
        };
        this.states.set(info.name, st);
        this.log.log('info', 'iface', `interface ${info.name} selected`, { ifname: info.name, mac: info.mac, up: info.up });
      }
      st.info = info;
      if (info.up && !st.active) this.activate(st);
      else if (!info.up && st.active) {
        this.log.log('info', 'iface', `link down on ${st.name}: closing its sessions`, { ifname: st.name });
        this.deactivate(st);
      }
      const fitted = fitOnePdu(announcedFor(info, loopback, mpls));
      const next = fitted.table;
      const changed = changedTypes(st.announced, next);
      const hadTable = st.announced !== null;
      st.announced = next;
      if (fitted.notAnnounced > 0 && (!hadTable || Object.keys(changed).length > 0)) {
        // counted once per announcement made, not per re-read of the same table
        this.count.localEncapsNotAnnounced += fitted.notAnnounced;
        if (!st.warnedTooMany) {
          st.warnedTooMany = true;
          this.log.log(
            'warning',
            'iface',
            `${st.name}: ${fitted.notAnnounced} local encapsulation(s) do not fit one PDU (${fitted.cut.join(', ')}); announcing primary, loopback, then the first others that fit`,
            { ifname: st.name, notAnnounced: fitted.notAnnounced },
          );
        }
      }
      if (hadTable && Object.keys(changed).length > 0) {
        this.log.log('info', 'iface', `addresses changed on ${st.name}: re-announcing ${Object.keys(changed).join(', ')}`, {
          ifname: st.name,
        });
        this.events.announcedChanged(st, changed);
      }
    }
    for (const st of [...this.states.values()]) {
      if (!present.has(st.name)) {
        this.log.log('info', 'iface', `interface ${st.name} gone or no longer selected`, { ifname: st.name });
        this.deactivate(st);
        this.states.delete(st.name);
      }
    }
  }

  /** A timer that belongs to this activation of the interface (cleared when it goes down). */
  setTimer(st: IfState, delay: number, fn: () => void): void {
    const h = this.clock.setTimer(delay, () => {
      st.timers.delete(h);
      fn();
    });
    st.timers.add(h);
  }

  private activate(st: IfState): void {
    st.active = true;
    const generation = ++st.generation;
    this.log.log('info', 'iface', `link up on ${st.name}`, { ifname: st.name });
    this.openLink(st.name, this.cfg.ethertype).then(
      (link) => {
        if (this.stopped || st.generation !== generation || !st.active || this.states.get(st.name) !== st) {
          link.close();
          return;
        }
        st.link = link;
        st.retry.reset();
        link.onFrame((f) => this.events.frame(st, f));
        link.onError((err) => this.onLinkError(st, link, err));
        this.log.log('debug', 'io', `capturing on ${st.name}`, { ifname: st.name, mac: link.mac });
        this.events.linkOpened(st, generation);
      },
      (err: unknown) => {
        this.count.linkErrors++;
        const message = err instanceof Error ? err.message : String(err);
        const delay = st.retry.next();
        this.log.log('error', 'io', `cannot open ${st.name}: ${message}; retrying in ${delay} s`, { ifname: st.name });
        if (this.stopped || st.generation !== generation) return;
        this.setTimer(st, delay, () => {
          if (st.generation === generation && st.active && !this.stopped) {
            st.active = false;
            this.activate(st);
          }
        });
      },
    );
  }

  /** Link down, gone or deselected: its sessions close at once and its capture stops. */
  private deactivate(st: IfState): void {
    st.active = false;
    st.generation++;
    for (const h of st.timers) this.clock.clearTimer(h);
    st.timers.clear();
    this.events.closing(st);
    // A fresh capture at the next link up: a packet socket can be left in error by a down.
    st.link?.close();
    st.link = null;
  }

  private onLinkError(st: IfState, link: Link, err: LinkError): void {
    this.count.linkErrors++;
    if (err.fatal) {
      this.log.log('warning', 'io', err.message, { ifname: st.name, code: err.code });
      if (st.link === link) {
        this.deactivate(st);
        st.info = { ...st.info, up: false };
        // Gone for good, the interface table will say so; otherwise capture again.
        this.setTimer(st, st.retry.next(), () => this.update(this.table));
      }
      return;
    }
    if (this.linkLog.allow(`${st.name}|${err.code}`, this.clock.now()) !== null) {
      this.log.log('warning', 'io', err.message, { ifname: st.name, code: err.code });
    }
  }
}
