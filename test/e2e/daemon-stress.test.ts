// `lsoe daemon` under a lossy link and under a flood, in network namespaces.
import path from 'node:path';
import t, { type Test } from 'tap';
import { createNetns, createVethPair, rootOrSkip, spawnNode } from '../helpers/netns.js';
import { repoRoot } from '../helpers/vectors.js';
import { eventually, startDaemon, tempDir, waitReady } from '../daemon/e2e-helpers.js';

async function pair(t: Test) {
  const [nsA, nsB] = [await createNetns(t, 'sa'), await createNetns(t, 'sb')];
  const [a, b] = await createVethPair(t, nsA, nsB);
  await nsA.ip(['addr', 'add', '10.66.0.1/24', 'dev', a.ifname]);
  await nsB.ip(['addr', 'add', '10.66.0.2/24', 'dev', b.ifname]);
  await nsB.ip(['addr', 'add', '2001:db8:66::2/64', 'dev', b.ifname, 'nodad']);
  return { nsA, nsB, a, b, dir: tempDir(t) };
}

/** Drops 20% of LSOE frames arriving on `ifname`, in the kernel (netdev ingress). */
async function lossy(ns: Awaited<ReturnType<typeof createNetns>>, ifname: string) {
  const rules = `table netdev lsoeloss {
  chain ingress {
    type filter hook ingress device "${ifname}" priority 0;
    ether type 0x88b5 numgen random mod 10 < 2 counter drop
  }
}
`;
  const r = await ns.exec('nft', ['-f', '-'], { input: rules });
  if (r.code !== 0) throw new Error(`nft: ${r.stderr.trim()}`);
}

async function dropped(ns: Awaited<ReturnType<typeof createNetns>>): Promise<number> {
  const r = await ns.exec('nft', ['-j', 'list', 'table', 'netdev', 'lsoeloss']);
  const m = /"packets":\s*(\d+)/.exec(r.stdout);
  return m ? Number(m[1]) : 0;
}

/**
 * How long the loss test waits, and why it cannot realistically flake.
 *
 * Loss: each LSOE frame is dropped with p = 0.2 on arrival at either end, independently
 * (nft `numgen random`). Every PDU here fits one frame. With retransmit-max-drop 6 and
 * backoff, an acked PDU is sent at t0 + 0, 1, 3, 7, 15, 31 s and its session gives up at
 * t0 + 63 s (the 6th send waits 32 s more); no other send happens in between.
 *
 * 1. Learning an address needs one send of its PDU to arrive (the receiver keeps what
 *    it got even if the ACK is lost): P(all 6 lost) = 0.2^6 = 6.4e-5 per PDU, and three
 *    PDUs carry addresses (B's IPv4 and IPv6 to A, A's IPv4 to B): 1.9e-4 together.
 *    Empty PDUs (A has no global IPv6) need not arrive: missing or empty read the same.
 *    This is the floor of the scenario the issue fixes (20% loss, max-drop 6); a wait
 *    cannot lower it, because after the 6th send the next thing is the give-up.
 * 2. A lost ACK matters only through exhaustion: all 6 sends unanswered
 *    (0.36^6 = 2.2e-3 per PDU, ~2% over the 10 acked PDUs) closes the session, and never
 *    before t0 + 63 s. So "stays open" is watched from the moment both are open (tBoth)
 *    up to E = min(tLate + 32.5 s, tEarly + 62 s), tEarly/tLate being when the two
 *    sessions opened (their `since`): every encapsulation PDU was first sent at its
 *    side's opening, so all 6 of its sends fall before E when tLate - tEarly <= 29.5 s,
 *    and its give-up (>= tEarly + 63) after E always. (A longer gap needs the later OPEN
 *    to take 5+ attempts, 0.36^4 = 1.7e-2, and then also 5 lost sends, 3.2e-4: ~5e-6.)
 * 3. Opening: an OPEN is acked per send with 0.8 * 0.8 = 0.64; its session can need a
 *    second cycle (restart after exhaustion, or after 10 s of silence while opening)
 *    with P <= 2 * 0.36^6 = 4.4e-3, a third with ~2e-5. HELLOs every 5 s restart a
 *    cycle promptly, so both are open well within 150 s unless three cycles fail (~1e-7).
 *    A restart while opening is not "closing an open session"; the issue asks that the
 *    sessions open and then stay open, which is what is asserted (from tBoth on).
 * 4. Keepalive silence while open: 10 consecutive KEEPALIVEs lost one way, 0.2^10 = 1e-7
 *    per second and direction, over ~40 s both ways: 8e-6.
 * Total ≈ 1.9e-4 + 5e-6 + 1e-7 + 8e-6 ≈ 2e-4 per run, dominated by (1): B→A carries
 * two address PDUs (1.3e-4), A→B one (6.4e-5). That is the floor of this scenario
 * (20% loss, retransmit-max-drop 6), not of the waits: every wait above already covers
 * all six sends, and only a smaller loss or a larger max-drop would lower it further.
 */
