// One interface as `lsoe neighbors` shows it: its sessions now, the neighbours held down
// (restarting too often: the operator may `lsoe clear` them), and the neighbours that
// only the history still remembers (down). Built field by field from the session table
// and the history; pure, so tests can build it from plain data.
import type { Encapsulation } from '../proto/types.js';
import { isoTime } from './clock.js';
import type { NeighborRecord } from './neighbor-history.js';
import type { HoldDown } from './restart-limit.js';
import type { Entry } from './session-table.js';
import type { InterfaceNeighbors, NeighborAddress, NeighborView } from './views.js';

function addresses(list: readonly Encapsulation[] | undefined): NeighborAddress[] {
  return (list ?? []).map((e) => ({ address: e.address, prefixLength: e.prefixLength, primary: e.primary, loopback: e.loopback }));
}

function lastDownOf(r: NeighborRecord | undefined): NeighborView['lastDown'] {
  return r?.lastDown ? { time: isoTime(r.lastDown.time), reason: r.lastDown.reason } : null;
}

export function neighborsOf(
  iface: { ifname: string; mac: string | null; up: boolean; running: boolean },
  entries: readonly Entry[],
  history: readonly NeighborRecord[],
  heldDown: readonly HoldDown[] = [],
): InterfaceNeighbors {
  const byMac = new Map(history.map((r) => [r.peerMac, r]));
  const neighbors: NeighborView[] = [];
  const listed = new Set<string>();
  for (const e of entries) {
    const s = e.s;
    if (s.phase === 'idle') continue;
    listed.add(e.peerMac);
    const r = byMac.get(e.peerMac);
    byMac.delete(e.peerMac);
    neighbors.push({
      peerMac: e.peerMac,
      peerId: s.peerId ?? r?.peerId ?? null,
      state: s.phase,
      since: isoTime(s.since),
      until: null,
      lastHeard: s.lastHeard === null ? null : isoTime(s.lastHeard),
      ipv4: s.phase === 'open' ? addresses(s.learned.IPV4_ENCAPSULATION) : [],
      ipv6: s.phase === 'open' ? addresses(s.learned.IPV6_ENCAPSULATION) : [],
      flaps: r?.flaps ?? 0,
      lastDown: lastDownOf(r),
    });
  }
  for (const h of heldDown) {
    if (listed.has(h.peerMac)) continue;
    listed.add(h.peerMac);
    const r = byMac.get(h.peerMac);
    byMac.delete(h.peerMac);
    neighbors.push({
      peerMac: h.peerMac,
      peerId: r?.peerId ?? null,
      state: 'held-down',
      since: isoTime(h.since),
      until: isoTime(h.until),
      lastHeard: null,
      ipv4: [],
      ipv6: [],
      flaps: r?.flaps ?? 0,
      lastDown: lastDownOf(r),
    });
  }
  for (const r of byMac.values()) {
    neighbors.push({
      peerMac: r.peerMac,
      peerId: r.peerId,
      state: 'down',
      since: r.lastDown ? isoTime(r.lastDown.time) : null,
      until: null,
      lastHeard: null,
      ipv4: [],
      ipv6: [],
      flaps: r.flaps,
      lastDown: lastDownOf(r),
    });
  }
  neighbors.sort((a, b) => a.peerMac.localeCompare(b.peerMac));
  return { ...iface, neighbors };
}
