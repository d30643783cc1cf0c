// What an idle daemon wakes up for (issue 10): with its sessions open and nothing
// happening, only its keepalives and the HELLO beacon; nothing per interface, no
// housekeeping, no timer re-armed per KEEPALIVE received. Counted on the fake clock:
// each core gets its own view of it that counts the timers it arms and the ones that
// fire, so the figures are exact, whatever the machine's load.
import t from 'tap';
import { MemorySegment } from '../../src/io/memory-link.js';
import { FakeClock, type Clock, type TimerHandle } from '../../src/daemon/clock.js';
import { iface, makeNode, run } from './harness.js';

class CountingClock implements Clock {
  armed = 0;
  fired = 0;
  constructor(private readonly inner: FakeClock) {}
  now(): number {
    return this.inner.now();
  }
  setTimer(delay: number, fn: () => void): TimerHandle {
    this.armed++;
    return this.inner.setTimer(delay, () => {
      this.fired++;
      fn();
    });
  }
  clearTimer(handle: TimerHandle): void {
    this.inner.clearTimer(handle);
  }
  reset(): void {
    this.armed = 0;
    this.fired = 0;
  }
}

const A = { ifname: 'eth0', mac: '02:00:00:00:00:0a', localId: '0a0a0a0a0a0a0a0a0a0a', addrs: ['10.0.0.1/31'] };
const B = { ifname: 'eth1', mac: '02:00:00:00:00:0b', localId: '0b0b0b0b0b0b0b0b0b0b', addrs: ['10.0.0.0/31'] };
const TIMING = { 'keepalive-send-interval': '1', 'keepalive-receive-timeout': '60', 'hello-interval': '60' };

t.test('one open session, idle: a wake-up per KEEPALIVE sent, one per HELLO, one a minute for the receive time-out', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const ca = new CountingClock(clock);
  const cb = new CountingClock(clock);
  const a = makeNode(ca, segment, { ...A, flags: TIMING });
  const b = makeNode(cb, segment, { ...B, flags: TIMING });
  // open, exchange the encapsulations, let the opening's pieces age out
  await run(clock, 30, 0.5);
  t.same(a.core.sessions().map((s) => s.state), ['open']);
  ca.reset();
  const seconds = 180;
  await run(clock, seconds, 0.5);
  t.same(a.core.sessions().map((s) => s.state), ['open'], 'still open');
  const keepalives = seconds; // 1 s period
  const hellos = seconds / 60;
  const receiveChecks = seconds / 60; // the receive time-out's real timer, moved once a minute
  t.ok(ca.fired <= keepalives + hellos + receiveChecks + 1, `timers fired in ${seconds} s: ${ca.fired} (keepalives ${keepalives}, HELLOs ${hellos})`);
  t.ok(ca.fired >= keepalives, 'every KEEPALIVE still goes out on its timer');
  t.ok(ca.armed <= keepalives + hellos + receiveChecks + 1, `timers armed in ${seconds} s: ${ca.armed}: none per KEEPALIVE received`);
  // KEEPALIVE's frame is made once: every one on the wire is the same octets in a buffer
  // of its own
  const fromA = segment.wire.filter((w) => w.from === A.ifname && w.frame[0] !== 1);
  const last = fromA.at(-1)!.frame;
  t.equal(last.length, 60, 'padded to the Ethernet minimum');
  t.equal(last[14 + 8], 2, 'a KEEPALIVE (PDU type 2)');
  const copy = Buffer.from(last);
  await run(clock, 1, 0.5);
  const next = segment.wire.filter((w) => w.from === A.ifname && w.frame[0] !== 1).at(-1)!.frame;
  t.not(next, last);
  t.same(next, copy, 'the next KEEPALIVE: the same octets');
  a.core.stop();
  b.core.stop();
});

t.test('the receive time-out still closes a silent session on time', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const a = makeNode(clock, segment, { ...A, flags: TIMING });
  const b = makeNode(clock, segment, { ...B, flags: TIMING });
  await run(clock, 30, 0.5);
  t.same(a.core.sessions().map((s) => s.state), ['open']);
  // B goes silent without a word (its link is cut); A heard it last just now
  b.core.stop();
  const lastHeard = Date.parse(a.core.sessions()[0]!.lastHeard!) / 1000;
  let closedAt: number | null = null;
  for (let i = 0; i < 140 && closedAt === null; i++) {
    await run(clock, 0.5, 0.5);
    if (!a.core.sessions().some((s) => s.state === 'open')) closedAt = clock.now();
  }
  t.ok(closedAt !== null, 'closed');
  const after = closedAt! - lastHeard;
  t.ok(after >= 60 && after <= 61.5, `closed ${after.toFixed(1)} s after B was last heard (time-out 60 s)`);
  a.core.stop();
});

t.test('no neighbours, eight interfaces: only the HELLO beacon wakes the daemon', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const c = new CountingClock(clock);
  const n = makeNode(c, segment, { ...A, flags: TIMING });
  n.setTable(Array.from({ length: 8 }, (_, i) => ({ ...iface(`eth${i}`, `02:00:00:00:01:${(i + 16).toString(16)}`), index: i + 2 })));
  await run(clock, 30, 0.5);
  c.reset();
  await run(clock, 180, 0.5);
  t.ok(c.fired <= 3 + 1, `timers fired in 180 s: ${c.fired} (HELLO every 60 s, one timer for every interface)`);
  n.core.stop();
});

t.test('eight open sessions, idle: their KEEPALIVEs share one timer a second, not one each', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const ca = new CountingClock(clock);
  const a = makeNode(ca, segment, { ...A, flags: TIMING });
  // eight neighbours on A's one segment (they see each other too; only A is counted)
  const peers = Array.from({ length: 8 }, (_, i) =>
    makeNode(clock, segment, { ifname: `p${i}`, mac: `02:00:00:00:00:${(i + 16).toString(16)}`, localId: `${(i + 16).toString(16)}`.repeat(10), flags: TIMING }),
  );
  await run(clock, 30, 0.5);
  t.equal(a.core.sessions().filter((s) => s.state === 'open').length, 8, 'eight sessions open');
  ca.reset();
  const txBefore = a.core.counters().pdusSentBy.KEEPALIVE ?? 0;
  const seconds = 120;
  await run(clock, seconds, 0.5);
  const keepalives = (a.core.counters().pdusSentBy.KEEPALIVE ?? 0) - txBefore;
  t.ok(keepalives >= 8 * (seconds - 1), `every session still sends its KEEPALIVE every second (${keepalives})`);
  t.equal(a.core.sessions().filter((s) => s.state === 'open').length, 8, 'still open');
  // a timer a second for the eight KEEPALIVEs, a few for the HELLOs and the receive time-outs
  // (one per session a minute); one per session per second before
  const bound = seconds + 2 * (seconds / 60) * 9 + 2;
  t.ok(ca.armed <= bound, `timers armed in ${seconds} s: ${ca.armed} (bound ${bound})`);
  t.ok(ca.fired <= bound, `timers fired in ${seconds} s: ${ca.fired} (bound ${bound})`);
  a.core.stop();
  for (const p of peers) p.core.stop();
});
