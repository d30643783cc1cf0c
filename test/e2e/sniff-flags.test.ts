// sniff's tcpdump-habit flags through the real binary in namespaces: -D, -i any and
// globs, several EtherTypes at once, -Q in|out, -p (the HELLO group joined, as
// `ip maddr show` lists it, and no promiscuous mode), and the refusals.
import t from 'tap';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonLines } from '../helpers/run-cli.js';
import { createNetns, createVethPair, rootOrSkip, runLsoeIn, spawnLsoe, spawnNode, type ManagedProcess, type TeardownHost, type VethEnd } from '../helpers/netns.js';
import { framesOf } from '../helpers/pdu-samples.js';

const helpers = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../helpers');
const HELLO_DST = '01:80:c2:00:00:0e';
const HELLO = framesOf({ type: 'HELLO' })[0]!;

/** A link in `end`'s namespace that sends what we write to it (EtherType as given). */
async function sender(t: TeardownHost, end: VethEnd, ethertype = 0x88b5): Promise<ManagedProcess> {
  const p = spawnNode(t, end.ns, path.join(helpers, 'link-probe.js'), [JSON.stringify({ ifname: end.ifname, ethertype })]);
  await p.waitFor('"ready"');
  return p;
}

function send(p: ManagedProcess, dst: string, frame: Buffer): void {
  p.write(JSON.stringify({ send: { dst, payload: frame.toString('hex') } }) + '\n');
}

const pair = async (t: TeardownHost) => createVethPair(t, await createNetns(t, 'fa'), await createNetns(t, 'fb'));

t.test('-D lists the Ethernet interfaces with their state; -i any and globs select among them', async (t) => {
  if (!rootOrSkip(t)) return;
  const [a, b] = await pair(t);
  const list = await runLsoeIn(b.ns, ['sniff', '-D'], { env: { ...process.env, COLUMNS: '120' } });
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, new RegExp(`^# +Interface +MAC +State +MTU +-i any\\n\\d+ +${b.ifname} +${b.mac} +up +1500 +yes\\n$`), 'the veth end; not lo');
  const [rec, ...more] = jsonLines((await runLsoeIn(b.ns, ['sniff', '-D', '--json'])).stdout, 'interfaces');
  t.same(more, []);
  t.match(rec, { ifname: b.ifname, mac: b.mac, adminUp: true, lowerUp: true, any: true });
  await b.ns.ip(['link', 'set', b.ifname, 'down']);
  t.match((await runLsoeIn(b.ns, ['sniff', '-D'])).stdout, new RegExp(`${b.ifname} +${b.mac} +down +1500 +no\\n`), 'a down interface: listed, not taken by any');
  await b.ns.ip(['link', 'set', b.ifname, 'up']);

  const tx = await sender(t, a);
  for (const spec of ['any', `${b.ifname.slice(0, 2)}*`]) {
    const sniff = spawnLsoe(t, b.ns, ['sniff', '-i', spec, '-c', '1', '--json']);
    await sniff.waitFor(/listening on/, 'stderr');
    t.match(sniff.stderr, new RegExp(`^listening on ${b.ifname} \\(EtherType 0x88b5\\)`), `-i ${spec} picks the veth`);
    send(tx, HELLO_DST, HELLO);
    t.equal((await sniff.exited).code, 0, sniff.stderr);
    t.match(jsonLines(sniff.stdout, 'decode'), [{ ifname: b.ifname, src: a.mac, pdu: { type: 'HELLO' } }]);
  }
  const none = await runLsoeIn(b.ns, ['sniff', '-i', 'nomatch*']);
  t.equal(none.code, 1);
  t.equal(none.stderr, "lsoe: sniff: no up Ethernet interface matches 'nomatch*'\n");
  const excluded = await runLsoeIn(b.ns, ['sniff', '-i', 'any', '-i', `!${b.ifname}`]);
  t.equal(excluded.stderr, 'lsoe: sniff: no Ethernet interface is up (name one with -i)\n', 'any but the only one: nothing left');
});

