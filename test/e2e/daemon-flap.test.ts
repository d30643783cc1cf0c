// A port that flaps must cost the daemon nothing that lasts. One daemon with a
// genuine peer daemon on a veth pair; its port goes down and up 20 times, and
// after each up the session opens again. Afterwards the daemon holds exactly the
// packet sockets it held before, the interface's promiscuity count is back where
// it was, and its memory is within a few MB of what it was. These are the
// process's and the kernel's own numbers (/proc/PID/fd, /proc/PID/net/packet,
// `ip -d link`, /proc/PID/status), so the test holds whatever the capture layer
// is built on.
//
// Memory is read after a full garbage collection (test/helpers/memory-probe.ts, loaded
// into the daemon under test only), and the bound is on private memory (RssAnon); VmRSS is
// printed too. Why (measured, issue 9's note): the plain VmRSS of earlier versions climbed
// by up to 18 MB over 20 flaps with no object leaked (heap snapshots after 20 and 40 flaps
// differ only by ~35 KB of compiled code). It was (a) V8's young generation growing from
// 2 to 32 MiB under the bursts of each flap and never shrinking, now held by the daemon
// (src/daemon/heap.ts), (b) garbage not yet collected, which swings private memory by
// ~10 MB, and (c) ~5.5 MB of the node binary's own code pages faulted in once the
// optimising compiler runs (file-backed, shared, and dropped again under memory pressure).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { eventually, startDaemon, tempDir, waitReady, type DaemonProc } from '../daemon/e2e-helpers.js';
import { memoryProbeEnv, probeMemory, type MemoryReading } from '../helpers/memory.js';
import { createNetns, createVethPair, rootOrSkip, type Netns } from '../helpers/netns.js';

const FLAPS = 20;
/**
 * Flaps before the baseline: the first reopens compile and optimise code once. Probed after
 * every flap, private memory rises once, by ~1.7 MB of malloc (main heap and thread arenas),
 * at the 8th or 9th flap, in the same reading where ~5 MB of the node binary's code is paged
 * in: the optimising compiler's first runs. Before and after that step it grows by a few KB a
 * flap, and the JS heap by ~2 KB a flap of compiled code. Ten flaps put the step in the
 * warm-up; the bound then leaves room for noise and none for a leak.
 */
const WARM_UP_FLAPS = 10;
/**
 * A leaking capture cost ~14 MB per flap; a few KB per flap of anything would still show over
 * 20. The slack is noise measured after the fix: the young generation's pages (empty after the
 * collection, kept or given back by V8: 0.3-4 MB) and the compiler step above when a loaded
 * machine delays it past the warm-up (seen: 0.4-2.2 MB over 20 flaps, 3.2 MB with 5 warm-up flaps).
 */
const PRIVATE_SLACK_KB = 5 * 1024;
const LIVE_HEAP_SLACK = 1024 * 1024;

/** Inodes of the packet sockets `pid` holds: its socket fds that its namespace's packet table lists. */
function packetSockets(pid: number): string[] {
  const table = new Set(
    readFileSync(`/proc/${pid}/net/packet`, 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/)[8])
      .filter((x): x is string => x !== undefined),
  );
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m && table.has(m[1]!)) out.push(m[1]!);
    } catch {
      // closed while we looked
    }
  }
  return out;
}

async function promiscuity(ns: Netns, ifname: string): Promise<number> {
  const info = JSON.parse((await ns.ip(['-d', '-j', 'link', 'show', 'dev', ifname])).stdout) as Array<{ promiscuity: number }>;
  return info[0]!.promiscuity;
}

async function openOn(d: DaemonProc): Promise<boolean> {
  return (await d.sessions()).some((s) => s.state === 'open');
}

