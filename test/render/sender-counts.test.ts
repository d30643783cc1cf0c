// Per-sender PDU counts in bounded memory: exact until more senders arrive than
// are tracked, then lower bounds, with the busiest found by the sketch however
// many one-off senders a flood brings, and wherever in it they send.
import t from 'tap';
import { SenderCounts, TRACKED } from '../../src/render/sender-counts.js';
import { seededRandom } from '../helpers/fake-clock.js';

const mac = (i: number): string => `02:${[(i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255, 0x10].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

t.test('exact while every sender fits, per interface', async (t) => {
  const c = new SenderCounts();
  for (let i = 0; i < TRACKED; i++) for (let k = 0; k <= i % 3; k++) c.add(i % 2 ? 'eth1' : undefined, mac(i));
  c.add('eth0', mac(1));
  t.equal(c.distinct, TRACKED + 1, 'the same MAC on another interface is another sender');
  t.equal(c.approximate, false);
  const top = c.top(3);
  t.same(top.map((r) => r.pdus), [3, 3, 3]);
  t.equal(top[0]!.sender, mac(2), 'ties by name');
  t.same(c.top(TRACKED + 5).find((r) => r.sender === `eth0 ${mac(1)}`), { sender: `eth0 ${mac(1)}`, pdus: 1 });
});

t.test('in a flood of 300,000 one-off senders, five busy ones found however seldom and late they send; no count above the truth', async (t) => {
  const rand = seededRandom(3);
  const c = new SenderCounts();
  const busy = new Map<string, number>([
    ['02:ff:00:00:00:01', 90],
    ['02:ff:00:00:00:02', 70],
    ['02:ff:00:00:00:03', 60],
    ['02:ff:00:00:00:04', 50],
    ['02:ff:00:00:00:05', 45],
  ]);
  // Each busy sender's PDUs spread evenly (with some jitter) from a start that comes later
  // for each: more than 3,000 one-offs between two of them, well over the ~2,048 newcomers a
  // tracked sender must outlast (what hid such senders when the table's own counts chose).
  const at = new Map<number, string[]>();
  let k = 0;
  for (const [sender, pdus] of busy) {
    const from = Math.floor((k++ / busy.size) * 150_000);
    const gap = (300_000 - from) / pdus;
    for (let p = 0; p < pdus; p++) {
      const i = Math.floor(from + p * gap + rand() * 100);
      at.set(i, [...(at.get(i) ?? []), sender]);
    }
  }
  for (let i = 0; i < 300_000; i++) {
    c.add(undefined, mac(i));
    for (const sender of at.get(i) ?? []) c.add(undefined, sender);
  }
  t.equal(c.distinct, 300_005);
  t.equal(c.approximate, true, 'more senders than tracked: lower bounds');
  const top = c.top(20);
  t.same(new Set(top.slice(0, 5).map((r) => r.sender)), new Set(busy.keys()), 'the five busy senders lead');
  for (const r of top) {
    const truth = busy.get(r.sender) ?? 1;
    if (r.pdus > truth) t.fail(`${r.sender}: ${r.pdus} shown, more than its ${truth}`);
    if (busy.has(r.sender) && r.pdus < truth / 2) t.fail(`${r.sender}: only ${r.pdus} of ${truth} counted`);
  }
});

t.test('a sender busy before the table first fills keeps its exact count through a flood it no longer sends in', async (t) => {
  // The sketch starts at the first prune with what the table counted: without that, the
  // early busy sender would rank as nothing then, and be forgotten.
  const c = new SenderCounts();
  const early = '02:ee:00:00:00:01';
  for (let i = 0; i < 1000; i++) {
    c.add(undefined, mac(i));
    if (i % 20 === 0) c.add(undefined, early);
  }
  for (let i = 1000; i < 200_000; i++) c.add(undefined, mac(i));
  t.equal(c.approximate, true);
  t.same(c.top(1), [{ sender: early, pdus: 50 }], 'listed first, all 50 PDUs');
});