t.test('several EtherTypes at once; -e says which each record came with', async (t) => {
  if (!rootOrSkip(t)) return;
  const [a, b] = await pair(t);
  const [tx1, tx2] = [await sender(t, a, 0x88b5), await sender(t, a, 0x8885)];
  const sniff = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname, '--ethertype', '0x88b5,0x8885', '-c', '2', '-e', '--time', 'none']);
  await sniff.waitFor(/listening on/, 'stderr');
  t.match(sniff.stderr, /\(EtherType 0x88b5, 0x8885\)/);
  send(tx1, HELLO_DST, HELLO);
  await sniff.waitFor(/HELLO/);
  send(tx2, HELLO_DST, HELLO);
  t.equal((await sniff.exited).code, 0, sniff.stderr);
  t.equal(
    sniff.stdout,
    `${b.ifname} ${a.mac} > ${HELLO_DST}, ethertype 0x88b5: HELLO\n${b.ifname} ${a.mac} > ${HELLO_DST}, ethertype 0x8885: HELLO\n`,
  );
});

t.test('-Q in and -Q out: frames received, or sent, on the interface', async (t) => {
  if (!rootOrSkip(t)) return;
  const [a, b] = await pair(t);
  const [fromA, fromB] = [await sender(t, a), await sender(t, b)];
  const inbound = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname, '-Q', 'in', '-c', '1', '--json']);
  const outbound = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname, '-Q', 'out', '-c', '1', '--json']);
  await inbound.waitFor(/listening on/, 'stderr');
  await outbound.waitFor(/listening on/, 'stderr');
  t.match(outbound.stderr, /\(EtherType 0x88b5; out only\)/);
  send(fromB, HELLO_DST, HELLO); // out of b: -Q in must not take it
  send(fromA, HELLO_DST, HELLO); // into b
  t.equal((await inbound.exited).code, 0, inbound.stderr);
  t.equal((await outbound.exited).code, 0, outbound.stderr);
  t.match(jsonLines(inbound.stdout, 'decode'), [{ src: a.mac }], 'in: what a sent');
  t.match(jsonLines(outbound.stdout, 'decode'), [{ src: b.mac }], 'out: what b sent');
});

async function promiscuity(end: VethEnd): Promise<number> {
  const r = await end.ns.ip(['-d', '-j', 'link', 'show', end.ifname]);
  return (JSON.parse(r.stdout) as Array<{ promiscuity: number }>)[0]!.promiscuity;
}

t.test('-p: no promiscuous mode, the HELLO group joined while sniff runs (ip maddr show), left after', async (t) => {
  if (!rootOrSkip(t)) return;
  const [a, b] = await pair(t);
  const joined = async () => (await b.ns.ip(['maddr', 'show', 'dev', b.ifname])).stdout.includes(HELLO_DST);
  t.notOk(await joined(), 'not a member before');
  const tx = await sender(t, a);
  const sniff = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname, '-p', '-c', '1', '--json']);
  await sniff.waitFor(/listening on/, 'stderr');
  t.match(sniff.stderr, new RegExp(`not promiscuous, ${HELLO_DST} joined`));
  t.ok(await joined(), 'the group is listed by ip maddr show while sniff runs');
  t.equal(await promiscuity(b), 0, 'and the interface is not promiscuous');
  send(tx, HELLO_DST, HELLO);
  t.equal((await sniff.exited).code, 0, sniff.stderr);
  t.match(jsonLines(sniff.stdout, 'decode'), [{ src: a.mac, dst: HELLO_DST }], 'HELLO still seen');
  t.notOk(await joined(), 'the membership went with sniff');

  // without -p: promiscuous while it runs (the socket's PACKET_MR_PROMISC membership), as sniff(1) says
  const promisc = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname, '-c', '1']);
  await promisc.waitFor(/listening on/, 'stderr');
  t.ok((await promiscuity(b)) > 0, 'promiscuous by default');
  send(tx, HELLO_DST, HELLO);
  await promisc.exited;
});

