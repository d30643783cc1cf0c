// Hostile neighbours against the real `lsoe daemon`, in network namespaces: a raw sender
// built on src/io (test/daemon/hostile-sender.ts) forges frames from MACs other than the
// genuine peer's, while a genuine peer daemon shares the link. The genuine session must
// never restart. CI-sized; the heavy versions are in `npm run bench` (hostile section).
import path from 'node:path';
import t, { type Test } from 'tap';
import { createNetns, createVethPair, rootOrSkip, runLsoeIn, spawnLsoe, spawnNode } from '../helpers/netns.js';
import { jsonLines } from '../helpers/run-cli.js';
import { repoRoot } from '../helpers/vectors.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { encodePdu } from '../../src/proto/pdu/index.js';
import { eventually, startDaemon, tempDir, waitReady, type DaemonProc } from '../daemon/e2e-helpers.js';

const SENDER = path.join(repoRoot(), 'dist/test/daemon/hostile-sender.js');

async function genuinePair(t: Test, extraA: string[] = []) {
  const [nsA, nsB] = [await createNetns(t, 'ha'), await createNetns(t, 'hb')];
  const [a, b] = await createVethPair(t, nsA, nsB);
  await nsA.ip(['addr', 'add', '10.67.0.1/24', 'dev', a.ifname]);
  await nsB.ip(['addr', 'add', '10.67.0.2/24', 'dev', b.ifname]);
  const dir = tempDir(t);
  const da = startDaemon(t, nsA, dir, 'a', ['-i', a.ifname, ...extraA]);
  const db = startDaemon(t, nsB, dir, 'b', ['-i', b.ifname]);
  await Promise.all([waitReady(da), waitReady(db)]);
  await eventually(async () => (await da.sessions()).some((x) => x.peerMac === b.mac && x.state === 'open'), 15000, 'A open with B');
  await eventually(async () => (await db.sessions()).some((x) => x.peerMac === a.mac && x.state === 'open'), 15000, 'B open with A');
  const since = (await da.sessions()).find((x) => x.peerMac === b.mac)!.since;
  return { nsA, nsB, a, b, da, db, since };
}

async function genuineHeld(t: Test, da: DaemonProc, db: DaemonProc, bMac: string, since: string): Promise<void> {
  const s = (await da.sessions()).find((x) => x.peerMac === bMac);
  t.match(s, { state: 'open', since }, 'the genuine session is the same open session');
  t.same(da.events().filter((e) => e.event === 'session-down'), [], 'A never took a session down');
  t.same(db.events().filter((e) => e.event === 'session-down'), [], 'B never took a session down');
}

t.test('group and all-zero source MACs: dropped, counted, never answered', { timeout: 90_000 }, async (t) => {
  if (!rootOrSkip(t)) return;
  const p = await genuinePair(t, ['--hello-interval', '1']);
  // What A puts on the wire, decoded by our own sniffer on B's side.
  const sniff = spawnLsoe(t, p.nsB, ['sniff', '-i', p.b.ifname, '--json']);
  await sniff.waitFor(/listening|capturing/i, 'stderr').catch(() => undefined);
  const sender = spawnNode(t, p.nsB, SENDER, [p.b.ifname, p.a.mac, 'group-sources', '3', '20']);
  const { code } = await sender.exited;
  t.equal(code, 0, sender.stderr.trim() || 'sender done');
  await new Promise((r) => setTimeout(r, 500));
  const c = await p.da.counters();
  t.ok((c.framesDroppedBy['group-source'] ?? 0) >= 100, `group sources dropped (${c.framesDroppedBy['group-source']})`);
  t.ok((c.framesDroppedBy['zero-source'] ?? 0) >= 30, `all-zero sources dropped (${c.framesDroppedBy['zero-source']})`);
  t.equal(c.sendsToGroupRefused, 0, 'no session ever tried to answer a group');
  t.same((await p.da.sessions()).map((x) => x.peerMac), [p.b.mac], 'no session for any of them');
  sniff.kill('SIGINT');
  await sniff.exited;
  // every line checked against docs/schema (record.schema.json)
  const records = jsonLines(sniff.stdout.split('\n').filter((l) => l.startsWith('{')).join('\n')) as Array<{ src: string; dst: string; pdu?: { type: string } }>;
  t.ok(records.filter((r) => r.src === '00:00:00:00:00:00').length >= 30, 'the sniffer saw the attack (it was listening)');
  const fromA = records.filter((r) => r.src === p.a.mac && r.dst !== p.b.mac);
  t.ok(fromA.length >= 2, `A's HELLOs were seen (${fromA.length})`);
  t.same(fromA.filter((r) => r.pdu?.type !== 'HELLO'), [], 'A sent nothing but HELLO to anyone but B');
  await genuineHeld(t, p.da, p.db, p.b.mac, p.since);
});

