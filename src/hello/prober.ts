// The heart of `lsoe hello`, apart from the OS: send HELLO on a Link and
// collect the neighbours that answer with OPEN. It never sends anything else
// (no ACK), so no session ever opens at the peer: the peer's OPEN stays
// unacknowledged and its session gives up on its own (retransmit-max-drop).
import type { Link, ReceivedFrame } from '../io/link.js';
import { splitPdu } from '../proto/fragment.js';
import { encodePdu } from '../proto/pdu/index.js';
import { LsoeStream } from '../proto/stream.js';
import type { OpenPdu } from '../proto/types.js';

export interface HelloAnswer {
  /** capture time of the first OPEN (epoch s) */
  time: number;
  ifname: string;
  /** the neighbour's MAC */
  src: string;
  dst: string;
  /** seconds from the latest HELLO sent before it to the first OPEN */
  timeToAnswer: number;
  pdu: OpenPdu;
  /** the OPEN's octets (what --json prints, through the one record writer) */
  bytes: Buffer;
  /** OPENs received from this neighbour so far (retransmissions included) */
  opens: number;
}

export class HelloProber {
  private readonly stream = new LsoeStream();
  private readonly byMac = new Map<string, HelloAnswer>();
  private lastHello: number | null = null;
  /** HELLOs handed to the link */
  sent = 0;

  constructor(
    private readonly link: Link,
    private readonly dst: string,
    /** a monotonic clock in seconds (time to answer is measured with it) */
    private readonly now: () => number,
    /** called for the first OPEN of each neighbour */
    private readonly onAnswer: (a: HelloAnswer) => void,
  ) {
    link.onFrame((f) => this.frame(f));
  }

  sendHello(): void {
    const pdu = encodePdu({ type: 'HELLO' });
    for (const frame of splitPdu(pdu)) this.link.send(this.dst, frame);
    this.lastHello = this.now();
    this.sent++;
  }

  answers(): HelloAnswer[] {
    return [...this.byMac.values()];
  }

  private frame(f: ReceivedFrame): void {
    const at = this.now();
    for (const rec of this.stream.push({ time: f.time, ifname: f.ifname, dst: f.dst, src: f.src, payload: f.payload })) {
      if (rec.kind !== 'pdu' || rec.pdu.type !== 'OPEN' || this.lastHello === null) continue;
      const known = this.byMac.get(rec.src);
      if (known) {
        known.opens++;
        continue;
      }
      const answer: HelloAnswer = {
        time: rec.time,
        ifname: f.ifname,
        src: rec.src,
        dst: f.dst,
        timeToAnswer: at - this.lastHello,
        pdu: rec.pdu,
        bytes: rec.bytes,
        opens: 1,
      };
      this.byMac.set(rec.src, answer);
      this.onAnswer(answer);
    }
  }
}