t.test('options of a live capture with -r, or -D with -w: usage errors naming both', async (t) => {
  if (!rootOrSkip(t)) return;
  const ns = await createNetns(t, 'fu');
  for (const [args, a, b] of [
    [['-r', 'x.pcap', '-p'], '--read', '--no-promiscuous-mode'],
    [['-r', 'x.pcap', '-Q', 'in'], '--read', '--direction'],
    [['-r', 'x.pcap', '-i', 'eth0'], '--read', '--interface'],
    // -w's options have no file to act on either
    [['-r', 'x.pcap', '--pcap'], '--read', '--pcap'],
    [['-r', 'x.pcap', '-G', '60'], '--read', '--rotate-seconds'],
    [['-r', 'x.pcap', '-C', '1'], '--read', '--file-size'],
    [['-r', 'x.pcap', '-W', '2'], '--read', '--file-count'],
    [['-r', 'x.pcap', '--print'], '--read', '--print'],
    [['-r', 'x.pcap', '-B', '1024'], '--read', '--buffer-size'],
    [['-D', '-w', 'x.pcap'], '--list-interfaces', '--write'],
  ] as const) {
    const r = await runLsoeIn(ns, ['sniff', ...args]);
    t.equal(r.code, 2, args.join(' '));
    t.equal(r.stderr, `lsoe: sniff: ${a} and ${b} contradict each other: give one\n`);
  }
  for (const [flag, why] of [
    ['--pcap', '--pcap is the format of -w FILE'],
    ['--print', '--print prints as well as -w FILE writes'],
  ] as const) {
    const r = await runLsoeIn(ns, ['sniff', '-i', 'lo', flag]);
    t.equal(r.code, 2, `${flag} without -w`);
    t.equal(r.stderr, `lsoe: sniff: ${why}: give -w\n`);
  }
  const q = await runLsoeIn(ns, ['sniff', '-Q', 'sideways']);
  t.equal(q.code, 2);
  t.match(q.stderr, /^lsoe: sniff: option '-Q, --direction <DIR>' argument 'sideways' is invalid/);
});

t.test('-w FILE with -C/-W: a ring of files; with -G/-W: a file per interval, stopping after W', async (t) => {
  if (!rootOrSkip(t)) return;
  const [a, b] = await pair(t);
  const tx = await sender(t, a);
  const dir = mkdtempSync(path.join(tmpdir(), 'lsoe-rotate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // 300 octets a file: the pcapng header blocks and two HELLO frames fit, a third does not
  const ring = path.join(dir, 'ring.pcapng');
  const sniff = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname, '-w', ring, '-C', '0.0003', '-W', '3', '-c', '9', '--print', '--json']);
  await sniff.waitFor(/listening on/, 'stderr');
  for (let i = 0; i < 9; i++) send(tx, HELLO_DST, HELLO);
  t.equal((await sniff.exited).code, 0, sniff.stderr);
  t.same(readdirSync(dir).sort(), ['ring.pcapng0', 'ring.pcapng1', 'ring.pcapng2'], 'three files, the oldest overwritten');
  let frames = 0;
  for (const f of readdirSync(dir)) {
    const r = await runLsoeIn(b.ns, ['decode', '--json', path.join(dir, f)]);
    t.equal(r.code, 0, `${f} is a whole capture: ${r.stderr}`);
    const n = jsonLines(r.stdout, 'decode').length;
    t.ok(n >= 1 && n <= 2, `${f}: ${n} frames, within 300 octets`);
    frames += n;
    t.ok(statSync(path.join(dir, f)).size <= 300, `${f} is no larger than -C`);
  }
  t.ok(frames >= 5 && frames < 9, `the ring keeps the newest (${frames} of 9)`);

  const timed = path.join(dir, 'timed.pcap');
  const g = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname, '-w', timed, '--pcap', '-G', '1', '-W', '2']);
  await g.waitFor(/listening on/, 'stderr');
  for (let i = 0; i < 3; i++) {
    send(tx, HELLO_DST, HELLO);
    await new Promise((r) => setTimeout(r, 1300));
  }
  t.equal((await g.exited).code, 0, 'stops by itself after two files of a second, as tcpdump -G -W');
  for (const f of ['timed.pcap0', 'timed.pcap1']) {
    t.equal(jsonLines((await runLsoeIn(b.ns, ['decode', '--json', path.join(dir, f)])).stdout, 'decode').length, 1, `${f}: one HELLO`);
  }
  t.notOk(readdirSync(dir).includes('timed.pcap2'));
});

