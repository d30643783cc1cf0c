// The HELLO beacon (PROTOCOL.md section 5): every `hello-interval` on every open link,
// and a short burst when a link comes up so a peer whose capture was not open yet
// still hears one. HELLO is the only thing the daemon ever sends to a group address.
import { splitPdu } from '../proto/fragment.js';
import { encodePdu } from '../proto/pdu/index.js';
import type { Clock, TimerHandle } from './clock.js';
import type { CoreCounts } from './counters.js';
import type { IfState, InterfaceSet } from './interface-set.js';
import type { Logger } from './log.js';

/** Extra HELLOs after an interface comes up, in seconds. */
const HELLO_BURST = [1, 2];

export class Beacon {
  private timer: TimerHandle | null = null;
  private readonly frames = splitPdu(encodePdu({ type: 'HELLO' }));
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly ifaces: InterfaceSet,
    private readonly log: Logger,
    private readonly count: CoreCounts,
    /** the HELLO group and period, read at each use (a reload changes them) */
    private readonly settings: () => { group: string; interval: number },
  ) {}

  /** (Re)starts the periodic beacon; call again when the interval changes. */
  schedule(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    if (this.stopped) return;
    this.timer = this.clock.setTimer(this.settings().interval, () => {
      this.timer = null;
      if (this.stopped) return;
      for (const st of this.ifaces.all()) this.send(st);
      this.schedule();
    });
  }

  /** A link of `generation` opened: HELLO now and a burst after. */
  linkOpened(st: IfState, generation: number): void {
    this.send(st);
    for (const delay of HELLO_BURST) {
      this.ifaces.setTimer(st, delay, () => {
        if (st.generation === generation) this.send(st);
      });
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  private send(st: IfState): void {
    if (!st.link || !st.active) return;
    for (const f of this.frames) st.link.send(this.settings().group, f);
    this.count.hellosSent++;
    this.count.framesSent += this.frames.length;
    this.log.log('debug', 'io', `HELLO on ${st.name}`, { ifname: st.name });
  }
}
