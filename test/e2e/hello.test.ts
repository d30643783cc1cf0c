// `lsoe hello` end to end (root): the real binary in one namespace, a minimal
// OPEN responder (test/helpers/open-responder.ts, on src/io) in the other.
import t from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonLines } from '../helpers/run-cli.js';
import { createNetns, createVethPair, rootOrSkip, runLsoeIn, spawnNode, type ManagedProcess, type TeardownHost, type VethEnd } from '../helpers/netns.js';

const helpers = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../helpers');
const OPEN = { type: 'OPEN', nonce: 'a1b2c3d4', localId: '00112233445566778899', attributes: '0102' };

async function responder(t: TeardownHost, end: VethEnd): Promise<ManagedProcess> {
  const opts = { ifname: end.ifname, nonce: OPEN.nonce, localId: OPEN.localId, attributes: OPEN.attributes };
  const p = spawnNode(t, end.ns, path.join(helpers, 'open-responder.js'), [JSON.stringify(opts)]);
  await p.waitFor('"ready"');
  return p;
}

async function pair(t: TeardownHost) {
  const [a, b] = await createVethPair(t, await createNetns(t, 'a'), await createNetns(t, 'b'));
  return { a, b };
}

t.test('hello lists the neighbour that answers with OPEN, and never ACKs', async (t) => {
  if (!rootOrSkip(t)) return;
  const { a, b } = await pair(t);
  const peer = await responder(t, a);
  const res = await runLsoeIn(b.ns, ['hello', '-i', b.ifname, '-c', '2', '--interval', '0.2', '--wait', '1', '--json']);
  t.equal(res.code, 0, res.stderr);
  const recs = jsonLines(res.stdout);
  t.equal(recs.length, 1, 'one record per neighbour, however many OPENs');
  t.match(recs[0], { ifname: b.ifname, src: a.mac, dst: b.mac, pdu: OPEN });
  t.same(Object.keys(recs[0]!).sort(), ['dst', 'ifname', 'pdu', 'src', 'time', 'timeToAnswer']);
  t.ok(recs[0]!.timeToAnswer >= 0, 'time to answer is measured');
  t.match(res.stderr, new RegExp(`^HELLO on ${b.ifname} \\(${b.mac}\\) to 01:80:c2:00:00:0e, 2 times every 0.2 s`));

  const seen = jsonLines(peer.stdout).filter((e) => e.event === 'pdu');
  t.same(
    seen.map((e) => [e.src, e.dst, e.pdu.type]),
    [
      [b.mac, '01:80:c2:00:00:0e', 'HELLO'],
      [b.mac, '01:80:c2:00:00:0e', 'HELLO'],
    ],
    'the peer got two HELLOs and nothing else (no ACK)',
  );
});

t.test('human output and --dst', async (t) => {
  if (!rootOrSkip(t)) return;
  const { a, b } = await pair(t);
  const peer = await responder(t, a);
  const res = await runLsoeIn(b.ns, ['hello', '-i', b.ifname, '-c', '1', '--wait', '1', '--dst', 'FF-FF-FF-FF-FF-FF']);
  t.equal(res.code, 0, res.stderr);
  const lines = res.stdout.trim().split('\n');
  t.equal(lines.length, 2);
  t.match(lines[0], new RegExp(`^${b.ifname} ${a.mac} OPEN id 00:11:22:33:44:55:66:77:88:99 nonce a1b2c3d4 attrs 0102  \\d+\\.\\d{3} ms$`));
  t.equal(lines[1], `1 HELLO sent on ${b.ifname}; 1 neighbour answered`);
  t.match(jsonLines(peer.stdout).find((e) => e.event === 'pdu'), { dst: 'ff:ff:ff:ff:ff:ff', pdu: { type: 'HELLO' } });
});

t.test('nobody answers: exit 1', async (t) => {
  if (!rootOrSkip(t)) return;
  const { b } = await pair(t);
  const res = await runLsoeIn(b.ns, ['hello', '-i', b.ifname, '-c', '1', '--wait', '0.3']);
  t.equal(res.code, 1);
  t.equal(res.stdout, `1 HELLO sent on ${b.ifname}; no neighbour answered\n`);
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
  t.equal(dst.stderr, "lsoe: --dst: 'nope' is not a MAC address (want aa:bb:cc:dd:ee:ff)\n");
  const noIf = await runLsoeIn(ns, ['hello']);
  t.equal(noIf.code, 2);
  const lo = await runLsoeIn(ns, ['hello', '-i', 'lo']);
  t.equal(lo.code, 1);
  t.equal(lo.stderr, 'lsoe: hello: lo: not an Ethernet interface (link type loopback)\n');
});
