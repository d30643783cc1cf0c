import t from 'tap';
import { MemorySegment } from '../../src/io/memory-link.js';
import { admitSession, TokenBucket } from '../../src/daemon/bounds.js';
import { FakeClock } from '../../src/daemon/clock.js';
import { NameSelector } from '../../src/daemon/glob.js';
import { LogLimiter } from '../../src/daemon/log.js';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { encodeFrame } from '../../src/proto/frame.js';
import { encodePdu } from '../../src/proto/pdu/index.js';
import { makeNode, run, settle } from './harness.js';

t.test('token bucket: a burst, then the rate', async (t) => {
  const b = new TokenBucket(10);
  let ok = 0;
  for (let i = 0; i < 50; i++) if (b.take(100)) ok++;
  t.equal(ok, 10, 'one second’s worth at once');
  t.equal(b.take(100.05), false, 'half a token is not enough');
  t.equal(b.take(100.1), true, 'one token after 0.1 s');
});

t.test('admission checks total, per interface, then rate', async (t) => {
  const limits = { maxSessions: 3, maxSessionsPerInterface: 2 };
  const bucket = new TokenBucket(1);
  t.equal(admitSession(limits, 3, 0, bucket, 0), 'max-sessions');
  t.equal(admitSession(limits, 2, 2, bucket, 0), 'max-sessions-per-interface');
  t.equal(admitSession(limits, 0, 0, bucket, 0), null);
  t.equal(admitSession(limits, 1, 1, bucket, 0), 'new-session-rate');
});

t.test('log limiter: once per period per key, counting what it held back', async (t) => {
  const l = new LogLimiter(60, 2);
  t.equal(l.allow('a', 0), 0);
  t.equal(l.allow('a', 30), null);
  t.equal(l.allow('a', 59), null);
  t.equal(l.allow('a', 61), 2);
  l.allow('b', 61);
  l.allow('c', 61); // 'a' is forgotten: keys are bounded
  t.equal(l.allow('a', 62), 0);
});

t.test('interface selection by globs', async (t) => {
  const s = new NameSelector(['eth*', '!eth0', 'swp[12]']);
  t.same(['eth0', 'eth1', 'swp1', 'swp3', 'lo'].filter((n) => s.matches(n)), ['eth1', 'swp1']);
  const only = new NameSelector(['!docker*']);
  t.equal(only.explicit, false);
  t.same(['eth0', 'docker0'].filter((n) => only.matches(n)), ['eth0']);
});

t.test('a flood of strangers on a memory link stays within the bounds', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const flags = { 'max-sessions-per-interface': '20', 'max-new-sessions-per-second': '10' };
  const a = makeNode(clock, segment, { ifname: 'eth0', mac: '02:00:00:00:00:0a', localId: '0a'.repeat(10), flags });
  const b = makeNode(clock, segment, { ifname: 'eth1', mac: '02:00:00:00:00:0b', localId: '0b'.repeat(10) });
  await run(clock, 3);
  t.same(a.core.sessions().map((s) => s.state), ['open']);
  const attacker = segment.attach('evil', '02:ee:00:00:00:01');
  const hello = splitPdu(encodePdu({ type: 'HELLO' }))[0]!;
  const partial = encodeFrame({ last: false, number: 0, payload: Buffer.alloc(1492, 1) });
  const bad = Buffer.from(hello);
  bad[5] ^= 1;
  // The memory link sends with its own MAC, so strangers are simulated by raw frames.
  for (let i = 0; i < 2000; i++) {
    const src = `02:ee:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
    for (const p of [hello, partial, bad]) segment.transmit(attacker, buildEthernet('02:00:00:00:00:0a', src, 0x88b5, p));
    if (i % 200 === 199) {
      await settle(2);
      clock.advance(0.5);
    }
  }
  await settle();
  const c = a.core.counters();
  t.ok(c.sessions! <= 20, `sessions bounded (${c.sessions})`);
  t.ok(c.sessionsEvicted! > 0, `a full interface makes room by evicting never-opened strangers (${c.sessionsEvicted})`);
  t.ok(c.sessionsRefusedBy['new-session-rate']! > 0, 'rate refusals counted');
  t.equal(c.malformedBy.checksum, 2000, 'every bad frame counted');
  t.ok(c.reassemblyBytes! <= 4194304, 'reassembly memory bounded');
  const malformedLogged = a.log.lines.filter((l) => l.message.startsWith('malformed frame')).length;
  t.ok(malformedLogged <= 60, `malformed frames logged with a bound (${malformedLogged})`);
  await run(clock, 20);
  t.same(
    a.core.sessions().filter((s) => s.peerMac === '02:00:00:00:00:0b').map((s) => s.state),
    ['open'],
    'the real session stays open',
  );
  t.ok(a.core.counters().sessions! < 20, 'strangers’ sessions time out and are removed');
  a.core.stop();
  b.core.stop();
});
