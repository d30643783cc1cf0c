// The BGP northbound as the daemon holds it. The real one (bgp-northbound.ts: the
// speaker, the FSM, the BGP-LS encoders, some 20 modules) is loaded only once a
// configuration names a bgp-peer, so a daemon without BGP never reads it. Until then
// this answers as a northbound without peers does: the `bgp` control method says
// disabled, with the router-id our loopbacks give.
import { routerIdOf } from '../bgp/ls/router-id.js';
import type { BgpEvent, BgpNorthbound, BgpStatus, NorthboundOptions } from './bgp-northbound.js';
import type { DaemonConfig } from './config.js';
import { bgpLoopbacks } from './encaps-local.js';

export class LazyBgpNorthbound {
  private real: BgpNorthbound | null = null;
  private config: DaemonConfig | null = null;
  private routerId: string | null = null;
  /** subscribers, each with its subscription on the real northbound once loaded */
  private readonly listeners = new Map<(e: BgpEvent) => void, { off: (() => void) | null }>();

  constructor(private readonly o: NorthboundOptions) {}

  /** Whether the real northbound has been loaded. */
  get loaded(): boolean {
    return this.real !== null;
  }

  /**
   * Loads the real northbound when `config` names a peer. Called before `configure`,
   * which stays synchronous (a reload applies its configuration in one step).
   */
  async prepare(config: DaemonConfig): Promise<void> {
    if (this.real !== null || config.bgpPeer.length === 0) return;
    const { BgpNorthbound } = await import('./bgp-northbound.js');
    if (this.real !== null) return; // two reloads raced
    this.real = new BgpNorthbound(this.o);
    for (const [listener, entry] of this.listeners) entry.off = this.real.subscribe(listener);
  }

  /** Applies a configuration (at start and on SIGHUP); throws BgpConfigError as the real one does. */
  configure(config: DaemonConfig): void {
    if (this.real === null && config.bgpPeer.length > 0) throw new Error('the BGP northbound is not loaded: prepare() the configuration first');
    if (this.real !== null) return this.real.configure(config);
    this.config = config;
    this.routerId = routerIdOf(bgpLoopbacks(config, this.o.interfaces()));
  }

  changed(): void {
    this.real?.changed();
  }

  status(): BgpStatus {
    if (this.real !== null) return this.real.status();
    return { enabled: false, routerId: this.routerId, asn: this.config?.bgpAsn ?? null, routes: 0, heldBack: [], peers: [] };
  }

  subscribe(listener: (e: BgpEvent) => void): () => void {
    const entry = { off: this.real?.subscribe(listener) ?? null };
    this.listeners.set(listener, entry);
    return () => {
      entry.off?.();
      this.listeners.delete(listener);
    };
  }

  async stop(): Promise<void> {
    await this.real?.stop();
  }
}
