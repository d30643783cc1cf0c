// Timers under a fake clock: retransmission with backoff, retransmit exhaustion,
// KEEPALIVE sending and the receive timeout. Nothing here sleeps.
import t from 'tap';
import { createSession, step } from '../../src/proto/session/index.js';
import { nextKeepaliveDue } from '../../src/proto/session/timers.js';
import { ackOf, params, peerOpen, Runner, rx, settled } from './session-fixtures.js';

const timing = (over: object) => ({ ...params().timing, ...over });

/** Times at which the OPEN went on the wire, and when its retransmit timer was armed for. */
function openHistory(r: Runner) {
  return {
    sends: r.log.filter((l) => l.action.type === 'send' && l.action.pdu.type === 'OPEN').map((l) => l.at),
    armedFor: r.log.flatMap((l) => (l.action.type === 'arm-timer' && l.action.name === 'retransmit:OPEN' ? [l.action.at] : [])),
  };
}

t.test('retransmissions back off exponentially (seen in arm-timer actions)', async (t) => {
  const r = new Runner(createSession(params({ timing: timing({ retransmitMaxDrop: 6, keepaliveReceiveTimeout: 0 }) }), 0));
  r.feed(rx({ type: 'HELLO' }));
  r.clock.advanceTo(1000);
  const { sends, armedFor } = openHistory(r);
  t.strictSame(sends, [0, 1, 3, 7, 15, 31], 'six sends');
  const delays = armedFor.map((at, i) => at - sends[i]!);
  t.strictSame(delays, [1, 2, 4, 8, 16, 32], 'each delay doubles');
  t.equal(r.session.counters.retransmits, 5);
  const down = r.log.find((l) => l.action.type === 'session-down');
  t.strictSame(down, { at: 63, action: { type: 'session-down', reason: 'retransmit-exhausted', wasOpen: false } },
    'closed when the sixth send goes unanswered');
  t.equal(r.session.phase, 'idle');
  t.strictSame(r.clock.keys(), [], 'no timer left armed');
});

t.test('without backoff the interval stays the same', async (t) => {
  const r = new Runner(createSession(params({ timing: timing({ retransmitExponentialBackoff: false, retransmitInitialInterval: 0.5 }) }), 0));
  r.feed(rx({ type: 'HELLO' }));
  r.clock.advanceTo(100);
  const { sends, armedFor } = openHistory(r);
  t.strictSame(sends, [0, 0.5, 1]);
  t.strictSame(armedFor, [0.5, 1, 1.5]);
  t.ok(r.log.some((l) => l.at === 1.5 && l.action.type === 'session-down'), 'retransmit-max-drop 3: closed at 1.5');
});

t.test('retransmit exhaustion of an encapsulation closes an open session and withdraws', async (t) => {
  const r = new Runner(createSession(params(), 0));
  r.feed(rx({ type: 'HELLO' }));
  r.at(0.1, rx(peerOpen()));
  r.at(0.2, rx(ackOf(1)));
  // the peer keeps talking (KEEPALIVEs) but never ACKs the encapsulations
  for (let s = 1; s < 10; s++) r.at(s, rx({ type: 'KEEPALIVE' }));
  const downs = r.log.filter((l) => l.action.type === 'session-down');
  t.strictSame(downs, [{ at: 7.2, action: { type: 'session-down', reason: 'retransmit-exhausted', wasOpen: true } }]);
  t.ok(r.log.some((l) => l.at === 7.2 && l.action.type === 'withdraw'));
  t.equal(r.session.phase, 'opening', 'the next KEEPALIVE started it again');
});

t.test('an ACK stops retransmission', async (t) => {
  const r = new Runner(createSession(params(), 0));
  r.feed(rx({ type: 'HELLO' }));
  r.at(2, rx(ackOf(1))); // after one retransmission at t=1
  r.clock.advanceTo(50);
  t.strictSame(openHistory(r).sends, [0, 1]);
  t.equal(r.session.phase, 'opening', 'waiting for the peer OPEN, not closed');
});

t.test('KEEPALIVE every keepalive-send-interval while open, on multiples of it', async (t) => {
  const r = new Runner(settled(), 0.3).adoptTimers();
  r.clock.advanceTo(5.5);
  const times = r.log.filter((l) => l.action.type === 'send' && l.action.pdu.type === 'KEEPALIVE').map((l) => l.at);
  t.strictSame(times.map((x) => Math.round(x * 10) / 10), [1, 2, 3, 4, 5]);
});