t.test(`${FLAPS} link down/up cycles leave sockets, promiscuity and memory where they were`, async (t) => {
  if (!rootOrSkip(t)) return;
  const [nsA, nsB] = [await createNetns(t, 'fa'), await createNetns(t, 'fb')];
  const [a, b] = await createVethPair(t, nsA, nsB);
  const dir = tempDir(t);
  const probeOut = path.join(dir, 'memory.jsonl');
  // Each flap is a new session, seen by a peer that missed the carrier loss as a restart:
  // its restart limit (5 in 10 s, then a hold-down) is another test's subject, not this one's.
  const noHoldDown = ['--restart-limit', '1000'];
  const da = startDaemon(t, nsA, dir, 'a', ['-i', a.ifname, ...noHoldDown], memoryProbeEnv(probeOut));
  const db = startDaemon(t, nsB, dir, 'b', ['-i', b.ifname, ...noHoldDown]);
  await Promise.all([waitReady(da), waitReady(db)]);
  await eventually(async () => (await openOn(da)) && (await openOn(db)), 15000, 'the first session');
  const pid = da.proc.child.pid!;

  const flap = async (i: number) => {
    await nsA.ip(['link', 'set', a.ifname, 'down']);
    await eventually(async () => !(await openOn(da)), 15000, `session down after flap ${i}`);
    await nsA.ip(['link', 'set', a.ifname, 'up']);
    await eventually(async () => (await openOn(da)) && (await openOn(db)), 15000, `session open again after flap ${i}`);
  };
  for (let i = 1 - WARM_UP_FLAPS; i <= 0; i++) await flap(i);
  const reading = async () => ({ sockets: packetSockets(pid).length, promiscuity: await promiscuity(nsA, a.ifname), memory: await probeMemory(pid, probeOut) });
  const before = await reading();
  t.ok(before.sockets >= 1, `the daemon captures on a packet socket (${before.sockets})`);

  for (let i = 1; i <= FLAPS / 2; i++) await flap(i);
  const mid = await reading();
  for (let i = FLAPS / 2 + 1; i <= FLAPS; i++) await flap(i);

  // A socket closed by the last flap is released at once; this only bounds the wait should that change.
  await eventually(async () => packetSockets(pid).length <= before.sockets, 10000, 'packet sockets released').catch(() => undefined);
  const after = await reading();
  t.equal(after.sockets, before.sockets, `packet sockets: ${before.sockets} before, ${mid.sockets} after ${FLAPS / 2} flaps, ${after.sockets} after ${FLAPS}`);
  t.equal(after.promiscuity, before.promiscuity, `promiscuity of ${a.ifname}: ${before.promiscuity} before, ${after.promiscuity} after`);
  const mb = (kb: number) => (kb / 1024).toFixed(1);
  const show = (m: MemoryReading) =>
    `RSS ${mb(m.rssKb)} MB (private ${mb(m.rssAnonKb)}, files ${mb(m.rssFileKb)}), live JS heap ${mb(m.heapUsed / 1024)} MB in ${mb(m.heapCommitted / 1024)} MB of pages, young generation ${mb(m.young / 1024)} MB, external ${mb(m.external / 1024)} MB`;
  t.comment(`before: ${show(before.memory)}`);
  t.comment(`after ${FLAPS / 2} flaps: ${show(mid.memory)}`);
  t.comment(`after ${FLAPS} flaps: ${show(after.memory)}`);
  const grew = after.memory.rssAnonKb - before.memory.rssAnonKb;
  t.ok(
    grew <= PRIVATE_SLACK_KB,
    `private memory ${mb(before.memory.rssAnonKb)} MB before, ${mb(mid.memory.rssAnonKb)} after ${FLAPS / 2} flaps, ${mb(after.memory.rssAnonKb)} after ${FLAPS}: grew ${mb(grew)} MB (bound ${mb(PRIVATE_SLACK_KB)})`,
  );
  const heapGrew = after.memory.heapUsed - before.memory.heapUsed;
  t.ok(
    heapGrew <= LIVE_HEAP_SLACK,
    `live JS heap ${mb(before.memory.heapUsed / 1024)} MB before, ${mb(mid.memory.heapUsed / 1024)} after ${FLAPS / 2} flaps, ${mb(after.memory.heapUsed / 1024)} after ${FLAPS}: grew ${(heapGrew / 1024).toFixed(0)} KB (bound ${LIVE_HEAP_SLACK / 1024} KB)`,
  );
  t.ok(await openOn(da), 'the session is open at the end');
});
