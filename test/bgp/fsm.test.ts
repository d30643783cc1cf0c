// The RFC 4271 machine under a fake clock: a tiny runtime here keeps the timers the
// machine asks for and fires them as time advances; no socket, no sleeping.
import t from 'tap';
import { initialState, step } from '../../src/bgp/fsm/machine.js';
import type { FsmAction, FsmEvent, FsmParams, FsmState, TimerName } from '../../src/bgp/fsm/types.js';
import type { BgpMessage } from '../../src/bgp/wire/message.js';

const P: FsmParams = { asn: 65001, peerAsn: 65001, holdTime: 90, routerId: '10.0.0.1', connectRetryFirst: 5, connectRetryMax: 120 };

class Driver {
  s: FsmState;
  now = 0;
  timers = new Map<TimerName, number>();
  log: FsmAction[] = [];
  constructor(readonly p: FsmParams = P) {
    this.s = initialState(p, 0);
  }
  feed(e: FsmEvent): FsmAction[] {
    const r = step(this.s, e, this.p, this.now);
    this.s = r.state;
    for (const a of r.actions) {
      if (a.type === 'set-timer') this.timers.set(a.name, a.at);
      if (a.type === 'clear-timer') this.timers.delete(a.name);
    }
    this.log.push(...r.actions);
    return r.actions;
  }
  /** Moves time to `to`, firing each due timer in order. */
  advance(to: number): void {
    for (;;) {
      const due = [...this.timers].filter(([, at]) => at <= to).sort((a, b) => a[1] - b[1])[0];
      if (!due) break;
      this.now = due[1];
      this.timers.delete(due[0]);
      this.feed({ type: 'timer', name: due[0] });
    }
    this.now = to;
  }
  msg(m: BgpMessage): FsmAction[] {
    return this.feed({ type: 'message', message: m });
  }
  sent(): BgpMessage[] {
    return this.log.flatMap((a) => (a.type === 'send' ? [a.message] : []));
  }
}

const peerOpen = (patch: Partial<Extract<BgpMessage, { type: 'OPEN' }>> = {}): BgpMessage => ({
  type: 'OPEN', version: 4, myAs: 65001, holdTime: 30, bgpId: '10.9.9.9',
  capabilities: [{ kind: 'multiprotocol', afi: 16388, safi: 71 }, { kind: 'four-octet-as', asn: 65001 }], ...patch,
});

function establish(d: Driver): void {
  d.feed({ type: 'start' });
  d.feed({ type: 'tcp-connected' });
  d.msg(peerOpen());
  d.msg({ type: 'KEEPALIVE' });
}

t.test('start, connect, OPEN, KEEPALIVE: established with the smaller hold time', (t) => {
  const d = new Driver();
  t.strictSame(d.feed({ type: 'start' }).map((a) => a.type), ['connect', 'set-timer']);
  t.equal(d.s.name, 'connect');
  const a = d.feed({ type: 'tcp-connected' });
  t.equal(d.s.name, 'open-sent');
  const open = a.find((x) => x.type === 'send');
  t.match(open, { message: { type: 'OPEN', myAs: 65001, holdTime: 90, bgpId: '10.0.0.1' } });
  t.equal(d.timers.get('hold'), 90, 'OpenSent waits the hold time, not 4 minutes');
  d.now = 1;
  d.msg(peerOpen());
  t.equal(d.s.name, 'open-confirm');
  t.equal(d.s.holdTime, 30);
  t.equal(d.timers.get('keepalive'), 11);
  const up = d.msg({ type: 'KEEPALIVE' });
  t.equal(d.s.name, 'established');
  t.match(up.find((x) => x.type === 'established'), { peer: { bgpId: '10.9.9.9', asn: 65001, linkState: true } });
  d.advance(30.5);
  t.equal(d.sent().filter((m) => m.type === 'KEEPALIVE').length, 1 + 2, 'ours at 1 s, then at 11 and 21 s');
  t.equal(d.s.name, 'established');
  d.advance(31);
  t.equal(d.s.name, 'active', 'the peer said nothing for 30 s');
  t.match(d.sent().at(-1), { type: 'NOTIFICATION', code: 4, subcode: 0 });
  t.match(d.log.at(-1), { type: 'down' });
  t.end();
});

