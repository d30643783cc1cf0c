// `lsoe hello` end to end (root): the real binary in one namespace, a real
// `lsoe daemon` in the other, answering its HELLOs with OPENs.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jsonLines } from '../helpers/run-cli.js';
import { createNetns, createVethPair, rootOrSkip, runLsoeIn, spawnLsoe, type ManagedProcess, type TeardownHost, type VethEnd } from '../helpers/netns.js';

const DAEMON_ID = '0a1b2c3d4e5f60718293';

interface Peer {
  daemon: ManagedProcess;
  socket: string;
}

/** `lsoe daemon` on `end` with a known Local ID and a control socket; SIGTERM (then SIGKILL) in teardown. */
async function daemon(t: TeardownHost, end: VethEnd): Promise<Peer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lsoe-hello-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const socket = path.join(dir, 'lsoe.sock');
  const args = ['daemon', '-i', end.ifname, '--socket', socket, '--hello-interval', '60', '--local-id', DAEMON_ID, '--log-format', 'json'];
  // Registered after the directory, so it runs first: the daemon stops before its socket's directory goes.
  const d = spawnLsoe(t, end.ns, args, { stopGraceMs: 5000 });
  await d.waitFor(`"link up on ${end.ifname}"`, 'stderr');
  return { daemon: d, socket };
}

/** The daemon's sessions, as `lsoe sessions --json` prints them. */
async function sessionsOf(end: VethEnd, peer: Peer): Promise<Record<string, any>[]> {
  const res = await runLsoeIn(end.ns, ['sessions', '--socket', peer.socket, '--json']);
  if (res.code !== 0) throw new Error(`lsoe sessions failed (${res.code}): ${res.stderr.trim()}`);
  return jsonLines(res.stdout);
}

async function pair(t: TeardownHost) {
  const [a, b] = await createVethPair(t, await createNetns(t, 'a'), await createNetns(t, 'b'));
  return { a, b };
}

t.test('hello lists the daemon that answers with OPEN, and opens no session there', async (t) => {
  if (!rootOrSkip(t)) return;
  const { a, b } = await pair(t);
  const peer = await daemon(t, a);
  const res = await runLsoeIn(b.ns, ['hello', '-i', b.ifname, '-c', '2', '--interval', '0.2', '--wait', '1', '--json']);
  t.equal(res.code, 0, res.stderr);
  const recs = jsonLines(res.stdout);
  t.equal(recs.length, 1, 'one record per neighbour, however many OPENs (the daemon retransmits)');
  t.match(recs[0], { kind: 'open', probe: 1, ifname: b.ifname, src: a.mac, dst: b.mac, pdu: { type: 'OPEN', localId: DAEMON_ID, nonce: /^[0-9a-f]{8}$/, attributes: String } });
  t.same(Object.keys(recs[0]!).sort(), ['dst', 'ifname', 'kind', 'pdu', 'probe', 'src', 'time', 'timeToAnswer']);
  t.ok(recs[0]!.timeToAnswer >= 0, 'time to answer is measured');
  t.match(res.stderr, new RegExp(`^HELLO on ${b.ifname} \\(${b.mac}\\) to 01:80:c2:00:00:0e, 2 times every 0.2 s`));

  const ours = (await sessionsOf(a, peer)).filter((s) => s.peerMac === b.mac);
  t.equal(ours.length, 1, 'the daemon heard the HELLOs and started a session');
  // opening, or hopeless once its OPEN went unanswered (a slow machine can get there first)
  t.match(ours[0], { ifname: a.ifname, state: /^(opening|hopeless)$/, peerId: null }, 'never ACKed: the session is not open');
  t.equal(ours[0]!.counters.rxPdus, 2, 'the daemon got the two HELLOs and nothing else');
  t.notMatch(peer.daemon.stderr, /session up|session open/i, 'no session came up');
});

t.test('human output and --dst', async (t) => {
  if (!rootOrSkip(t)) return;
  const { a, b } = await pair(t);
  const peer = await daemon(t, a);
  const res = await runLsoeIn(b.ns, ['hello', '-i', b.ifname, '-c', '1', '--wait', '1', '--dst', 'FF-FF-FF-FF-FF-FF']);
  t.equal(res.code, 0, res.stderr);
  const lines = res.stdout.trim().split('\n');
  t.equal(lines.length, 4);
  t.match(lines[0], new RegExp(`^${b.ifname} ${a.mac} OPEN id 0a:1b:2c:3d:4e:5f:60:71:82:93 nonce [0-9a-f]{8}( attrs \\S+)?  \\d+\\.\\d{3} ms after HELLO 1$`));
  t.same(lines.slice(1), [
    `--- ${b.ifname} LSOE hello statistics ---`,
    '1 HELLO sent, 1 neighbour heard (1 with OPEN, 0 alive in a session), 0 OPEN retransmissions',
    '1 of 1 HELLOs followed by something new, 0% unanswered',
  ]);
  t.match((await sessionsOf(a, peer)).filter((s) => s.peerMac === b.mac), [{ state: /^(opening|hopeless)$/, counters: { rxPdus: 1 } }], 'the broadcast HELLO reached the daemon');
});

