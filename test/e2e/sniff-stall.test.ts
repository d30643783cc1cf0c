// `lsoe sniff --json` into a reader that stalls (root, namespaces): sniff stops
// reading its packet socket, so the kernel holds what arrives, up to -B, and
// drops and counts the rest. Checked through the real binary: while stalled the
// process takes no CPU and its RSS stays flat; after the stall every frame the
// kernel held comes out, in order; the summary's drop count is exactly the
// frames sent and never received.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, createVethPair, rootOrSkip, spawnLsoe, spawnNode, type ManagedProcess, type Netns } from '../helpers/netns.js';
import { framesOf } from '../helpers/pdu-samples.js';
import { endpointLinkKind } from '../../src/io/endpoint-link.js';
import { readCapture } from '../../src/io/capture-reader.js';
import { decodeFrame } from '../../src/proto/frame.js';
import { decodePdu } from '../../src/proto/pdu/index.js';

const helpers = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../helpers');

/** utime + stime of a process, in seconds, and its resident set, in KiB (/proc/PID/stat, /proc/PID/status). */
function usage(pid: number): { cpu: number; rssKiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  // fields 14 and 15 of stat (utime, stime), in clock ticks (100 a second on Linux)
  const cpu = (Number(stat[11]) + Number(stat[12])) / 100;
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return { cpu, rssKiB };
}

/**
 * Sends VENDOR PDUs numbered from..to-1, one full-size frame each (~3 KB of
 * JSON), `chunk` at a time with `pauseMs` between (slow enough for sniff to
 * keep up until its output blocks), and waits until the sender is through.
 */
async function sendNumbered(tx: ManagedProcess, dst: string, from: number, to: number, chunk = Infinity, pauseMs = 0): Promise<void> {
  for (let i = from; i < to; i++) {
    const frame = framesOf({ type: 'VENDOR', enterpriseNumber: i, enterpriseType: 1, data: 'ab'.repeat(1400) })[0]!;
    tx.write(JSON.stringify({ send: { dst, payload: frame.toString('hex') } }) + '\n');
    if ((i - from) % chunk === chunk - 1) await sleep(pauseMs);
  }
  const seen = (tx.stdout.match(/"event":"stats"/g) ?? []).length;
  tx.write('{"stats":true}\n');
  await tx.waitFor((out) => (out.match(/"event":"stats"/g) ?? []).length > seen);
}

/** Octets queued on the packet sockets of a namespace (/proc/net/packet's Rmem column). */
async function queued(ns: Netns): Promise<number> {
  const rows = (await ns.exec('cat', ['/proc/net/packet'])).stdout.trim().split('\n').slice(1);
  return rows.reduce((n, row) => n + Number(row.trim().split(/\s+/)[6]), 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The stall, through `sniff --json` (`print`) or `sniff -w -` (`capture`): the
 * numbers of the VENDOR PDUs that came out, and sniff's summary.
 */
async function stall(t: Test, mode: 'print' | 'capture'): Promise<void> {
  const [a, b] = await createVethPair(t, await createNetns(t, 'sa'), await createNetns(t, 'sb'));
  const tx = spawnNode(t, a.ns, path.join(helpers, 'link-probe.js'), [JSON.stringify({ ifname: a.ifname })]);
  await tx.waitFor('"ready"');
  // 256 KiB: room for about a hundred of these frames in the kernel
  const sniff = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname, '-B', '256', ...(mode === 'print' ? ['--json'] : ['-w', '-'])]);
  const chunks: Buffer[] = [];
  sniff.child.stdout!.on('data', (d: Buffer) => chunks.push(d));
  await sniff.waitFor(/listening on/, 'stderr');
  const pid = sniff.child.pid!;
  sniff.child.stdout!.pause(); // the reader stalls

  // 1. Paced (20 frames every 100 ms, which sniff keeps up with): enough to fill
  // the output (1 MiB in flight + the pipe: ~400 records, ~820 frames with -w -),
  // then more than the kernel holds (~110 of these frames in 256 KiB).
  const paced = mode === 'print' ? 600 : 1000;
  await sendNumbered(tx, b.mac, 0, paced, 20, 100);
  await sleep(300);
  const held = await queued(b.ns);
  t.ok(held > 200 * 1024, `the kernel holds the frames sniff does not read (${held} octets queued)`);
  // 2. Far more while stalled: the kernel drops them; sniff is not even woken.
  const sent = paced + 400;
  const before = usage(pid);
  await sendNumbered(tx, b.mac, paced, sent);
  await sleep(2000);
  const after = usage(pid);
  t.ok(after.cpu - before.cpu <= 0.05, `no CPU while stalled: ${(after.cpu - before.cpu).toFixed(2)} s over 2 s as 400 frames arrived`);
  t.ok(after.rssKiB - before.rssKiB < 1024, `RSS flat while stalled: ${before.rssKiB} KiB, then ${after.rssKiB} KiB`);
  t.equal(await queued(b.ns), held, 'the queue did not move');

  // 3. The reader catches up: what the kernel held comes out, in order; the rest was dropped and counted.
  sniff.child.stdout!.resume();
  await sleep(1500);
  sniff.kill('SIGINT');
  const { code } = await sniff.exited;
  t.equal(code, 0, sniff.stderr);
  const out = Buffer.concat(chunks);
  const numbers =
    mode === 'print'
      ? out.toString().split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { pdu?: { enterpriseNumber: number } }).pdu?.enterpriseNumber ?? -1)
      : [...readCapture(out)].map((r) => (decodePdu(decodeFrame(r.frame.subarray(14)).payload) as { enterpriseNumber: number }).enterpriseNumber);
  // The kernel's queue keeps the earliest and drops the later ones: what comes out is 0, 1, 2, ... with no gap.
  t.same(numbers, Array.from({ length: numbers.length }, (_, i) => i), 'every frame up to the drops, in the order sent');
  const summary = /(\d+) frames, .*, 0 errors, (\d+) dropped by the kernel \((\d+) while the output was blocked\)/.exec(sniff.stderr);
  t.ok(summary !== null, `the summary counts the drops: ${sniff.stderr.trim().split('\n').at(-1)}`);
  const [frames, dropped, whileBlocked] = summary!.slice(1).map(Number) as [number, number, number];
  t.equal(frames, numbers.length, 'every frame counted came out');
  t.equal(frames + dropped, sent, `received + dropped = sent (${frames} + ${dropped})`);
  t.equal(whileBlocked, dropped, 'all of them while the output was blocked');
  t.ok(frames >= paced - 200 && frames < paced && dropped > 400, `${frames} came out, the kernel dropped the rest (${dropped})`);
}

t.test('a stalled reader: sniff pauses, the kernel holds up to -B and counts the rest; no CPU, flat RSS', async (t) => {
  if (!rootOrSkip(t)) return;
  if (endpointLinkKind() !== 'packet-socket') {
    t.plan(0, 'the packet-socket addon is not built (scripts/build-native): libpcap cannot pause');
    return;
  }
  await t.test('sniff --json', (t) => stall(t, 'print'));
  await t.test('sniff -w - (a capture into a pipe)', (t) => stall(t, 'capture'));
});
