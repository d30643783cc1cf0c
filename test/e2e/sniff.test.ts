// `lsoe sniff` end to end (root): the real binary in a network namespace,
// frames sent from the other end of a veth pair by a PcapLink probe.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonLines } from '../helpers/run-cli.js';
import {
  createNetns,
  createVethPair,
  execCommand,
  LSOE_BIN_PATH,
  rootOrSkip,
  runLsoeIn,
  spawnInNetns,
  spawnLsoe,
  spawnNode,
  type ManagedProcess,
  type TeardownHost,
  type VethEnd,
} from '../helpers/netns.js';
import { framesOf, SAMPLE_PDUS } from '../helpers/pdu-samples.js';

const helpers = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../helpers');
const HELLO_DST = '01:80:c2:00:00:0e';
const tmp = mkdtempSync(path.join(tmpdir(), 'lsoe-sniff-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

/** A PcapLink in `end`'s namespace that sends what we write to it. */
async function sender(t: TeardownHost, end: VethEnd): Promise<ManagedProcess> {
  const p = spawnNode(t, end.ns, path.join(helpers, 'link-probe.js'), [JSON.stringify({ ifname: end.ifname })]);
  await p.waitFor('"ready"');
  return p;
}

function send(p: ManagedProcess, dst: string, frame: Buffer): void {
  p.write(JSON.stringify({ send: { dst, payload: frame.toString('hex') } }) + '\n');
}

async function setup(t: TeardownHost) {
  const [a, b] = await createVethPair(t, await createNetns(t, 'a'), await createNetns(t, 'b'));
  return { a, b, tx: await sender(t, a) };
}

/** Every sample PDU, each to the peer's MAC except HELLO; a corrupted frame in the middle. */
function sendSamples(tx: ManagedProcess, peer: string): void {
  for (const pdu of SAMPLE_PDUS) {
    for (const frame of framesOf(pdu)) send(tx, pdu.type === 'HELLO' ? HELLO_DST : peer, frame);
    if (pdu.type === 'KEEPALIVE') {
      const bad = Buffer.from(framesOf({ type: 'KEEPALIVE' })[0]!);
      bad[7] = bad[7]! ^ 0xff; // checksum no longer matches
      send(tx, peer, bad);
    }
  }
}

t.test('sniff shows every PDU type, a three-frame PDU reassembled, and a bad frame; -c stops; -w round-trips', async (t) => {
  if (!rootOrSkip(t)) return;
  const { a, b, tx } = await setup(t);
  const file = path.join(tmp, 'sniff.pcapng');
  const sniff = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname, '--json', '-c', String(SAMPLE_PDUS.length), '-w', file, '--print']);
  await sniff.waitFor(/listening on/, 'stderr');
  sendSamples(tx, b.mac);
  send(tx, HELLO_DST, framesOf({ type: 'HELLO' })[0]!); // one more than -c
  const { code } = await sniff.exited;
  t.equal(code, 0, sniff.stderr);

  const recs = jsonLines(sniff.stdout);
  const pdus = recs.filter((r) => 'pdu' in r);
  const errors = recs.filter((r) => 'error' in r);
  t.same(
    pdus.map((r) => r.pdu),
    SAMPLE_PDUS,
    'every PDU decoded to what was sent, in order, and -c stopped at 10',
  );
  t.ok(pdus.every((r) => r.ifname === b.ifname && r.src === a.mac), 'ifname and source MAC on each record');
  t.same(
    pdus.map((r) => r.frames),
    SAMPLE_PDUS.map((p) => (p.type === 'IPV6_ENCAPSULATION' ? 3 : 1)),
  );
  t.equal(errors.length, 1);
  t.match(errors[0], { ifname: b.ifname, src: a.mac, error: { reason: 'checksum' } });
  t.match(sniff.stderr, /\b13 frames, 10 PDUs \(HELLO 1, OPEN 1, .*\), 1 error, 0 dropped by the kernel/);

  // -w writes pcapng, which keeps the interface: lsoe decode reads the very same records back.
  const lsoe = path.resolve(helpers, '../../../bin/lsoe');
  t.equal(readFileSync(file).readUInt32BE(0), 0x0a0d0d0a, 'a pcapng section header');
  const decoded = await execCommand(process.execPath, [lsoe, 'decode', '--json', file]);
  t.equal(decoded.code, 0, decoded.stderr);
  t.same(jsonLines(decoded.stdout), recs, 'decode of the -w file equals what sniff printed, interface names included');
  const aliased = await execCommand(process.execPath, [lsoe, 'sniff', '-r', file, '--json']);
  t.equal(aliased.stdout, decoded.stdout, 'sniff -r FILE is decode FILE');

  // tcpdump reads it: every frame, from the interface it was captured on.
  const listing = await execCommand('tcpdump', ['-nn', '-e', '-r', file]);
  t.equal(listing.code, 0, listing.stderr);
  // one line per frame (then hex lines for the unknown EtherType)
  const lines = listing.stdout.split('\n').filter((l) => /^\d\d:\d\d:/.test(l));
  t.equal(lines.length, 13, 'tcpdump lists every frame');
  t.ok(lines.every((l) => l.includes(a.mac) && /0x88b5/.test(l)), `from ${a.mac} with our EtherType: ${lines[0]}`);
  // tshark too, with the interface name and the same timestamps.
  const ts = await execCommand('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'eth.src', '-e', 'frame.time_epoch']);
  t.equal(ts.code, 0, ts.stderr);
  const tsLines = ts.stdout.trim().split('\n').map((l) => l.split('\t'));
  t.equal(tsLines.length, 13, 'tshark lists every frame');
  t.ok(tsLines.every(([ifname, src]) => ifname === b.ifname && src === a.mac), `interface ${b.ifname} on each: ${tsLines[0]?.join(' ')}`);
  const firstTime = recs[0]!.time as number;
  t.ok(Math.abs(Number(tsLines[0]![2]) - firstTime) < 1e-6, 'tshark reads the same time');

  // What tcpdump writes back (classic pcap, no names) decodes the same but for the names.
  const copy = path.join(tmp, 'copy.pcap');
  const td = await execCommand('tcpdump', ['-nn', '-e', '-r', file, '-w', copy]);
  t.equal(td.code, 0, td.stderr);
  const withoutIfname = recs.map((r) => ({ ...r, ifname: null }));
  const again = await execCommand(process.execPath, [lsoe, 'decode', '--json', copy]);
  t.same(jsonLines(again.stdout), withoutIfname);
});

t.test('--pcap writes classic pcap', async (t) => {
  if (!rootOrSkip(t)) return;
  const { b, tx } = await setup(t);
  const file = path.join(tmp, 'classic.pcap');
  const sniff = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname, '-c', '1', '-w', file, '--pcap']);
  await sniff.waitFor(/listening on/, 'stderr');
  send(tx, HELLO_DST, framesOf({ type: 'HELLO' })[0]!);
  t.equal((await sniff.exited).code, 0, sniff.stderr);
  t.equal(readFileSync(file).readUInt32LE(0), 0xa1b2c3d4, 'the pcap magic');
  const decoded = await execCommand(process.execPath, [path.resolve(helpers, '../../../bin/lsoe'), 'decode', '--json', file]);
  t.match(jsonLines(decoded.stdout), [{ ifname: null, dst: HELLO_DST, pdu: { type: 'HELLO' } }]);
});

