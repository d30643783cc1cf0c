// Two session machines joined in memory under a fake clock: they open, exchange
// encapsulations and stay open over a wire that loses 20%, duplicates and reorders.
import t from 'tap';
import { ENCAPSULATION_TYPES } from '../../src/proto/types.js';
import { SimLink, type Side } from '../helpers/sim-link.js';
import { V4, V4_NEW, V6 } from './session-fixtures.js';

const timing = {
  retransmitInitialInterval: 1,
  retransmitExponentialBackoff: true,
  retransmitMaxDrop: 6,
  keepaliveSendInterval: 1,
  keepaliveReceiveTimeout: 60,
};
const B_V4 = [{ address: '10.0.0.2', prefixLength: 31, primary: true, loopback: false }];
const B_MPLS = [{ address: '192.0.2.9', prefixLength: 32, primary: false, loopback: true, labels: ['00fa01'] }];

function link(seed: number, wire: { loss: number; duplicate: number; jitter: number }): SimLink {
  return new SimLink(
    { localId: 'aaaaaaaaaaaaaaaaaaaa', nonceSeed: seed * 2 + 1, timing,
      announced: { IPV4_ENCAPSULATION: V4, IPV6_ENCAPSULATION: V6 } },
    { localId: 'bbbbbbbbbbbbbbbbbbbb', nonceSeed: seed * 2 + 2, timing,
      announced: { IPV4_ENCAPSULATION: B_V4, MPLS_IPV4_ENCAPSULATION: B_MPLS } },
    { seed, delay: 0.001, helloInterval: 5, ...wire },
  );
}

const count = (side: Side, type: string) => side.history.filter((h) => h.action.type === type).length;

/** What `side` reports northbound equals what the other side announces, for every type. */
function learnedAll(sim: SimLink, side: Side): boolean {
  const other = sim.other(side).session;
  return ENCAPSULATION_TYPES.every(
    (type) => JSON.stringify(side.northbound[type] ?? null) === JSON.stringify(other.announced[type]),
  );
}

t.test('a clean wire: open and exchange at once', async (t) => {
  const sim = link(1, { loss: 0, duplicate: 0, jitter: 0 });
  sim.start();
  sim.run(0.1);
  for (const side of [sim.a, sim.b]) {
    t.equal(side.session.phase, 'open', `${side.name} open`);
    t.ok(learnedAll(sim, side), `${side.name} learned all four types`);
    t.equal(side.session.counters.retransmits, 0);
  }
  t.equal(sim.a.session.peerId, 'bbbbbbbbbbbbbbbbbbbb');
  t.equal(sim.b.session.peerId, 'aaaaaaaaaaaaaaaaaaaa');
});

// With 20% loss each way an acked exchange fails with p = 1 - 0.8² = 0.36, so six in a
// row (retransmit-max-drop 6) happens for about 1 PDU in 450: seeds 1 and 17 of the
// first 40 really lose one PDU six times. They are covered by the next test (a correct
// close and a quick recovery); the seeds here are the others among the first ten.
for (const seed of [2, 3, 4, 5, 6, 7, 8, 9]) {
  t.test(`20% loss, duplication and reordering, seed ${seed}`, async (t) => {
    const sim = link(seed, { loss: 0.2, duplicate: 0.2, jitter: 0.005 });
    sim.start();
    sim.run(60);
    for (const side of [sim.a, sim.b]) {
      t.equal(side.session.phase, 'open', `${side.name} open`);
      t.ok(learnedAll(sim, side), `${side.name} learned what the other announces`);
    }
    const upAt = Math.max(...[sim.a, sim.b].map((s) => s.history.find((h) => h.action.type === 'session-up')!.at));
    // change an address on a: b must end with the newest
    sim.feed(sim.a, { type: 'local-encaps-changed', announced: { IPV4_ENCAPSULATION: V4_NEW } });
    sim.run(300);
    for (const side of [sim.a, sim.b]) {
      t.equal(side.session.phase, 'open', `${side.name} still open at the end`);
      t.equal(count(side, 'session-up'), 1, `${side.name} came up once`);
      const downsAfterUp = side.history.filter((h) => h.action.type === 'session-down' && h.at > upAt);
      t.strictSame(downsAfterUp, [], `${side.name} stayed open`);
      t.ok(learnedAll(sim, side), `${side.name} has the other side's current encapsulations`);
    }
    t.strictSame(sim.b.northbound.IPV4_ENCAPSULATION, V4_NEW, 'the change reached b');
    const impaired = sim.a.session.counters.retransmits + sim.b.session.counters.retransmits;
    t.ok(impaired > 0, `PDUs were retransmitted (${impaired})`);
    const { lost, duplicated, reordered, delivered } = sim.stats;
    t.ok(lost > 0 && duplicated > 0 && reordered > 0,
      `the wire lost ${lost}, duplicated ${duplicated}, reordered ${reordered} of ${delivered} deliveries`);
  });
}

t.test('seed 1: six lost exchanges close the session, and both sides recover at once', async (t) => {
  const sim = link(1, { loss: 0.2, duplicate: 0.2, jitter: 0.005 });
  sim.start();
  sim.run(200);
  const downs = [sim.a, sim.b].flatMap((side) =>
    side.history.flatMap((h) => (h.action.type === 'session-down' ? [{ side: side.name, at: h.at, ...h.action }] : [])),
  );
  t.equal(downs.length, 2);
  const exhausted = downs.find((d) => d.reason === 'retransmit-exhausted');
  t.ok(exhausted, 'one side gave up on a PDU');
  const gaveUp = exhausted!.side === 'a' ? sim.a : sim.b;
  const lastLog = gaveUp.history.find((h) => h.at === exhausted!.at && h.action.type === 'log' && /after 6 sends/.test(h.action.message));
  t.ok(lastLog, 'after six unanswered sends');
  const other = downs.find((d) => d !== exhausted)!;
  t.equal(other.reason, 'peer-restarted', 'the other side saw the new nonce');
  t.ok(other.at - exhausted!.at < 1, 'within a second');
  for (const side of [sim.a, sim.b]) {
    t.equal(side.session.phase, 'open', `${side.name} open again`);
    t.equal(count(side, 'session-up'), 2);
    t.ok(learnedAll(sim, side), `${side.name} learned everything again`);
  }
});

t.test('a cut wire: both sides give up, and meet again when it heals', async (t) => {
  const sim = link(9, { loss: 0, duplicate: 0, jitter: 0 });
  sim.start();
  sim.run(1);
  sim.connected = false;
  sim.run(100);
  for (const side of [sim.a, sim.b]) {
    t.equal(side.session.phase, 'idle', `${side.name} closed`);
    t.strictSame(side.history.filter((h) => h.action.type === 'session-down').map((h) => h.action),
      [{ type: 'session-down', reason: 'keepalive-timeout', wasOpen: true }]);
    t.ok(ENCAPSULATION_TYPES.every((type) => side.northbound[type]?.length === 0), `${side.name} withdrew`);
  }
  sim.connected = true;
  sim.run(120); // the next HELLO beacon starts them again
  for (const side of [sim.a, sim.b]) {
    t.equal(side.session.phase, 'open', `${side.name} open again`);
    t.ok(learnedAll(sim, side));
  }
});