t.test('-G/-C/-W and -B: usage errors', async (t) => {
  if (!rootOrSkip(t)) return;
  const ns = await createNetns(t, 'fw');
  for (const [args, want] of [
    [['-G', '10'], 'lsoe: sniff: -G, -C and -W split the file of -w FILE: give -w\n'],
    [['-w', '-', '-C', '1'], 'lsoe: sniff: -G, -C and -W cannot split stdout (-w -): name a file\n'],
    [['-w', 'x', '-W', '3'], 'lsoe: sniff: -W counts the files of -G or -C: give one of them\n'],
    [['-w', 'x', '-C', 'big'], "lsoe: sniff: -C: 'big' is not a number of megabytes\n"],
    [['-w', 'x', '-G', '0'], 'lsoe: sniff: -G: must be more than 0 seconds\n'],
    [['-B', '0'], 'lsoe: sniff: -B: must be at least 1 KiB\n'],
    [['-B', '2048k'], "lsoe: sniff: -B: '2048k' is not a whole number\n"],
    [['-B', '2000000'], 'lsoe: sniff: -B: at most 1048576 KiB (1 GiB)\n'],
  ] as const) {
    const r = await runLsoeIn(ns, ['sniff', ...args]);
    t.equal(r.code, 2, args.join(' '));
    t.equal(r.stderr, want);
  }
});

t.test('two interfaces at once: each record names its own; -w keeps one interface block each (tshark reads the names)', async (t) => {
  if (!rootOrSkip(t)) return;
  const [nsA, nsB] = [await createNetns(t, 'fa'), await createNetns(t, 'fb')];
  const [a1, b1] = await createVethPair(t, nsA, nsB);
  const [a2, b2] = await createVethPair(t, nsA, nsB);
  const [tx1, tx2] = [await sender(t, a1), await sender(t, a2)];
  const dir = mkdtempSync(path.join(tmpdir(), 'lsoe-multi-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'two.pcapng');
  const sniff = spawnLsoe(t, nsB, ['sniff', '-i', b1.ifname, '-i', b2.ifname, '-c', '2', '--json', '-w', file, '--print']);
  await sniff.waitFor(/listening on/, 'stderr');
  t.match(sniff.stderr, new RegExp(`^listening on ${b1.ifname}, ${b2.ifname} `));
  send(tx1, HELLO_DST, HELLO);
  await sniff.waitFor(/HELLO/);
  send(tx2, HELLO_DST, HELLO);
  t.equal((await sniff.exited).code, 0, sniff.stderr);
  t.match(jsonLines(sniff.stdout, 'decode'), [
    { ifname: b1.ifname, src: a1.mac },
    { ifname: b2.ifname, src: a2.mac },
  ]);
  const ts = await runLsoeIn(nsB, ['decode', '--json', file]);
  t.same(jsonLines(ts.stdout, 'decode').map((r) => r.ifname), [b1.ifname, b2.ifname], 'lsoe decode reads the names back');
  const shark = await nsB.exec('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.interface_name']);
  t.same(shark.stdout.trim().split('\n'), [b1.ifname, b2.ifname], 'so does tshark');
});