t.test('messages in Established keep the hold timer; ROUTE-REFRESH asks for everything', (t) => {
  const d = new Driver();
  establish(d);
  for (let i = 1; i <= 10; i++) {
    d.advance(i * 25);
    d.msg({ type: 'UPDATE', withdrawn: '', attributes: [], nlri: '' });
  }
  t.equal(d.s.name, 'established', 'still up after 250 s');
  t.ok(d.log.filter((a) => a.type === 'update-received').length === 10);
  t.strictSame(d.msg({ type: 'ROUTE_REFRESH', afi: 16388, safi: 71 }).map((a) => a.type), ['set-timer', 'refresh']);
  t.end();
});

t.test('connect-retry backs off from 5 s to 120 s and resets once established', (t) => {
  const d = new Driver();
  d.feed({ type: 'start' });
  const attempts: number[] = [];
  for (let i = 0; i < 8; i++) {
    attempts.push(d.now);
    d.feed({ type: 'tcp-closed', reason: 'ECONNREFUSED' });
    t.equal(d.s.name, 'active');
    d.advance(d.timers.get('connect-retry')!);
    t.equal(d.s.name, 'connect');
  }
  const gaps = attempts.slice(1).map((x, i) => x - attempts[i]!);
  t.strictSame(gaps, [5, 10, 20, 40, 80, 120, 120]);
  t.equal(d.s.lastError, 'ECONNREFUSED');
  d.feed({ type: 'tcp-connected' });
  d.msg(peerOpen());
  d.msg({ type: 'KEEPALIVE' });
  t.equal(d.s.retryDelay, 5, 'backoff reset');
  t.end();
});

t.test('connect-retry and keepalive are jittered (RFC 4271 section 10): 0.75 to 1 times their value', (t) => {
  // a fixed sequence stands in for Math.random: the machine only sees what is injected
  const sequence = (values: number[]) => {
    let i = 0;
    return () => values[i++ % values.length]!;
  };
  const draws = [0, 0.5, 0.999, 0.25, 0.75, 0.1, 0.9, 0.6];
  const run = (random: () => number) => {
    const d = new Driver({ ...P, random });
    d.feed({ type: 'start' });
    const attempts: number[] = [];
    for (let i = 0; i < 6; i++) {
      attempts.push(d.now);
      d.feed({ type: 'tcp-closed', reason: 'ECONNREFUSED' });
      d.advance(d.timers.get('connect-retry')!);
    }
    return attempts.slice(1).map((x, i) => x - attempts[i]!);
  };
  const gaps = run(sequence(draws));
  const nominal = [5, 10, 20, 40, 80];
  // each attempt draws twice (the connect's own time-out, then the retry): the retry's is every second draw
  const factors = gaps.map((g, i) => g / nominal[i]!);
  t.ok(factors.every((f) => f >= 0.75 && f <= 1), `factors ${factors.map((f) => f.toFixed(3)).join(' ')} in [0.75, 1]`);
  t.strictSame(factors.map((f) => Number(f.toFixed(4))), [1, 2, 3, 4, 5].map((k) => Number((0.75 + 0.25 * draws[(2 * k - 1) % draws.length]!).toFixed(4))), 'the retry takes its draw');
  t.notSame(run(sequence([0.1])), run(sequence([0.9])), 'two speakers with different draws retry at different times');
  t.strictSame(run(() => 0.999999).map(Math.round), nominal, 'the backoff itself still doubles from 5 s');

  const d = new Driver({ ...P, random: () => 0 });
  establish(d);
  t.equal(d.timers.get('keepalive'), 30 * 0.75 / 3, 'keepalive at 0.75 of a third of the hold time, never later than the third');
  t.end();
});

t.test('a connect that never completes is abandoned at the retry timer', (t) => {
  const d = new Driver();
  d.feed({ type: 'start' });
  d.advance(5);
  t.equal(d.s.name, 'active');
  t.equal(d.s.lastError, 'connect timed out');
  t.ok(d.log.some((a) => a.type === 'close'));
  d.advance(15);
  t.equal(d.s.name, 'connect', 'and tried again 10 s later');
  t.end();
});