const OPEN_GUARD_MS = 150_000;
const WATCH_AFTER_LATER_OPEN = 32.5;
const WATCH_LIMIT_AFTER_EARLIER_OPEN = 62;

t.test('20% loss each way: sessions open, stay open, and end with exactly the peer’s addresses', { timeout: 300_000 }, async (t) => {
  if (!rootOrSkip(t)) return;
  const s = await pair(t);
  await lossy(s.nsA, s.a.ifname);
  await lossy(s.nsB, s.b.ifname);
  const args = ['--retransmit-max-drop', '6', '--keepalive-receive-timeout', '10', '--hello-interval', '5'];
  const da = startDaemon(t, s.nsA, s.dir, 'a', ['-i', s.a.ifname, ...args]);
  const db = startDaemon(t, s.nsB, s.dir, 'b', ['-i', s.b.ifname, ...args]);
  await Promise.all([waitReady(da), waitReady(db)]);
  await eventually(
    async () => (await da.sessions()).some((x) => x.state === 'open') && (await db.sessions()).some((x) => x.state === 'open'),
    OPEN_GUARD_MS,
    'both open',
  );
  const downsBefore = { a: downs(da), b: downs(db) };
  const openedA = Date.parse((await da.sessions()).find((x) => x.state === 'open')!.since);
  const openedB = Date.parse((await db.sessions()).find((x) => x.state === 'open')!.since);
  const early = Math.min(openedA, openedB);
  const late = Math.max(openedA, openedB);
  const watchUntil = Math.min(late + WATCH_AFTER_LATER_OPEN * 1000, early + WATCH_LIMIT_AFTER_EARLIER_OPEN * 1000);
  t.comment(`opened ${((late - early) / 1000).toFixed(2)} s apart; watching until ${((watchUntil - late) / 1000).toFixed(1)} s after the later one`);
  // Keepalives every second through the loss: nothing may close, and every address
  // PDU has had all its sends by the end of the watch.
  await new Promise((r) => setTimeout(r, Math.max(0, watchUntil - Date.now())));
  t.same(downs(da).slice(downsBefore.a.length), [], 'A never closed once open');
  t.same(downs(db).slice(downsBefore.b.length), [], 'B never closed once open');
  const byType = async (d: typeof da) =>
    Object.fromEntries((await d.learned()).map((l) => [l.type, l.encaps.map((e) => `${e.address}/${e.prefixLength}`)]));
  const aLearned = await byType(da);
  t.same(aLearned.IPV4_ENCAPSULATION, ['10.66.0.2/24'], 'A has exactly B’s IPv4 address');
  t.same(aLearned.IPV6_ENCAPSULATION, ['2001:db8:66::2/64'], 'A has exactly B’s IPv6 address');
  const bLearned = await byType(db);
  t.same(bLearned.IPV4_ENCAPSULATION, ['10.66.0.1/24'], 'B has exactly A’s IPv4 address');
  t.same(bLearned.IPV6_ENCAPSULATION ?? [], [], 'B has no IPv6 address for A (A has none but link-local)');
  t.same([...(bLearned.MPLS_IPV4_ENCAPSULATION ?? []), ...(aLearned.MPLS_IPV4_ENCAPSULATION ?? [])], [], 'and no MPLS');
  t.same(
    (await da.sessions()).map((x) => [x.peerMac, x.state]),
    [[s.b.mac, 'open']],
    'A: one session, open',
  );
  t.same(
    (await db.sessions()).map((x) => [x.peerMac, x.state]),
    [[s.a.mac, 'open']],
    'B: one session, open',
  );
  const lostA = await dropped(s.nsA);
  const lostB = await dropped(s.nsB);
  t.ok(lostA > 0 && lostB > 0, `the kernel really dropped frames (${lostA} into A, ${lostB} into B)`);
  if (downsBefore.a.length + downsBefore.b.length > 0) t.comment('a session restarted while opening (expected now and then, see above)');
});

