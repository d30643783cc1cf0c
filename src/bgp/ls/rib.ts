// What a BGP-LS receiver holds, rebuilt from the UPDATEs it received (an MRT dump of
// them): per peer, every NLRI announced and not withdrawn since, with the time of the
// message that announced it. Pure. A dump has no session ends in it, so the caller
// says when a peer's session began or ended (`prune`), from the receiver's own view.
import { decodeMessage } from '../wire/message.js';
import type { PathAttribute } from '../wire/update.js';
import { nlriKey, type LsNlri } from './nlri.js';

export interface RibEntry {
  nlri: LsNlri;
  /** when the announcing message was received, seconds since the epoch */
  time: number;
}

export interface RibCounts {
  /** UPDATEs applied */
  updates: number;
  /** messages that did not decode (a receiver under treat-as-withdraw drops them too) */
  undecodable: number;
}

export class LsRib {
  private readonly byPeer = new Map<string, Map<string, RibEntry>>();
  readonly counts: RibCounts = { updates: 0, undecodable: 0 };

  /** Applies one BGP message from `peer`, received at `time`; anything but an UPDATE is ignored. */
  apply(peer: string, time: number, message: Buffer): void {
    let m;
    try {
      m = decodeMessage(message);
    } catch {
      this.counts.undecodable++;
      return;
    }
    if (m.type !== 'UPDATE') return;
    this.counts.updates++;
    const table = this.byPeer.get(peer) ?? new Map<string, RibEntry>();
    this.byPeer.set(peer, table);
    const ls = (a: PathAttribute): LsNlri[] => (a.kind === 'mp-reach' || a.kind === 'mp-unreach' ? a.nlri : []);
    for (const a of m.attributes) {
      if (a.kind === 'mp-unreach') for (const n of ls(a)) table.delete(nlriKey(n));
    }
    for (const a of m.attributes) {
      if (a.kind === 'mp-reach') for (const n of ls(a)) table.set(nlriKey(n), { nlri: n, time });
    }
  }

  /** Forgets what `peer` announced before `before` (its session began then), or all of it (`'all'`: it is down). */
  prune(peer: string, before: number | 'all'): void {
    const table = this.byPeer.get(peer);
    if (table === undefined) return;
    if (before === 'all') {
      this.byPeer.delete(peer);
      return;
    }
    for (const [k, e] of table) if (e.time < before) table.delete(k);
  }

  peers(): string[] {
    return [...this.byPeer.keys()];
  }

  /** Every NLRI `peer` has announced and not withdrawn. */
  routes(peer: string): LsNlri[] {
    return [...(this.byPeer.get(peer)?.values() ?? [])].map((e) => e.nlri);
  }

  all(): { peer: string; nlri: LsNlri }[] {
    return [...this.byPeer].flatMap(([peer, t]) => [...t.values()].map((e) => ({ peer, nlri: e.nlri })));
  }
}
