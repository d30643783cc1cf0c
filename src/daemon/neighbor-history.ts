// What `lsoe neighbors` says about a neighbour beyond its current session: how often
// it flapped and why it last went down (vtysh's "Last reset due to"). Kept per
// (interface, neighbour MAC) after the session itself is gone, bounded: past `max`
// neighbours the one that changed longest ago is forgotten.

export interface NeighborRecord {
  ifname: string;
  peerMac: string;
  peerId: string | null;
  /** times an open session with this neighbour went down */
  flaps: number;
  lastUp: number | null;
  lastDown: { time: number; reason: string } | null;
}

export class NeighborHistory {
  private readonly records = new Map<string, NeighborRecord>();

  constructor(private readonly max = 4096) {}

  private touch(ifname: string, peerMac: string, peerId: string | null): NeighborRecord {
    const key = `${ifname}|${peerMac}`;
    let r = this.records.get(key);
    if (r === undefined) r = { ifname, peerMac, peerId, flaps: 0, lastUp: null, lastDown: null };
    else this.records.delete(key); // re-inserted last: Map order is the age order
    if (peerId !== null) r.peerId = peerId;
    this.records.set(key, r);
    while (this.records.size > this.max) this.records.delete(this.records.keys().next().value!);
    return r;
  }

  up(ifname: string, peerMac: string, peerId: string | null, now: number): void {
    this.touch(ifname, peerMac, peerId).lastUp = now;
  }

  down(ifname: string, peerMac: string, peerId: string | null, reason: string, now: number): void {
    const r = this.touch(ifname, peerMac, peerId);
    r.flaps++;
    r.lastDown = { time: now, reason };
  }

  get(ifname: string, peerMac: string): NeighborRecord | undefined {
    return this.records.get(`${ifname}|${peerMac}`);
  }

  on(ifname: string): NeighborRecord[] {
    return [...this.records.values()].filter((r) => r.ifname === ifname);
  }
}