t.test('a peer that sends nothing after connecting gets Hold Timer Expired', (t) => {
  const d = new Driver({ ...P, holdTime: 9 });
  d.feed({ type: 'start' });
  d.feed({ type: 'tcp-connected' });
  d.advance(9);
  t.equal(d.s.name, 'active');
  t.match(d.sent().at(-1), { type: 'NOTIFICATION', code: 4, subcode: 0 });
  t.match(d.s.lastError, /no OPEN within 9 s/);
  t.end();
});

t.test('NOTIFICATION received in each connected state: drop, no reply, retry later', (t) => {
  const toState: Record<string, (d: Driver) => void> = {
    'open-sent': (d) => (d.feed({ type: 'start' }), d.feed({ type: 'tcp-connected' })),
    'open-confirm': (d) => (d.feed({ type: 'start' }), d.feed({ type: 'tcp-connected' }), d.msg(peerOpen())),
    established: establish,
  };
  for (const [name, go] of Object.entries(toState)) {
    const d = new Driver();
    go(d);
    t.equal(d.s.name, name);
    const before = d.sent().length;
    const a = d.msg({ type: 'NOTIFICATION', code: 6, subcode: 4, data: '' });
    t.equal(d.s.name, 'active', `${name}: back to active`);
    t.equal(d.sent().length, before, `${name}: no NOTIFICATION sent back`);
    t.ok(a.some((x) => x.type === 'close'));
    t.match(d.s.lastError, /received cease\/administrative reset/);
  }
  t.end();
});

t.test('unexpected messages get the RFC 6608 FSM error of the state', (t) => {
  const a = new Driver();
  a.feed({ type: 'start' });
  a.feed({ type: 'tcp-connected' });
  a.msg({ type: 'KEEPALIVE' });
  t.match(a.sent().at(-1), { type: 'NOTIFICATION', code: 5, subcode: 1 });
  const b = new Driver();
  b.feed({ type: 'start' });
  b.feed({ type: 'tcp-connected' });
  b.msg(peerOpen());
  b.msg({ type: 'UPDATE', withdrawn: '', attributes: [], nlri: '' });
  t.match(b.sent().at(-1), { type: 'NOTIFICATION', code: 5, subcode: 2 });
  const c = new Driver();
  establish(c);
  c.msg(peerOpen());
  t.match(c.sent().at(-1), { type: 'NOTIFICATION', code: 5, subcode: 3 });
  t.end();
});

t.test('a bad OPEN or bytes that do not decode: the NOTIFICATION chosen for them', (t) => {
  const d = new Driver();
  d.feed({ type: 'start' });
  d.feed({ type: 'tcp-connected' });
  d.msg(peerOpen({ capabilities: [{ kind: 'four-octet-as', asn: 65002 }] }));
  t.match(d.sent().at(-1), { type: 'NOTIFICATION', code: 2, subcode: 2 });
  const e = new Driver();
  e.feed({ type: 'start' });
  e.feed({ type: 'tcp-connected' });
  e.feed({ type: 'malformed', code: 1, subcode: 1, data: Buffer.alloc(0), reason: 'marker' });
  t.match(e.sent().at(-1), { type: 'NOTIFICATION', code: 1, subcode: 1, data: '' });
  t.equal(e.s.name, 'active');
  t.end();
});

t.test('stop: Cease/administrative shutdown when connected, quietly otherwise', (t) => {
  const d = new Driver();
  establish(d);
  const a = d.feed({ type: 'stop' });
  t.match(a[0], { type: 'send', message: { type: 'NOTIFICATION', code: 6, subcode: 2 } });
  t.equal(d.s.name, 'idle');
  t.equal(d.timers.size, 0, 'no timer left');
  const c = new Driver();
  c.feed({ type: 'start' });
  t.notOk(c.feed({ type: 'stop' }).some((x) => x.type === 'send'), 'nothing to say while connecting');
  t.end();
});

t.test('a peer without BGP-LS is established but marked', (t) => {
  const d = new Driver();
  d.feed({ type: 'start' });
  d.feed({ type: 'tcp-connected' });
  d.msg(peerOpen({ capabilities: [] }));
  const a = d.msg({ type: 'KEEPALIVE' });
  t.match(a.find((x) => x.type === 'established'), { peer: { linkState: false } });
  t.end();
});
