// The heart of `lsoe hello`, apart from the OS: send HELLO on a Link and say, honestly,
// which neighbours speak LSOE with us. It never sends anything but HELLO (no ACK), so
// no session ever opens at the peer: its OPEN stays unacknowledged and its session
// gives up on its own (the peer logs that; it is the price of a probe that changes
// nothing).
//
// What counts, arping being the model (it reports any ARP reply from the target):
//  - an OPEN with a nonce not seen before in this run: the neighbour answered a HELLO
//    of ours ('open');
//  - the same nonce again: a retransmission of that OPEN, counted, never a new answer;
//    an OPEN seen before our first HELLO is remembered too, so its later
//    retransmission is not taken for an answer;
//  - any other LSOE PDU from the neighbour (a KEEPALIVE, mostly): it is alive and
//    already in session with this MAC, most often with a daemon on this interface, so
//    it will not answer a HELLO with an OPEN ('alive').
// Each neighbour is reported at its first PDU after our first HELLO, and again at its
// first OPEN if that came later.
import type { Link, ReceivedFrame } from '../io/link.js';
import { splitPdu } from '../proto/fragment.js';
import { encodePdu } from '../proto/pdu/index.js';
import { LsoeStream } from '../proto/stream.js';
import type { Pdu } from '../proto/types.js';

export type AnswerKind = 'open' | 'alive';

export interface HelloAnswer {
  kind: AnswerKind;
  /** capture time of the PDU (epoch s) */
  time: number;
  ifname: string;
  /** the neighbour's MAC */
  src: string;
  dst: string;
  /** seconds from the latest HELLO sent before it */
  timeToAnswer: number;
  /** the HELLO it followed (1 = the first sent) */
  probe: number;
  pdu: Pdu;
  /** the PDU's octets */
  bytes: Buffer;
}

export interface NeighbourTally {
  src: string;
  /** OPENs with a new nonce (answers) */
  opens: number;
  /** OPENs repeating a nonce already seen */
  retransmits: number;
  /** other PDUs (KEEPALIVE, ...) */
  others: number;
}

export class HelloProber {
  private readonly stream = new LsoeStream();
  private readonly tallies = new Map<string, NeighbourTally>();
  private readonly nonces = new Set<string>();
  private readonly reported = new Set<string>();
  private lastHello: number | null = null;
  /** HELLOs handed to the link */
  sent = 0;
  /** the HELLOs (1 = first) that something new followed: an OPEN with a new nonce, or a PDU saying alive */
  readonly answeredProbes = new Set<number>();

  constructor(
    private readonly link: Link,
    private readonly dst: string,
    /** a monotonic clock in seconds (time to answer is measured with it) */
    private readonly now: () => number,
    /** called for the first PDU of each neighbour, and its first OPEN if that came later */
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

  /** Every neighbour heard after the first HELLO, in the order first heard. */
  neighbours(): NeighbourTally[] {
    return [...this.tallies.values()];
  }

  private frame(f: ReceivedFrame): void {
    const at = this.now();
    for (const rec of this.stream.push({ time: f.time, ifname: f.ifname, dst: f.dst, src: f.src, payload: f.payload })) {
      if (rec.kind !== 'pdu') continue;
      const pdu = rec.pdu;
      // Our own HELLOs never come back; a neighbour's HELLO is its beacon to everyone.
      const isOpen = pdu.type === 'OPEN';
      const nonceKey = isOpen ? `${rec.src}|${pdu.nonce}` : null;
      const repeat = nonceKey !== null && this.nonces.has(nonceKey);
      if (nonceKey !== null) this.nonces.add(nonceKey);
      if (this.lastHello === null || pdu.type === 'HELLO') continue;
      let tally = this.tallies.get(rec.src);
      if (tally === undefined) this.tallies.set(rec.src, (tally = { src: rec.src, opens: 0, retransmits: 0, others: 0 }));
      if (!isOpen) tally.others++;
      else if (repeat) tally.retransmits++;
      else tally.opens++;
      if (!repeat) this.answeredProbes.add(this.sent);
      const kind: AnswerKind = isOpen ? 'open' : 'alive';
      if (repeat || this.reported.has(`${rec.src}|${kind}`) || (kind === 'alive' && this.reported.has(`${rec.src}|open`))) continue;
      this.reported.add(`${rec.src}|${kind}`);
      this.onAnswer({
        kind,
        time: rec.time,
        ifname: f.ifname,
        src: rec.src,
        dst: f.dst,
        timeToAnswer: at - this.lastHello,
        probe: this.sent,
        pdu,
        bytes: rec.bytes,
      });
    }
  }
}