t.test('300 new-nonce OPENs a second from one MAC: held down, few log lines, the genuine session holds', { timeout: 90_000 }, async (t) => {
  if (!rootOrSkip(t)) return;
  const p = await genuinePair(t);
  const linesBefore = p.da.proc.stderr.split('\n').length;
  const sender = spawnNode(t, p.nsB, SENDER, [p.b.ifname, p.a.mac, 'restart-flood', '4', '300']);
  await eventually(async () => (await p.da.sessions()).some((x) => x.state === 'held-down'), 15000, 'held down');
  const { code } = await sender.exited;
  t.equal(code, 0, sender.stderr.trim() || 'sender done');
  const c = await p.da.counters();
  t.equal(c.holdDowns, 1, 'held down once (restart-hold-down outlasts the flood)');
  t.ok((c.framesDroppedBy['held-down'] ?? 0) > 500, `the rest dropped unread (${c.framesDroppedBy['held-down']})`);
  t.match((await p.da.sessions()).find((x) => x.state === 'held-down'), { peerMac: '02:ee:00:00:00:01', until: String });
  // lsoe neighbors lists it too, with its state and when the hold-down ends (the real binary)
  const [ifa] = jsonLines((await runLsoeIn(p.nsA, ['neighbors', '--json', '--socket', p.da.socket])).stdout, 'neighbors');
  t.match(ifa!.neighbors.find((n: { peerMac: string }) => n.peerMac === '02:ee:00:00:00:01'), { state: 'held-down', until: String, lastHeard: null });
  const table = await runLsoeIn(p.nsA, ['neighbors', '--socket', p.da.socket], { env: { ...process.env, COLUMNS: '200' } });
  t.match(table.stdout, new RegExp(`${p.a.ifname} +02:ee:00:00:00:01 +- +held-down +\\d+s `), 'the table shows the held-down neighbour');
  const details = await runLsoeIn(p.nsA, ['neighbors', '--details', '--socket', p.da.socket]);
  t.match(details.stdout, /Neighbour 02:ee:00:00:00:01\n.*\n    State +held-down, until \S+ \(\d+s left; lsoe clear releases it\)/);
  const lines = p.da.proc.stderr.split('\n').length - linesBefore;
  t.ok(lines < 100, `under 100 log lines for ~1,200 OPENs (${lines})`);
  await genuineHeld(t, p.da, p.db, p.b.mac, p.since);
});

t.test('unfinished first pieces from many MACs: the genuine neighbour’s multi-frame PDU still completes', { timeout: 90_000 }, async (t) => {
  if (!rootOrSkip(t)) return;
  // A per-interface budget of 128 KiB (~84 pieces) is filled by 300 MACs as the default 1 MiB
  // is by the 2,000 of the bench (bench/hostile.mjs reports the time there). Before fair
  // reassembly a full table refused newcomers, and B's PDU was not learned at all; that the
  // reserve itself is what saves B is shown without wall-clock races in
  // test/daemon/reassembly-flood.test.ts.
  const p = await genuinePair(t, ['--reassembly-max-bytes-per-interface', '131072']);
  const ADDRESSES = 600;
  const added = Array.from({ length: ADDRESSES }, (_, i) => `10.68.${i >> 8}.${i & 255}`);
  const frames = splitPdu(encodePdu({ type: 'IPV4_ENCAPSULATION', encaps: added.map((address) => ({ address, prefixLength: 32, primary: false, loopback: false })) })).length;
  t.ok(frames > 1, `B's announcement takes ${frames} frames`);
  const sender = spawnNode(t, p.nsB, SENDER, [p.b.ifname, p.a.mac, 'partial-flood', '12', '3', '300']);
  await eventually(async () => (await p.da.counters()).reassemblyDropped > 0, 10000, 'the flood to fill the budget');
  const start = Date.now();
  await p.nsB.exec('ip', ['-batch', '-'], { input: added.map((a) => `addr add ${a}/32 dev ${p.b.ifname}\n`).join('') });
  const fromB = async () => (await p.da.learned()).find((l) => l.peerMac === p.b.mac && l.type === 'IPV4_ENCAPSULATION')?.encaps.length ?? 0;
  // generous: the bench reports the time (within 2 s is the target)
  await eventually(async () => (await fromB()) === ADDRESSES + 1, 20000, `A to learn B's ${ADDRESSES + 1} addresses`);
  const took = Date.now() - start;
  t.equal(sender.child.exitCode, null, `learned while the flood still ran (${took} ms after the addresses were added)`);
  const { code } = await sender.exited;
  t.equal(code, 0, sender.stderr.trim() || 'sender done');
  const c = await p.da.counters();
  t.ok(c.reassemblyDropped > 1000, `stranger pieces were evicted or refused (${c.reassemblyDropped}: ${JSON.stringify(c.reassemblyDroppedBy)})`);
  await genuineHeld(t, p.da, p.db, p.b.mac, p.since);
});
