// A port that flaps must cost the daemon nothing that lasts. One daemon with a
// genuine peer daemon on a veth pair; its port goes down and up 20 times, and
// after each up the session opens again. Afterwards the daemon holds exactly the
// packet sockets it held before, the interface's promiscuity count is back where
// it was, and its memory is within a few MB of what it was. These are the
// process's and the kernel's own numbers (/proc/PID/fd, /proc/PID/net/packet,
// `ip -d link`, /proc/PID/status), so the test holds whatever the capture layer
// is built on.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import t from 'tap';
import { eventually, startDaemon, tempDir, waitReady, type DaemonProc } from '../daemon/e2e-helpers.js';
import { createNetns, createVethPair, rootOrSkip, type Netns } from '../helpers/netns.js';

const FLAPS = 20;
/**
 * A leaking capture cost ~14 MB per flap. RSS still rises by 6-17 MB over 20 flaps on a busy
 * machine, most of it in the first half (e.g. 80.8 → 88.8 → 93.9 MB): the bound is on the
 * second half, where a leak keeps growing and warm-up does not. (Not yet "within a few MB":
 * issue 9's note says so.)
 */
const SECOND_HALF_SLACK_KB = 8 * 1024;

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

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
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
  // Each flap is a new session, seen by a peer that missed the carrier loss as a restart:
  // its restart limit (5 in 10 s, then a hold-down) is another test's subject, not this one's.
  const noHoldDown = ['--restart-limit', '1000'];
  const da = startDaemon(t, nsA, dir, 'a', ['-i', a.ifname, ...noHoldDown]);
  const db = startDaemon(t, nsB, dir, 'b', ['-i', b.ifname, ...noHoldDown]);
  await Promise.all([waitReady(da), waitReady(db)]);
  await eventually(async () => (await openOn(da)) && (await openOn(db)), 15000, 'the first session');
  const pid = da.proc.child.pid!;

  // One flap first, so that whatever a first reopen allocates once (code, buffers) is in the baseline.
  const flap = async (i: number) => {
    await nsA.ip(['link', 'set', a.ifname, 'down']);
    await eventually(async () => !(await openOn(da)), 15000, `session down after flap ${i}`);
    await nsA.ip(['link', 'set', a.ifname, 'up']);
    await eventually(async () => (await openOn(da)) && (await openOn(db)), 15000, `session open again after flap ${i}`);
  };
  await flap(0);
  // Let a capture closed by that flap be freed (it is released on the next frame it sees).
  await new Promise((r) => setTimeout(r, 2500));
  const before = { sockets: packetSockets(pid).length, promiscuity: await promiscuity(nsA, a.ifname), rss: rssKb(pid) };
  t.ok(before.sockets >= 1, `the daemon captures on a packet socket (${before.sockets})`);

  for (let i = 1; i <= FLAPS / 2; i++) await flap(i);
  const mid = rssKb(pid);
  for (let i = FLAPS / 2 + 1; i <= FLAPS; i++) await flap(i);

  // Captures closed by the last flaps are released within a few health checks; this only bounds the wait.
  await eventually(async () => packetSockets(pid).length <= before.sockets, 10000, 'packet sockets released').catch(() => undefined);
  const after = { sockets: packetSockets(pid).length, promiscuity: await promiscuity(nsA, a.ifname), rss: rssKb(pid) };
  t.equal(after.sockets, before.sockets, `packet sockets: ${before.sockets} before, ${after.sockets} after ${FLAPS} flaps`);
  t.equal(after.promiscuity, before.promiscuity, `promiscuity of ${a.ifname}: ${before.promiscuity} before, ${after.promiscuity} after`);
  const mb = (kb: number) => (kb / 1024).toFixed(1);
  t.ok(
    after.rss - mid <= SECOND_HALF_SLACK_KB,
    `RSS ${mb(before.rss)} MB before, ${mb(mid)} MB after ${FLAPS / 2} flaps, ${mb(after.rss)} MB after ${FLAPS}: the last ${FLAPS / 2} flaps grew it by ${mb(after.rss - mid)} MB (bound ${mb(SECOND_HALF_SLACK_KB)})`,
  );
  t.ok(await openOn(da), 'the session is open at the end');
});