function downs(d: ReturnType<typeof startDaemon>) {
  return d.events().filter((e) => e.event === 'session-down');
}

/** Reassembly memory for all senders in the flood test: small, so the flood hits it at once. */
const REASSEMBLY_TOTAL = 65536;

t.test('a flood from 10,000 random source MACs stays within bounds; the real session stays up', async (t) => {
  if (!rootOrSkip(t)) return;
  const s = await pair(t);
  const da = startDaemon(t, s.nsA, s.dir, 'a', [
    '-i',
    s.a.ifname,
    '--max-sessions-per-interface',
    '64',
    '--reassembly-max-bytes-total',
    String(REASSEMBLY_TOTAL),
  ]);
  const db = startDaemon(t, s.nsB, s.dir, 'b', ['-i', s.b.ifname]);
  await Promise.all([waitReady(da), waitReady(db)]);
  await eventually(async () => (await da.sessions()).some((x) => x.peerMac === s.b.mac && x.state === 'open'), 15000, 'open');
  // 40 batches of 250 senders, 50 ms apart: about two seconds of flood to watch.
  const flood = spawnNode(t, s.nsB, path.join(repoRoot(), 'dist/test/daemon/flood.js'), [s.b.ifname, s.a.mac, '10000', '7', '50']);
  // Sampled while the flood runs, not after: memory that is only bounded once the
  // flood stops (timeouts) would pass a look afterwards.
  const during: number[] = [];
  let droppedDuring = 0;
  let sampling = true;
  void flood.exited.then(() => (sampling = false));
  while (sampling) {
    const c = await da.counters();
    if (sampling) {
      during.push(c.reassemblyBytes!);
      droppedDuring = c.reassemblyDropped ?? 0;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const { code } = await flood.exited;
  t.equal(code, 0, flood.stderr.trim() || 'flood sent');
  t.ok(during.length >= 5, `sampled while the flood ran (${during.length} samples)`);
  t.ok(Math.max(...during) > 0, `the flood did fill reassembly memory (max ${Math.max(...during)} octets)`);
  t.same(
    during.filter((b) => b > REASSEMBLY_TOTAL),
    [],
    `reassembly memory within --reassembly-max-bytes-total ${REASSEMBLY_TOTAL} throughout`,
  );
  await eventually(async () => (await da.counters()).sessionsRefused > 0, 15000, 'refusals counted');
  const c = await da.counters();
  t.ok(c.sessions! <= 64, `sessions within the per-interface bound (${c.sessions})`);
  t.ok(c.sessionsRefused! > 0, `refused sessions are counted (${c.sessionsRefused})`);
  t.ok(c.malformedFrames! > 0, `malformed frames are counted (${c.malformedFrames})`);
  t.ok(droppedDuring > 0, `reassembly drops were counted during the flood (${droppedDuring})`);
  const malformedLines = da.proc.stderr.split('\n').filter((l) => l.includes('malformed frame')).length;
  t.ok(malformedLines <= 100, `malformed frames are not logged per frame (${malformedLines} lines)`);
  const real = (await da.sessions()).find((x) => x.peerMac === s.b.mac);
  t.equal(real?.state, 'open', 'the real session is still open');
  t.same(da.events().filter((e) => e.event === 'session-down' && e.peerMac === s.b.mac), [], 'and never went down');
  t.equal(da.proc.child.exitCode, null, 'the daemon is still running');
});
