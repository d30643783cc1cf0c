// Two session machines joined in memory under a fake clock, with seeded loss,
// duplication and reordering of PDUs. Each side plays the daemon runtime for its one
// session: it executes the machine's actions (send → the simulated wire, arm/cancel →
// the fake clock) and records everything northbound for the test to inspect.

import {
  createSession,
  step,
  type Session,
  type SessionAction,
  type SessionEvent,
  type SessionParams,
} from '../../src/proto/session/index.js';
import type { EncapsulationTypeName, Encapsulation, Pdu } from '../../src/proto/types.js';
import { FakeClock, seededRandom } from './fake-clock.js';

export interface WireOptions {
  seed: number;
  /** probability that a PDU is lost */
  loss?: number;
  /** probability that a delivered PDU is delivered twice */
  duplicate?: number;
  /** one-way delay, seconds; each copy gets base + uniform(0, jitter), which reorders */
  delay?: number;
  jitter?: number;
  /** seconds between HELLO beacons from each side (the daemon's job, simulated here) */
  helloInterval?: number;
}

export interface Side {
  readonly name: 'a' | 'b';
  session: Session;
  /** every action the machine produced, in order, with the time */
  readonly history: { at: number; action: SessionAction }[];
  /** the peer's encapsulations as this side would report them northbound */
  readonly northbound: Partial<Record<EncapsulationTypeName, Encapsulation[]>>;
  /** PDUs this side put on the wire (before loss) */
  sent: number;
}

export class SimLink {
  readonly clock: FakeClock;
  readonly a: Side;
  readonly b: Side;
  private readonly random: () => number;
  private readonly opts: Required<WireOptions>;
  /** set false to cut the wire both ways (every PDU lost) */
  connected = true;
  /** what the wire did, so tests can check the impairments really happened */
  readonly stats = { lost: 0, duplicated: 0, delivered: 0, reordered: 0 };
  private seq = 0;
  private readonly newestDelivered = new Map<Side, number>();

  constructor(
    paramsA: Omit<SessionParams, 'peerMac' | 'ifname'>,
    paramsB: Omit<SessionParams, 'peerMac' | 'ifname'>,
    opts: WireOptions,
  ) {
    this.opts = { loss: 0, duplicate: 0, delay: 0.001, jitter: 0, helloInterval: 60, ...opts };
    this.random = seededRandom(opts.seed);
    this.clock = new FakeClock(0);
    const mk = (name: 'a' | 'b', p: typeof paramsA, peerMac: string): Side => ({
      name,
      session: createSession({ ...p, ifname: `veth-${name}`, peerMac }, 0),
      history: [],
      northbound: {},
      sent: 0,
    });
    this.a = mk('a', paramsA, '02:00:00:00:00:0b');
    this.b = mk('b', paramsB, '02:00:00:00:00:0a');
  }

  /** Start HELLO beacons on both sides (first ones at t = 0 and a little later). */
  start(): void {
    this.beacon(this.a, 0);
    this.beacon(this.b, 0.0005);
  }

  /** Feed an event into one side, as the runtime would, and execute the actions. */
  feed(side: Side, event: SessionEvent): void {
    const now = this.clock.now;
    const r = step(side.session, event, now);
    side.session = r.session;
    for (const action of r.actions) this.execute(side, action, now);
  }

  run(until: number): void {
    this.clock.advanceTo(until);
  }

  other(side: Side): Side {
    return side === this.a ? this.b : this.a;
  }

  actionsOf(side: Side, type: SessionAction['type']): { at: number; action: SessionAction }[] {
    return side.history.filter((h) => h.action.type === type);
  }

  private beacon(side: Side, at: number): void {
    this.clock.schedule(`${side.name}:hello`, at, () => {
      this.transmit(side, { type: 'HELLO' });
      this.beacon(side, this.clock.now + this.opts.helloInterval);
    });
  }

  private execute(side: Side, action: SessionAction, now: number): void {
    side.history.push({ at: now, action });
    switch (action.type) {
      case 'send':
        this.transmit(side, action.pdu);
        break;
      case 'arm-timer': {
        const name = action.name;
        this.clock.schedule(`${side.name}:${name}`, action.at, () => this.feed(side, { type: 'timer-fired', name }));
        break;
      }
      case 'cancel-timer':
        this.clock.cancel(`${side.name}:${action.name}`);
        break;
      case 'report':
        side.northbound[action.pdu.type] = action.pdu.encaps;
        break;
      case 'withdraw':
        for (const t of action.types) side.northbound[t] = [];
        break;
      default:
        break;
    }
  }

  /** The simulated wire: a copy per delivery (never shared objects), seeded impairments. */
  private transmit(from: Side, pdu: Pdu): void {
    from.sent++;
    const to = this.other(from);
    const seq = this.seq++;
    if (!this.connected || this.random() < this.opts.loss) {
      this.stats.lost++;
      return;
    }
    const copies = this.random() < this.opts.duplicate ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      const at = this.clock.now + this.opts.delay + this.random() * this.opts.jitter;
      const copy = structuredClone(pdu);
      this.clock.later(at, () => {
        this.stats.delivered++;
        if (seq < (this.newestDelivered.get(to) ?? -1)) this.stats.reordered++;
        this.newestDelivered.set(to, Math.max(seq, this.newestDelivered.get(to) ?? -1));
        this.feed(to, { type: 'pdu-received', pdu: copy });
      });
    }
  }
}