t.test('human output, and Ctrl-C prints the summary', async (t) => {
  if (!rootOrSkip(t)) return;
  const { b, tx } = await setup(t);
  const sniff = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname]);
  await sniff.waitFor(/listening on/, 'stderr');
  send(tx, HELLO_DST, framesOf({ type: 'HELLO' })[0]!);
  send(tx, b.mac, framesOf(SAMPLE_PDUS[1]!)[0]!);
  await sniff.waitFor(/OPEN nonce a1b2c3d4/);
  sniff.kill('SIGINT');
  const { code } = await sniff.exited;
  t.equal(code, 0);
  t.match(sniff.stdout, new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} ${b.ifname} \\S+ > ${HELLO_DST} HELLO\\n`));
  t.match(sniff.stdout, /OPEN nonce a1b2c3d4 id 00:11:22:33:44:55:66:77:88:99 attrs 0102\n$/);
  t.match(sniff.stderr, /2 frames, 2 PDUs \(HELLO 1, OPEN 1\), 0 errors, 0 dropped by the kernel/);
});

// Both captures: the packet socket, and libpcap (without the addon; LSOE_CAPTURE=libpcap forces it).
for (const capture of ['packet-socket', 'libpcap']) {
  t.test(`SIGTERM prints the summary too, and libpcap warnings stay off the terminal (${capture})`, async (t) => {
    if (!rootOrSkip(t)) return;
    const { b, tx } = await setup(t);
    // The veth end has no IPv4 address: libpcap warns about it when the capture opens.
    const sniff = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname, '--json'], { env: { ...process.env, LSOE_CAPTURE: capture } });
    await sniff.waitFor(/listening on/, 'stderr');
    send(tx, HELLO_DST, framesOf({ type: 'HELLO' })[0]!);
    const bad = Buffer.from(framesOf({ type: 'KEEPALIVE' })[0]!);
    bad[7] = bad[7]! ^ 0xff; // checksum no longer matches
    send(tx, b.mac, bad);
    await sniff.waitFor((out) => jsonLines(out).length === 2);
    sniff.kill('SIGTERM');
    const { code, signal } = await sniff.exited;
    t.same({ code, signal }, { code: 0, signal: null }, 'a clean exit, not death by the signal');
    const recs = jsonLines(sniff.stdout);
    t.match(recs[0], { ifname: b.ifname, dst: HELLO_DST, pdu: { type: 'HELLO' } });
    t.notOk('pdu' in recs[1]!, 'the corrupted frame is an error record');
    t.same(
      sniff.stderr.split('\n'),
      [`listening on ${b.ifname} (EtherType 0x88b5); Ctrl-C to stop`, '2 frames, 1 PDU (HELLO 1), 1 error, 0 dropped by the kernel', ''],
      'the listening line and the summary, nothing from libpcap',
    );
  });
}

t.test('a missing interface, or no privilege: one line, exit 1', async (t) => {
  if (!rootOrSkip(t)) return;
  const ns = await createNetns(t, 'e');
  const missing = await runLsoeIn(ns, ['sniff', '-i', 'nosuch0']);
  t.equal(missing.code, 1);
  t.equal(missing.stderr, 'lsoe: sniff: nosuch0: no such interface\n');
  t.equal(missing.stdout, '');
  const [, b] = await createVethPair(t, ns, await createNetns(t, 'f'));
  const unprivileged = await ns.exec('setpriv', [
    '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all',
    // env -i: tap wraps child processes with hooks that write files nobody cannot
    'env', '-i', `PATH=${process.env.PATH}`, process.execPath, path.resolve(helpers, '../../../bin/lsoe'), 'sniff', '-i', b.ifname,
  ]);
  t.equal(unprivileged.code, 1);
  t.match(unprivileged.stderr, /^lsoe: sniff: raw Ethernet needs root or CAP_NET_RAW[^\n]*\n$/);
});

t.test('usage errors exit 2 before touching the network', async (t) => {
  if (!rootOrSkip(t)) return;
  const ns = await createNetns(t, 'u');
  const bad = await runLsoeIn(ns, ['sniff', '-t', 'bogus']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^lsoe: sniff: --type: unknown PDU type 'bogus'/);
  const zero = await runLsoeIn(ns, ['sniff', '-c', '0']);
  t.equal(zero.code, 2);
});

t.test('802.1Q-tagged LSOE frames are seen too', async (t) => {
  if (!rootOrSkip(t)) return;
  const [a, b] = await createVethPair(t, await createNetns(t, 'a'), await createNetns(t, 'b'));
  // A link whose EtherType is 0x8100 puts a VLAN tag on the wire: TCI (VLAN 5), then 0x88b5.
  const tagger = spawnNode(t, a.ns, path.join(helpers, 'link-probe.js'), [JSON.stringify({ ifname: a.ifname, ethertype: 0x8100 })]);
  await tagger.waitFor('"ready"');
  const sniff = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname, '-c', '1', '--json']);
  await sniff.waitFor(/listening on/, 'stderr');
  send(tagger, HELLO_DST, Buffer.concat([Buffer.from('000588b5', 'hex'), framesOf({ type: 'HELLO' })[0]!]));
  t.equal((await sniff.exited).code, 0, sniff.stderr);
  t.match(jsonLines(sniff.stdout), [{ ifname: b.ifname, src: a.mac, vlan: [5], pdu: { type: 'HELLO' } }], 'the VLAN ID kept');
});

t.test('--json -l into `head -1`: the record arrives live, then a quiet exit 0 once the reader is gone', async (t) => {
  if (!rootOrSkip(t)) return;
  const { b, tx } = await setup(t);
  const lsoe = `'${process.execPath}' '${LSOE_BIN_PATH}'`;
  const piped = spawnInNetns(t, b.ns, 'bash', ['-c', `${lsoe} sniff -i ${b.ifname} --json -l | head -1; echo "sniff exited \${PIPESTATUS[0]}" >&2`]);
  await piped.waitFor(/listening on/, 'stderr');
  send(tx, HELLO_DST, framesOf({ type: 'HELLO' })[0]!);
  await piped.waitFor(/"HELLO"/);
  // head has gone: the next record finds the pipe closed
  for (let i = 0; i < 20 && !/sniff exited/.test(piped.stderr); i++) {
    send(tx, HELLO_DST, framesOf({ type: 'HELLO' })[0]!);
    await new Promise((r) => setTimeout(r, 250));
  }
  await piped.exited;
  t.match(jsonLines(piped.stdout), [{ ifname: b.ifname, pdu: { type: 'HELLO' } }]);
  t.same(piped.stderr.split('\n').filter((l) => l !== '' && !/^listening on/.test(l)), ['sniff exited 0'], 'status 0, no error line');
});
