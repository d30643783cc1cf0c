// A bug or a bad plugin costs one action, one timer or one reload, never the daemon:
// hook failures are contained, timer callbacks are guarded, a reload that fails while
// applying is logged, and a plugin's bad send() is refused to the plugin at once.
import t from 'tap';
import { MemorySegment } from '../../src/io/memory-link.js';
import { FakeClock, guardedClock } from '../../src/daemon/clock.js';
import { memoryLogger } from '../../src/daemon/log.js';
import { PluginError, PluginRegistry, type VendorSession } from '../../src/daemon/plugins.js';
import { reloadConfiguration } from '../../src/daemon/reload.js';
import { SessionTable, type Entry } from '../../src/daemon/session-table.js';
import { hooks, makeNode, run } from './harness.js';

t.test('a throwing hook loses only its own action; the rest of the step and the queue go on', async (t) => {
  const clock = new FakeClock();
  const errors: string[] = [];
  const sent: string[] = [];
  let calls = 0;
  const table = new SessionTable(
    clock,
    hooks({
      send(_e, _dst, pdu) {
        // the first send fails (a broken link, a bug); later ones work
        if (calls++ === 0) throw new Error('wire broken');
        sent.push(pdu.type);
      },
    }),
    (e: Entry, what, err) => errors.push(`${e.peerMac} ${what}: ${(err as Error).message}`),
  );
  const e = table.create('eth0|02:00:00:00:00:01', { ifname: 'eth0', peerMac: '02:00:00:00:00:01', localId: '0a'.repeat(10), nonceSeed: 1 }, clock.now());
  t.doesNotThrow(() => table.feed(e, { type: 'pdu-received', pdu: { type: 'HELLO' } }), 'feed does not throw');
  t.same(errors, ['02:00:00:00:00:01 send action: wire broken'], 'the failure was reported');
  t.equal(e.s.phase, 'opening', 'the machine moved on');
  t.ok(e.timers.size > 0, 'the timers of the same step were still armed');
  clock.advance(1.5);
  t.same(sent, ['OPEN'], 'the retransmission went out: the session was not left half done');
});

t.test('a throwing timer callback is reported and the other timers still fire', async (t) => {
  const fake = new FakeClock();
  const errors: unknown[] = [];
  const clock = guardedClock(fake, (err) => errors.push(err));
  const fired: number[] = [];
  clock.setTimer(1, () => {
    throw new Error('bug on a timer path');
  });
  clock.setTimer(2, () => fired.push(2));
  t.doesNotThrow(() => fake.advance(3));
  t.same(fired, [2]);
  t.equal(errors.length, 1);
  t.equal((errors[0] as Error).message, 'bug on a timer path');
});

t.test('a reload that fails while applying is one log line and never rejects', async (t) => {
  const log = memoryLogger();
  const ok = await reloadConfiguration(
    async () => ({ helloInterval: 5 }),
    () => {
      throw new Error('reconfigure bug\n    at somewhere (stack)');
    },
    log,
  );
  t.equal(ok, false);
  t.same(
    log.lines.map((l) => [l.level, l.message]),
    [['error', 'reload failed while applying the new configuration: reconfigure bug']],
  );
  const refused = await reloadConfiguration(
    async () => {
      throw new Error('a.conf:2: hello-interval: bad');
    },
    () => undefined,
    log,
  );
  t.equal(refused, false);
  t.equal(log.lines[1]?.message, 'reload refused, keeping the running configuration: a.conf:2: hello-interval: bad');
  t.equal(await reloadConfiguration(async () => 1, () => undefined, log), true);
});

t.test('a plugin send() with a bad enterprise number or type throws to the plugin at once', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const outcomes: Array<string | boolean> = [];
  const reg = new PluginRegistry(memoryLogger());
  const attempt = (s: VendorSession, en: number, type: number, data: Buffer | string) => {
    try {
      outcomes.push(s.send(en, type, data));
    } catch (err) {
      outcomes.push(err instanceof PluginError ? `PluginError: ${err.message}` : `other: ${(err as Error).message}`);
    }
  };
  await reg.register('probe', {
    default: (api: { onSessionUp(fn: (s: VendorSession) => void): void }) =>
      api.onSessionUp((s) => {
        attempt(s, 2 ** 32, 1, 'aa');
        attempt(s, -1, 1, 'aa');
        attempt(s, 1.5, 1, 'aa');
        attempt(s, 32473, 256, 'aa');
        attempt(s, 32473, -1, 'aa');
        attempt(s, 32473, 1, 'xyz');
        attempt(s, 32473, 1, Buffer.from('ok'));
      }),
  });
  const a = makeNode(clock, segment, { ifname: 'eth0', mac: '02:00:00:00:00:0a', localId: '0a'.repeat(10), plugins: reg });
  const b = makeNode(clock, segment, { ifname: 'eth1', mac: '02:00:00:00:00:0b', localId: '0b'.repeat(10) });
  await run(clock, 3);
  t.same(outcomes, [
    'PluginError: send(): enterprise number 4294967296 is not an integer in 0..4294967295',
    'PluginError: send(): enterprise number -1 is not an integer in 0..4294967295',
    'PluginError: send(): enterprise number 1.5 is not an integer in 0..4294967295',
    'PluginError: send(): enterprise type 256 is not an integer in 0..255',
    'PluginError: send(): enterprise type -1 is not an integer in 0..255',
    'PluginError: send(): data is not a string of hex octets',
    true,
  ]);
  await run(clock, 20);
  t.same(a.core.sessions().map((s) => s.state), ['open'], 'the session never retried a bad PDU into the ground');
  t.equal(a.core.counters().hookErrors, 0);
  a.core.stop();
  b.core.stop();
});
