// The core's side of quiet sockets (issue 10), under a fake clock: it tells each link its
// open neighbours as sessions open and close; frames a link holds back (here a memory link
// that keeps the named neighbours' KEEPALIVEs, as a quiet socket would) are drained before
// session deadlines and answers, and each is taken at its arrival time, not when it was read,
// so a receive timeout shorter than the wait never fires falsely.
import t from 'tap';
import { FakeClock, isoTime } from '../../src/daemon/clock.js';
import { KEEPALIVE_FRAMES } from '../../src/daemon/keepalive-frame.js';
import { MemorySegment, type MemoryLink } from '../../src/io/memory-link.js';
import type { Link, LinkError, LinkStats, ReceivedFrame } from '../../src/io/link.js';
import { makeNode, run } from './harness.js';

const A = { ifname: 'eth0', mac: '02:00:00:00:00:0a', localId: '0a'.repeat(10) };
const B = { ifname: 'eth0', mac: '02:00:00:00:00:0b', localId: '0b'.repeat(10) };

/** A memory link that holds back its open neighbours' frames beginning with the prefix, as a quiet socket. */
class HoldingLink implements Link {
  readonly calls: string[][] = [];
  readonly held: ReceivedFrame[] = [];
  private readonly handlers: Array<(f: ReceivedFrame) => void> = [];
  private peers = new Set<string>();
  prefix = Buffer.alloc(0);
  delivered = 0;
  constructor(private readonly inner: MemoryLink) {
    inner.onFrame((f) => {
      if (this.peers.has(f.src) && f.payload.subarray(0, this.prefix.length).equals(this.prefix)) this.held.push({ ...f, late: true });
      else for (const h of this.handlers) h(f);
    });
  }
  get ifname() {
    return this.inner.ifname;
  }
  get mac() {
    return this.inner.mac;
  }
  get ethertype() {
    return this.inner.ethertype;
  }
  quietPeers(peers: readonly string[], prefix: Uint8Array): void {
    this.calls.push([...peers]);
    this.peers = new Set(peers);
    this.prefix = Buffer.from(prefix);
  }
  drain(): void {
    for (const f of this.held.splice(0)) {
      this.delivered++;
      for (const h of this.handlers) h(f);
    }
  }
  send(dst: string, payload: Buffer): void {
    this.inner.send(dst, payload);
  }
  onFrame(h: (f: ReceivedFrame) => void): void {
    this.handlers.push(h);
  }
  onError(h: (e: LinkError) => void): void {
    this.inner.onError(h);
  }
  stats(): LinkStats {
    return this.inner.stats();
  }
  close(): void {
    this.inner.close();
  }
}

async function pair(flags: Record<string, string>) {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  let link: HoldingLink | null = null;
  let drains = 0;
  const a = makeNode(clock, segment, {
    ...A,
    flags,
    openLink: async (ifname) => (link = new HoldingLink(segment.attach(ifname, A.mac))),
    drainQueued: () => {
      drains++;
      link?.drain();
    },
  });
  const b = makeNode(clock, segment, { ...B, flags });
  await run(clock, 3);
  return { clock, a, b, link: () => link!, drains: () => drains };
}

const FLAGS = { 'keepalive-send-interval': '1', 'keepalive-receive-timeout': '3', 'hello-interval': '60' };

t.test('the link learns its open neighbours as sessions open and close', async (t) => {
  const { clock, a, b, link } = await pair(FLAGS);
  t.same(a.core.sessions().map((s) => s.state), ['open']);
  t.same(link().calls.at(-1), [B.mac], 'B, once open');
  t.same(link().calls[0], [B.mac], 'told when it opened (not before)');
  t.same(link().prefix, KEEPALIVE_FRAMES[0], 'their KEEPALIVEs');
  b.core.stop();
  await run(clock, 6);
  t.same(a.core.sessions().filter((s) => s.state === 'open'), [], 'B silent: timed out');
  t.same(link().calls.at(-1), [], 'no open neighbour left');
});

t.test('held-back KEEPALIVEs: drained before deadlines, taken at their arrival', async (t) => {
  const { clock, a, link, drains } = await pair(FLAGS);
  const before = drains();
  await run(clock, 12, 0.25);
  t.ok(link().delivered >= 10, `B's KEEPALIVEs were held back and drained (${link().delivered})`);
  t.ok(drains() - before >= 12, `drained at least once a second (${drains() - before} in 12 s)`);
  t.same(a.events.filter((e) => e.event === 'session-down'), [], 'never timed out (3 s receive timeout)');
  // a KEEPALIVE held back now, read half a second later: its arrival counts
  await run(clock, 1 - (clock.now() % 1) + 0.01, 0.01);
  t.ok(link().held.length > 0, 'one waits');
  const arrived = link().held.at(-1)!.time;
  clock.advance(0.3);
  const s = a.core.sessions()[0]!;
  t.equal(s.lastHeard, isoTime(arrived), 'lastHeard is its arrival, not the answer\'s time');
  t.equal(link().held.length, 0, 'the answer drained it first');
});

t.test('an interface removed while its neighbour is open: the sweep forgets it (no wake-up for nothing)', async (t) => {
  const { clock, a, drains } = await pair(FLAGS);
  t.same(a.core.sessions().map((s) => s.state), ['open']);
  a.setTable([]);
  await run(clock, 2);
  const before = drains();
  await run(clock, 10);
  t.equal(drains(), before, 'no drain once nothing is quiet');
});
