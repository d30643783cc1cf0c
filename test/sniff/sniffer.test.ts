// The sniff core on memory links: records as decode prints them, -c, filters,
// reassembly expiry, the capture file and the summary. No root needed.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { readCapture } from '../../src/io/capture-reader.js';
import { CaptureWriter } from '../../src/io/capture-writer.js';
import { createMemoryLinkPair } from '../../src/io/memory-link.js';
import { createOutput } from '../../src/render/output.js';
import { HOLD_BYTES, Sniffer, type SniffOutputOptions } from '../../src/sniff/sniffer.js';
import { framesOf, SAMPLE_PDUS } from '../helpers/pdu-samples.js';
import { QUEUED_OVERHEAD, ScriptedHost } from '../helpers/scripted-host.js';
import { FakeClock } from '../../src/daemon/clock.js';
import { PacketType } from '../../src/io/capture-host.js';
import { openPacketLink } from '../../src/io/packet-link.js';
import { buildEthernet } from '../../src/proto/ethernet.js';

const MAC = '02:00:00:00:00:01';
const PEER = '02:00:00:00:00:02';

const HELLO_DST = '01:80:c2:00:00:0e';
// Frames arrive on the next turn and the output batch goes out when the process is idle: wait a few turns.
const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 20));
const tmp = mkdtempSync(path.join(tmpdir(), 'lsoe-sniffer-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

function options(over: Partial<SniffOutputOptions> = {}): SniffOutputOptions {
  return { json: true, verbose: false, hexdump: false, count: null, types: [], macs: [], srcs: [], dsts: [], reassemblyTimeout: 1, print: true, ...over };
}

function harness(over: Partial<SniffOutputOptions> = {}, writer: CaptureWriter | null = null) {
  let clock = 100;
  const [a, b] = createMemoryLinkPair({ now: () => (clock += 0.001) });
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d) => (text += d));
  const out = createOutput({ json: over.json ?? true, stream: stdout, color: false });
  let stopped = 0;
  const sniffer = new Sniffer(options(over), out, writer, () => stopped++);
  sniffer.attach(b);
  return {
    a,
    b,
    sniffer,
    lines: () => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)),
    text: () => text,
    stopped: () => stopped,
    sendAll: (pdus = SAMPLE_PDUS) => {
      for (const p of pdus) for (const f of framesOf(p)) a.send(p.type === 'HELLO' ? HELLO_DST : b.mac, f);
    },
  };
}

t.test('every sample PDU comes out as a decode record with ifname', async (t) => {
  const h = harness();
  h.sendAll();
  await flush();
  const recs = h.lines();
  t.same(recs.map((r) => r.pdu), SAMPLE_PDUS);
  t.ok(recs.every((r) => r.ifname === h.b.ifname && r.src === h.a.mac));
  t.same(recs.map((r) => r.frames), SAMPLE_PDUS.map((p) => (p.type === 'IPV6_ENCAPSULATION' ? 3 : 1)));
  t.equal(h.sniffer.summary(0), '12 frames, 10 PDUs (HELLO 1, OPEN 1, KEEPALIVE 1, ACK 1, IPV4_ENCAPSULATION 1, IPV6_ENCAPSULATION 1, MPLS_IPV4_ENCAPSULATION 1, MPLS_IPV6_ENCAPSULATION 1, VENDOR 1, UNKNOWN 1), 0 errors, 0 dropped by the kernel');
});

t.test('-c stops after N PDUs and later frames are not counted', async (t) => {
  const h = harness({ count: 3 });
  h.sendAll();
  await flush();
  t.equal(h.lines().length, 3);
  t.equal(h.stopped(), 1, 'the callback runs once');
  t.match(h.sniffer.summary(2), /^3 frames, 3 PDUs .*, 0 errors, 2 dropped by the kernel$/);
});

t.test('filters apply, and -c counts only what passes', async (t) => {
  const h = harness({ types: ['open', 'vendor'], count: 2 });
  h.sendAll();
  await flush();
  t.same(h.lines().map((r) => r.pdu.type), ['OPEN', 'VENDOR']);
  t.equal(h.stopped(), 1);
});

t.test('a partial PDU that never completes is reported when its time is up', async (t) => {
  const h = harness();
  const [first] = framesOf(SAMPLE_PDUS[5]!); // first of the three IPv6 frames
  h.a.send(h.b.mac, first!);
  await flush();
  h.sniffer.tick(100.5);
  await flush();
  t.equal(h.lines().length, 0, 'not yet');
  h.sniffer.tick(102);
  await flush();
  t.match(h.lines(), [{ error: { reason: 'reassembly' }, src: h.a.mac, ifname: h.b.ifname }]);
});

