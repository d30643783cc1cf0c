// The session table's timers (issue 10): sessions whose timer of one name is due at one
// instant share one clock timer; the last session to leave a deadline clears it, so a
// cancelled or removed session leaves no wake-up behind.
import t from 'tap';
import { FakeClock } from '../../src/daemon/clock.js';
import { SessionTable, type Entry } from '../../src/daemon/session-table.js';
import { hooks } from './harness.js';
import { PduType, type Pdu } from '../../src/proto/types.js';

function table(clock: FakeClock, sent: string[]): SessionTable {
  return new SessionTable(clock, hooks({ send: (e, _dst, pdu) => sent.push(`${e.peerMac.slice(-2)} ${pdu.type}`) }));
}

const ackOpen: Pdu = { type: 'ACK', ackType: PduType.OPEN, errorType: 0, errorCode: 0, errorHint: 0 };

function two(clock: FakeClock, sent: string[]): { tab: SessionTable; a: Entry; b: Entry } {
  const tab = table(clock, sent);
  const mk = (mac: string, seed: number) => tab.create(`eth0|${mac}`, { ifname: 'eth0', peerMac: mac, localId: '0a'.repeat(10), nonceSeed: seed }, clock.now());
  const a = mk('02:00:00:00:00:01', 1);
  const b = mk('02:00:00:00:00:02', 2);
  // both start at the same instant: OPEN sent, its retransmission due in 1 s, the receive time-out in 60
  tab.feed(a, { type: 'pdu-received', pdu: { type: 'HELLO' } });
  tab.feed(b, { type: 'pdu-received', pdu: { type: 'HELLO' } });
  return { tab, a, b };
}

t.test('two sessions due at the same instants: one clock timer per deadline, both fire', async (t) => {
  const clock = new FakeClock();
  const sent: string[] = [];
  two(clock, sent);
  t.equal(clock.pending(), 2, 'retransmit:OPEN and keepalive-receive, each shared (4 before)');
  sent.length = 0;
  clock.advance(1.5);
  t.same(sent, ['01 OPEN', '02 OPEN'], 'both retransmitted, in the order they asked');
});

t.test('a session that leaves a shared deadline does not stop the other; the last one out clears it', async (t) => {
  const clock = new FakeClock();
  const sent: string[] = [];
  const { tab, a, b } = two(clock, sent);
  tab.feed(a, { type: 'pdu-received', pdu: ackOpen });
  t.notOk(a.timers.has('retransmit:OPEN'), 'a: retransmission cancelled');
  t.equal(clock.pending(), 2, 'b still waits on the retransmit deadline');
  sent.length = 0;
  tab.remove(b);
  t.equal(clock.pending(), 1, 'b removed: its deadline has nobody left and is cleared (only the receive time-out remains)');
  clock.advance(1.5);
  t.same(sent, [], 'nothing retransmitted');
  tab.remove(a);
  t.equal(clock.pending(), 0, 'no timer left behind');
});

t.test("a session's time never goes back: an event given an earlier time (a late frame's arrival) is taken at the latest", async (t) => {
  const clock = new FakeClock();
  const { tab, a } = two(clock, []);
  clock.advance(2);
  tab.feed(a, { type: 'pdu-received', pdu: { type: 'KEEPALIVE' } }, clock.now());
  t.equal(a.s.lastHeard, clock.now());
  // it arrived before the event just handled (read late, microseconds before it)
  tab.feed(a, { type: 'pdu-received', pdu: { type: 'KEEPALIVE' } }, clock.now() - 0.001);
  t.equal(a.s.lastHeard, clock.now(), 'not before the last event');
  clock.advance(0.6); // (no timer due meanwhile: the retransmission is due at whole seconds)
  tab.feed(a, { type: 'pdu-received', pdu: { type: 'KEEPALIVE' } }, clock.now() - 0.5);
  t.equal(a.s.lastHeard, clock.now() - 0.5, 'an earlier arrival after the last event is its own');
});
