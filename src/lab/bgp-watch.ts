// Following the lab's BGP-LS collector (`lab up --bgp`): gobgpd's MRT dump of the
// UPDATEs it received, read as it grows with our own decoders, and gobgpd's own
// account of its sessions (`gobgp neighbor -j`), which the dump lacks. `lab up --wait`,
// `lab status --bgp` and the collector's page all read the fabric through this.
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { MrtSplitter } from '../bgp/mrt.js';
import { LsRib } from '../bgp/ls/rib.js';
import { bgpLabStatus, pruneToSessions, type LabBgpStatus } from './bgp-links.js';
import { queryNeighbors, type GobgpNeighbor } from './gobgpd.js';
import { bgpOf, type LabPlan } from './plan.js';

/** Read at most this much of the dump per call: a long-running lab's file is read in steps. */
const READ_STEP = 4 << 20;

export class BgpLabWatcher {
  readonly rib = new LsRib();
  private readonly splitter = new MrtSplitter();
  private readonly file: string;
  private neighborsNow: Map<string, GobgpNeighbor> = new Map();
  /** why the dump or gobgpd could not be read, last time (null: fine) */
  problem: string | null = null;
  private broken = false;

  constructor(
    private readonly plan: LabPlan,
    private readonly ask: () => Promise<Map<string, GobgpNeighbor>> = () => {
      const bgp = bgpOf(plan)!;
      return queryNeighbors(bgp.netns, bgp.apiPort);
    },
  ) {
    this.file = path.join(plan.stateDir, bgpOf(plan)!.mrtFile);
  }

  /** Reads what was added to the dump since last time; true when any UPDATE came (or the dump turned out damaged). */
  readDump(): boolean {
    if (this.broken) return false;
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return false; // not written yet: gobgpd creates it at start, empty
    }
    const before = this.rib.counts.updates + this.rib.counts.undecodable;
    try {
      const buf = Buffer.alloc(READ_STEP);
      for (;;) {
        const offset = this.splitter.offset + this.splitter.buffered;
        const n = readSync(fd, buf, 0, buf.length, offset);
        if (n === 0) break;
        for (const r of this.splitter.push(buf.subarray(0, n))) {
          if (r.kind === 'message') this.rib.apply(r.peerAddress, r.time, r.message);
        }
        if (n < buf.length) break;
      }
    } catch (err) {
      // a damaged dump: say so and stop reading it, rather than guess where records start
      this.broken = true;
      this.problem = `${this.file}: ${(err as Error).message}`;
      return true;
    } finally {
      closeSync(fd);
    }
    if (this.neighborsNow.size > 0 || this.rib.peers().length > 0) pruneToSessions(this.rib, this.neighborsNow, 0);
    return this.rib.counts.updates + this.rib.counts.undecodable !== before;
  }

  /** Asks gobgpd for its sessions and drops what the dump holds from sessions that ended. */
  async pollNeighbors(): Promise<void> {
    const asOf = Date.now() / 1000;
    try {
      this.neighborsNow = await this.ask();
      if (!this.broken) this.problem = null;
    } catch (err) {
      this.problem = `gobgpd: ${(err as Error).message}`;
      return;
    }
    pruneToSessions(this.rib, this.neighborsNow, asOf);
  }

  neighbors(): ReadonlyMap<string, GobgpNeighbor> {
    return this.neighborsNow;
  }

  status(): LabBgpStatus {
    return bgpLabStatus(this.plan, this.rib, this.neighborsNow);
  }
}