t.test('human lines are the decode renderer, and nothing prints when print is off', async (t) => {
  const h = harness({ json: false });
  h.sendAll([{ type: 'HELLO' }]);
  await flush();
  t.match(h.text(), new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} ${h.b.ifname} ${h.a.mac} > ${HELLO_DST} HELLO\\n$`));
  const quiet = harness({ print: false });
  quiet.sendAll();
  await flush();
  t.equal(quiet.text(), '');
  t.equal(quiet.sniffer.tally.pdus, 10, 'still counted');
});

t.test('the capture file holds each frame as captured, with its time', async (t) => {
  const file = path.join(tmp, 'mem.pcap');
  const writer = new CaptureWriter(file);
  const h = harness({ print: false }, writer);
  h.sendAll();
  await flush();
  await writer.close();
  const recs = [...readCapture(readFileSync(file))];
  t.equal(recs.length, 12);
  t.ok(recs.every((r) => r.frame.length >= 60 && r.frame.readUInt16BE(12) === 0x88b5));
  t.ok(recs[0]!.time > 100 && recs[0]!.time < 101);
});

/** A sniffer whose output nobody reads yet: its writes do not complete, so the output blocks. */
function stalledHarness() {
  let clock = 100;
  const [a, b] = createMemoryLinkPair({ now: () => (clock += 0.001) });
  const stdout = new PassThrough({ highWaterMark: 16 * 1024 });
  const out = createOutput({ json: true, stream: stdout, color: false });
  const sniffer = new Sniffer(options(), out, null, () => undefined);
  sniffer.attach(b);
  return { a, b, stdout, out, sniffer };
}

t.test('a reader that stalls: frames are held, then printed in order, none lost', async (t) => {
  const { a, b, stdout, out, sniffer } = stalledHarness();
  // About 12 KB of JSON each: 400 of them are far past the output's 1 MiB high-water mark.
  const n = 400;
  for (let i = 0; i < n; i++) {
    for (const f of framesOf({ type: 'VENDOR', enterpriseNumber: i, enterpriseType: 1, data: 'ab'.repeat(6000) })) a.send(b.mac, f);
  }
  await flush();
  t.ok(out.blocked, 'the output is blocked');
  const held = sniffer.holding;
  t.ok(held > 0, `frames held while blocked (${held})`);
  t.ok(held < 5 * n, 'the ones before the block were printed');
  // The reader catches up.
  let text = '';
  stdout.on('data', (d) => (text += d));
  for (let i = 0; i < 100 && (sniffer.holding > 0 || out.blocked); i++) await flush();
  await out.end();
  const recs = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
  t.equal(recs.length, n, 'every PDU printed');
  t.same(recs.map((r) => r.pdu.enterpriseNumber), Array.from({ length: n }, (_, i) => i), 'in the order captured');
  t.notMatch(sniffer.summary(0), /dropped while/);
});

t.test('a reader that stalls for good: the hold is bounded, the overflow counted', async (t) => {
  const { a, b, stdout, out, sniffer } = stalledHarness();
  // 1,500 PDUs of 3 frames: ~5.6 MB of frames, past the 4 MiB hold.
  const pdus = 1500;
  let mostHeld = 0;
  for (let i = 0; i < pdus; i++) {
    for (const f of framesOf({ type: 'VENDOR', enterpriseNumber: i, enterpriseType: 1, data: 'ab'.repeat(3700) })) a.send(b.mac, f);
    if (i % 100 === 99) {
      await flush();
      mostHeld = Math.max(mostHeld, sniffer.heldOctets);
    }
  }
  await flush();
  t.ok(mostHeld > 0 && mostHeld <= HOLD_BYTES, `the hold stays within its bound (${mostHeld} octets at most)`);
  const summary = sniffer.summary(0);
  const dropped = Number(/, (\d+) dropped while the output was blocked/.exec(summary)?.[1] ?? 0);
  t.ok(dropped > 0, `overflow counted: ${summary}`);
  let text = '';
  stdout.on('data', (d) => (text += d));
  sniffer.stop();
  await sniffer.finish();
  await out.end();
  const recs = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
  const printed = recs.filter((r) => r.pdu !== undefined).length;
  // Every PDU that lost no frame is printed; each lost frame costs at most one PDU, each PDU at most three frames.
  t.ok(printed >= pdus - dropped && printed <= pdus - Math.ceil(dropped / 3), `${printed} PDUs printed, ${dropped} frames dropped`);
});

/** A sniffer on a monitor PacketLink whose kernel queue holds `capacity` octets, its output unread. */
function pausingHarness(capacity: number) {
  const host = new ScriptedHost(capacity);
  const link = openPacketLink(host, { ifname: 'eth7', ifindex: 7, mac: MAC, monitor: { ethertypes: [0x88b5], direction: 'inout', promiscuous: true } }, new FakeClock());
  const socket = host.sockets[0]!;
  const stdout = new PassThrough({ highWaterMark: 16 * 1024 });
  const out = createOutput({ json: true, stream: stdout, color: false });
  const sniffer = new Sniffer(options(), out, null, () => undefined);
  sniffer.attach(link);
  let time = 100;
  let sent = 0;
  /** PDU i as it would come off the wire, ~12 KB of JSON each; false when the kernel had no room */
  const arrive = (i: number, data = 'ab'.repeat(1400)): boolean[] =>
    framesOf({ type: 'VENDOR', enterpriseNumber: i, enterpriseType: 1, data }).map((f) => {
      sent++;
      return socket.arrive(buildEthernet(MAC, PEER, 0x88b5, f), PacketType.host, (time += 0.001));
    });
  return { link, socket, stdout, out, sniffer, arrive, sent: () => sent, now: () => time };
}

const readAll = (stdout: PassThrough) => {
  let text = '';
  stdout.on('data', (d) => (text += d));
  return () => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
};

t.test('links that pause: a stalled reader pauses the capture; the kernel holds the frames; all printed in order after', async (t) => {
  const h = pausingHarness(Infinity);
  const n = 600; // ~3 KB of JSON each: past the output's 1 MiB high-water mark
  for (let i = 0; i < n; i++) {
    h.arrive(i);
    if (i % 50 === 49) await flush();
  }
  await flush();
  t.ok(h.out.blocked, 'the output is blocked');
  t.ok(h.sniffer.pausedForOutput && h.socket.paused, 'the socket is no longer read');
  const waiting = h.socket.queue.length;
  t.ok(waiting > 0, `frames wait in the kernel (${waiting})`);
  t.equal(h.sniffer.holding, 0, 'none held by sniff itself');
  h.sniffer.tick(1e9);
  const lines = readAll(h.stdout);
  for (let i = 0; i < 200 && (h.socket.queue.length > 0 || h.out.blocked); i++) await flush();
  await h.out.end();
  const recs = lines();
  t.same(recs.map((r) => r.pdu?.enterpriseNumber), Array.from({ length: n }, (_, i) => i), 'every PDU, in order, no reassembly error from the tick while paused');
  t.ok(recs.every((r, i) => i === 0 || r.time > recs[i - 1].time), 'with the times the kernel gave');
  t.equal(h.sniffer.summary(h.link.stats().dropped), `${n} frames, ${n} PDUs (VENDOR ${n}), 0 errors, 0 dropped by the kernel`);
});

t.test('links that pause: past the kernel buffer frames are dropped and counted; what it held is printed at the end', async (t) => {
  // room for ~200 frames of 2.8 KB
  const h = pausingHarness(200 * (2870 + QUEUED_OVERHEAD));
  const n = 1000;
  for (let i = 0; i < n; i++) {
    h.arrive(i);
    if (i % 50 === 49) await flush();
  }
  await flush();
  t.ok(h.socket.paused, 'paused');
  t.ok(h.socket.queue.length > 0, 'frames wait in the kernel');
  h.sniffer.stop(h.now());
  const lines = readAll(h.stdout);
  await h.sniffer.finish();
  await h.out.end();
  const dropped = h.link.stats().dropped;
  const summary = h.sniffer.summary(dropped);
  const recs = lines();
  t.ok(dropped > 0, `the kernel dropped ${dropped}`);
  t.equal(h.sniffer.tally.frames + dropped, h.sent(), 'frames counted + dropped = frames sent');
  t.match(summary, new RegExp(`^${h.sniffer.tally.frames} frames, .* ${dropped} dropped by the kernel \\(${dropped} while the output was blocked\\)$`));
  const numbers = recs.map((r) => r.pdu.enterpriseNumber as number);
  t.same(numbers, [...numbers].sort((a, b) => a - b), 'in order');
  t.equal(recs.length, n - dropped, 'one frame per PDU: every PDU not dropped is printed');
});

t.test('links that pause: at the stop, what the kernel received before it is printed, nothing after', async (t) => {
  const h = pausingHarness(Infinity);
  for (let i = 0; i < 600; i++) h.arrive(i);
  await flush();
  t.ok(h.socket.paused && h.socket.queue.length > 0, 'paused with frames waiting');
  h.sniffer.stop(h.now());
  for (let i = 600; i < 605; i++) h.arrive(i); // received after the stop
  const lines = readAll(h.stdout);
  await h.sniffer.finish();
  await h.out.end();
  const numbers = lines().map((r) => r.pdu.enterpriseNumber);
  t.same(numbers, Array.from({ length: 600 }, (_, i) => i), 'the 600 before the stop, in order');
  t.equal(h.sniffer.tally.frames, 600, 'the later ones are not counted');
});

t.test('links that pause: a read that took exactly its share leaves the link behind; the tick reads on, then expires', async (t) => {
  const h = pausingHarness(Infinity);
  h.link.pause(true);
  // 63 one-frame PDUs and the first frame of a three-frame one: 64 frames, one wake-up's share
  for (let i = 0; i < 63; i++) h.arrive(i, 'ab');
  const [first] = framesOf({ type: 'VENDOR', enterpriseNumber: 63, enterpriseType: 1, data: 'ab'.repeat(3000) });
  h.socket.arrive(buildEthernet(MAC, PEER, 0x88b5, first!), PacketType.host, h.now() + 0.001);
  const lines = readAll(h.stdout);
  h.link.pause(false);
  await flush();
  t.equal(h.socket.queue.length, 0, 'all 64 read');
  t.ok(h.link.behind, 'the link cannot know it took the last one');
  h.sniffer.tick(1e9);
  t.notOk(h.link.behind, 'the tick read on and found the queue empty');
  await flush();
  const recs = lines();
  t.equal(recs.length, 64);
  t.match(recs.at(-1), { error: { reason: 'reassembly' } }, 'and the partial PDU expired');
});