t.test('nobody answers: exit 1', async (t) => {
  if (!rootOrSkip(t)) return;
  const { b } = await pair(t);
  const res = await runLsoeIn(b.ns, ['hello', '-i', b.ifname, '-c', '1', '--wait', '0.3']);
  t.equal(res.code, 1);
  t.equal(res.stdout, `--- ${b.ifname} LSOE hello statistics ---\n1 HELLO sent, no neighbour answered, 0 OPEN retransmissions\n0 of 1 HELLOs followed by something new, 100% unanswered\n`);
  const json = await runLsoeIn(b.ns, ['hello', '-i', b.ifname, '-c', '1', '--wait', '0.3', '--json']);
  t.equal(json.code, 1);
  t.equal(json.stdout, '', 'no records');
});

t.test('errors: missing interface (1), bad options (2)', async (t) => {
  if (!rootOrSkip(t)) return;
  const ns = await createNetns(t, 'e');
  const missing = await runLsoeIn(ns, ['hello', '-i', 'nosuch0']);
  t.equal(missing.code, 1);
  t.equal(missing.stderr, 'lsoe: hello: nosuch0: no such interface\n');
  const dst = await runLsoeIn(ns, ['hello', '-i', 'lo', '--dst', 'nope']);
  t.equal(dst.code, 2);
  t.equal(dst.stderr, "lsoe: hello: --dst: 'nope' is not a MAC address (want aa:bb:cc:dd:ee:ff)\n");
  const noIf = await runLsoeIn(ns, ['hello']);
  t.equal(noIf.code, 2);
  const lo = await runLsoeIn(ns, ['hello', '-i', 'lo']);
  t.equal(lo.code, 1);
  t.equal(lo.stderr, 'lsoe: hello: lo: not an Ethernet interface (link type loopback)\n');
});

t.test('a neighbour in session with the local daemon: hello warns, and its KEEPALIVE says alive', async (t) => {
  if (!rootOrSkip(t)) return;
  const { a, b } = await pair(t);
  const far = await daemon(t, a);
  const near = await daemon(t, b);
  const env = { ...process.env, LSOE_SOCKET: near.socket };
  for (let i = 0; i < 150 && !(await sessionsOf(b, near)).some((s) => s.state === 'open'); i++) await new Promise((r) => setTimeout(r, 200));
  t.match(await sessionsOf(b, near), [{ state: 'open', peerMac: a.mac }], 'the two daemons are in session');
  const res = await runLsoeIn(b.ns, ['hello', '-i', b.ifname, '-c', '3', '--interval', '0.5', '--wait', '2'], { env });
  t.equal(res.code, 0, res.stderr);
  t.match(res.stderr, new RegExp(`lsoe: hello: warning: an lsoe daemon runs on ${b.ifname} with 1 open session: those neighbours answer with KEEPALIVE, not OPEN`));
  t.match(res.stdout, new RegExp(`^${b.ifname} ${a.mac} KEEPALIVE: alive, already in session with this MAC \\(no OPEN to expect\\)  \\d+\\.\\d{3} ms after HELLO \\d$`, 'm'));
  t.match(res.stdout, /1 neighbour heard \(0 with OPEN, 1 alive in a session\)/);
  t.notMatch(far.daemon.stderr, /OPEN unanswered/, 'the far daemon was not left with an unanswered OPEN');

  // -f stops at the first answer; --deadline bounds the whole run
  const first = await runLsoeIn(b.ns, ['hello', '-i', b.ifname, '-c', '100', '--interval', '0.5', '-f', '--json'], { env });
  t.equal(first.code, 0, first.stderr);
  t.equal(jsonLines(first.stdout).length, 1, '-f: one answer, then done (not 100 probes)');
  const started = Date.now();
  const bounded = await runLsoeIn(b.ns, ['hello', '-i', b.ifname, '-c', '100', '--interval', '1', '--deadline', '1.5', '--json'], { env });
  t.equal(bounded.code, 0, bounded.stderr);
  t.ok(Date.now() - started < 30000, '--deadline ended the run long before 100 probes (generous bound)');
  t.match(bounded.stderr, /, 1\.5 s at most/);
});

/** Protocol numbers (hex, as /proc/net/packet prints them) of the packet sockets in `end`'s namespace. */
async function packetSocketProtocols(end: VethEnd): Promise<string[]> {
  const table = await end.ns.exec('cat', ['/proc/net/packet']);
  return table.stdout.trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/)[3]!);
}

t.test("hello captures as the daemon does: one packet socket for LSOE's EtherType (libpcap only as the fallback)", async (t) => {
  if (!rootOrSkip(t)) return;
  // a fresh pair and daemon each time (the daemon gives up on a HELLO it has answered before);
  // nothing else in b's namespace opens packet sockets: every row is hello's
  const seen = async (env: NodeJS.ProcessEnv): Promise<string[]> => {
    const { a, b } = await pair(t);
    await daemon(t, a);
    const hello = spawnLsoe(t, b.ns, ['hello', '-i', b.ifname, '-c', '1', '--wait', '3'], { env: { ...process.env, ...env } });
    await hello.waitFor(/^HELLO on /m, 'stderr');
    const protocols = await packetSocketProtocols(b);
    const { code } = await hello.exited;
    t.equal(code, 0, `an answer was heard (${hello.stderr.trim()})`);
    t.match(hello.stdout, new RegExp(`^${b.ifname} ${a.mac} OPEN `, 'm'));
    t.same(await packetSocketProtocols(b), [], 'closed when hello ends');
    return protocols;
  };
  t.same(await seen({}), ['88b5'], 'the packet socket, bound to 0x88b5 (not ETH_P_ALL)');
  t.ok((await seen({ LSOE_CAPTURE: 'libpcap' })).includes('0003'), 'LSOE_CAPTURE=libpcap: libpcap (ETH_P_ALL) still answers');
});