t.test('sessions opened at different times send their KEEPALIVEs at the same instants', async (t) => {
  // (so a daemon sends all of them in one turn, and its peer reads them in one round)
  t.equal(nextKeepaliveDue(100.2, 1), 101);
  t.equal(nextKeepaliveDue(100.9, 1), 101);
  t.equal(nextKeepaliveDue(101, 1), 102, 'never now: a whole interval later');
  t.equal(nextKeepaliveDue(7.1, 2.5), 7.5);
  for (const opened of [0.05, 0.31, 0.74, 0.99]) {
    const due = nextKeepaliveDue(opened, 1);
    t.ok(due > opened && due <= opened + 1 && due === 1, `opened at ${opened}: first due at ${due}, within one interval`);
  }
});

t.test('a KEEPALIVE timer fired late keeps the period; after a stall it starts again on the next multiple', async (t) => {
  const s = settled();
  const due = s.timers['keepalive-send']!;
  const nextArm = (now: number) => {
    const r = step(s, { type: 'timer-fired', name: 'keepalive-send' }, now);
    t.ok(r.actions.some((a) => a.type === 'send' && a.pdu.type === 'KEEPALIVE'), `sent at ${now}`);
    return r.actions.flatMap((a) => (a.type === 'arm-timer' && a.name === 'keepalive-send' ? [a.at] : []));
  };
  t.strictSame(nextArm(due), [due + 1], 'on time: one interval on');
  t.strictSame(nextArm(due + 0.25), [due + 1], 'fired 0.25 s late (timer slack): still one interval after it was due');
  t.strictSame(nextArm(due + 5.3), [due + 6], 'stalled past the next due time: the next multiple of the interval');
});

t.test('silence for keepalive-receive-timeout closes the session', async (t) => {
  const r = new Runner(settled(), 0.3).adoptTimers();
  r.at(20, rx({ type: 'KEEPALIVE' })); // heard at 20: the deadline moves to 80
  r.clock.advanceTo(79.9);
  t.equal(r.session.phase, 'open', 'still open just before the deadline');
  r.clock.advanceTo(200);
  const downs = r.log.filter((l) => l.action.type === 'session-down');
  t.strictSame(downs, [{ at: 80, action: { type: 'session-down', reason: 'keepalive-timeout', wasOpen: true } }]);
  t.equal(r.session.phase, 'idle');
  t.strictSame(r.clock.keys(), [], 'no KEEPALIVE after closing');
});

t.test('keepalive-receive-timeout 0 never closes', async (t) => {
  const r = new Runner(settled({ timing: timing({ keepaliveReceiveTimeout: 0 }) }), 0.3).adoptTimers();
  t.equal(r.session.timers['keepalive-receive'], undefined, 'no receive timer at all');
  r.clock.advanceTo(1000);
  t.equal(r.session.phase, 'open');
});

t.test('link down closes at once, cancelling every timer', async (t) => {
  const r = new Runner(settled(), 0.3).adoptTimers();
  r.at(3, { type: 'link-down' });
  t.strictSame(r.clock.keys(), []);
  t.strictSame(r.session.timers, {});
  t.equal(r.session.phase, 'idle');
});

t.test('KEEPALIVE steps leave the input session untouched (counters and timers are copied in the step)', async (t) => {
  const deepFreeze = <T>(o: T): T => {
    if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
      Object.freeze(o);
      for (const v of Object.values(o)) deepFreeze(v);
    }
    return o;
  };
  let s = settled();
  const due = s.timers['keepalive-send']!;
  const before = JSON.stringify(s);
  deepFreeze(s); // a write into the caller's records would throw (ESM: strict mode)
  const fired = step(s, { type: 'timer-fired', name: 'keepalive-send' }, due);
  t.equal(JSON.stringify(s), before, 'the session given to the timer step is unchanged');
  t.equal(fired.session.counters.txPdus, s.counters.txPdus + 1, 'the result counts the KEEPALIVE sent');
  t.equal(fired.session.timers['keepalive-send'], due + 1, 'and holds the re-armed deadline');
  t.equal(fired.session.timers['keepalive-receive'], s.timers['keepalive-receive'], 'the other timer kept');
  s = deepFreeze(fired.session);
  const heard = step(s, rx({ type: 'KEEPALIVE' }), due + 0.5);
  t.equal(heard.session.counters.rxPdus, s.counters.rxPdus + 1);
  t.equal(heard.session.lastHeard, due + 0.5);
  t.equal(fired.session.counters.rxPdus, s.counters.rxPdus, 'the earlier result is unchanged');
  // a step that fires a timer which is not re-armed drops it from its own copy only
  const closed = step(s, { type: 'close' }, due + 0.6);
  t.strictSame(closed.session.timers, {}, 'every timer cancelled in the result');
  t.equal(Object.keys(s.timers).length, 2, 'the input still holds both');
});
