// A link's quiet socket through the capture-host seam, without root (quiet-path.ts): what
// it asks of the host, the order in which the two filters change, late delivery with the
// kernel's time, the send grace it no longer opens, and the back-off when its queue
// overflows. test/io/quiet-socket.test.ts runs the real sockets in namespaces.
import t from 'tap';
import { FakeClock } from '../../src/daemon/clock.js';
import { KEEPALIVE_FRAMES } from '../../src/daemon/keepalive-frame.js';
import { runFilter } from '../../src/io/bpf.js';
import { PacketType } from '../../src/io/capture-host.js';
import type { ReceivedFrame } from '../../src/io/link.js';
import { coalescerFor, openPacketLink } from '../../src/io/packet-link.js';
import { QUIET_BACKOFF } from '../../src/io/quiet-path.js';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { QUEUED_OVERHEAD, ScriptedHost } from '../helpers/scripted-host.js';

const MAC = '02:00:00:00:00:01';
const PEER = '02:00:00:00:00:02';
const OTHER = '02:00:00:00:00:03';
const KA = KEEPALIVE_FRAMES[0]!;
const keepalive = (src = PEER) => buildEthernet(MAC, src, 0x88b5, KA, 60);

function setup(host = new ScriptedHost()) {
  const clock = new FakeClock();
  const link = openPacketLink(host, { ifname: 'eth7', ifindex: 7, mac: MAC }, clock);
  const frames: ReceivedFrame[] = [];
  link.onFrame((f) => frames.push(f));
  return { host, clock, link, frames, main: host.sockets[0]! };
}

t.test('quietPeers: a quiet socket, unpolled, with its program; the main socket gets the complement', async (t) => {
  const { host, link, main, frames } = setup();
  link.quietPeers([], KA);
  t.equal(host.sockets.length, 1, 'no open neighbour: no quiet socket');
  link.quietPeers([PEER], KA);
  const quiet = host.sockets[1]!;
  t.match(quiet.request, { ifindex: 7, ethertype: 0x88b5, quiet: true, timestamps: true }, 'a quiet socket with time stamps');
  t.ok(runFilter(quiet.filters[0]!, keepalive()) > 0, "its program takes the neighbour's KEEPALIVE");
  t.equal(runFilter(main.filters.at(-1)!, keepalive()), 0, 'the main socket no longer does');
  t.ok(runFilter(main.filters.at(-1)!, keepalive(OTHER)) > 0, 'but takes the rest');
  quiet.arrive(keepalive(), PacketType.host, 1_700_000_000.25);
  t.equal(quiet.wakes, 0, 'a quiet frame wakes nobody');
  t.same(frames, []);
  host.drainQuiet();
  t.equal(frames.length, 1, 'drained');
  t.match(frames[0], { src: PEER, late: true, time: 1_700_000_000.25 }, "late, with the kernel's time");
  quiet.arrive(keepalive(), PacketType.host, 1_700_000_001.25);
  main.arrive(buildEthernet(MAC, PEER, 0x88b5, Buffer.from('0102', 'hex')), PacketType.host);
  t.same(
    frames.slice(1).map((f) => f.late ?? false),
    [true, false],
    'a main frame: the quiet socket is read first, so the order holds',
  );
  t.match(link.stats(), { quiet: 2, quietBackoffs: 0 });
});

t.test('the programs change in an order that loses no frame', async (t) => {
  const { host, link } = setup();
  link.quietPeers([PEER], KA);
  host.filterLog.length = 0;
  link.quietPeers([PEER, OTHER], KA);
  t.same(host.filterLog, ['quiet', 'main'], 'a neighbour joins: the quiet socket takes it first');
  host.filterLog.length = 0;
  link.quietPeers([OTHER], KA);
  t.same(host.filterLog, ['main', 'quiet'], 'a neighbour leaves: the main socket takes it back first');
  host.filterLog.length = 0;
  const THIRD = '02:00:00:00:00:04';
  link.quietPeers([THIRD], KA);
  t.same(host.filterLog, ['quiet', 'main', 'quiet'], 'one joins as another leaves: through the union (review of round 6)');
  const [union] = host.sockets[1]!.filters.slice(-2);
  t.ok(runFilter(union!, keepalive(OTHER)) > 0 && runFilter(union!, keepalive(THIRD)) > 0, 'the union takes the leaving and the joining one');
  t.equal(runFilter(host.sockets[0]!.filters.at(-1)!, keepalive(THIRD)), 0, 'then the main socket lets the joining one go');
  t.ok(runFilter(host.sockets[0]!.filters.at(-1)!, keepalive(OTHER)) > 0, 'and takes the leaving one back');
  t.equal(runFilter(host.sockets[1]!.filters.at(-1)!, keepalive(OTHER)), 0, 'last the quiet socket narrows');
  host.filterLog.length = 0;
  link.quietPeers([], KA);
  t.same(host.filterLog, ['main', 'quiet'], 'the last leaves: the same');
  t.equal(runFilter(host.sockets[0]!.filters.at(-1)!, keepalive(OTHER)), 0x40000, 'the main socket takes all again');
  t.equal(runFilter(host.sockets[1]!.filters.at(-1)!, keepalive(OTHER)), 0, 'the quiet one nothing');
});

t.test('our KEEPALIVEs to quieted neighbours open no read grace (their answers are quiet)', async (t) => {
  const host = new ScriptedHost();
  const clock = new FakeClock();
  const links = [7, 8].map((ifindex) => openPacketLink(host, { ifname: `eth${ifindex}`, ifindex, mac: MAC }, clock));
  const coalescer = coalescerFor(host);
  for (const l of links) l.quietPeers([PEER], KA);
  for (const l of links) l.send(PEER, KA);
  t.equal(coalescer.sendGraces, 0, 'a send turn of KEEPALIVEs to quieted neighbours');
  for (const l of links) l.send(OTHER, KA);
  t.equal(coalescer.sendGraces, 1, 'to a neighbour not quieted: a grace, as before');
});

t.test('a quiet socket that drops frames: the link stops quieting for a while, counted', async (t) => {
  // room for 100 queued KEEPALIVEs per socket
  const { host, clock, link, frames } = setup(new ScriptedHost(100 * (60 + QUEUED_OVERHEAD)));
  link.quietPeers([PEER], KA);
  const quiet = host.sockets[1]!;
  for (let i = 0; i < 150; i++) quiet.arrive(keepalive(), PacketType.host, 1_700_000_000 + i / 1000);
  host.filterLog.length = 0;
  host.drainQuiet();
  t.equal(frames.length, 100, 'what was queued is delivered');
  t.match(link.stats(), { quietBackoffs: 1, dropped: 50 }, "a back-off; the quiet socket's drops are the link's");
  t.same(host.filterLog, ['main', 'quiet'], 'the main socket takes everything again');
  link.quietPeers([PEER], KA);
  t.same(host.filterLog, ['main', 'quiet'], 'a change of neighbours meanwhile does not quiet again');
  const main = host.sockets[0]!;
  main.arrive(keepalive(), PacketType.host);
  t.equal(frames.at(-1)!.late, false, 'read at once from the main socket');
  clock.advance(QUIET_BACKOFF + 0.5);
  main.arrive(keepalive(), PacketType.host);
  t.same(host.filterLog.slice(2), ['quiet', 'main'], `quieting again ${QUIET_BACKOFF} s later, at the next frame read`);
  t.match(link.stats(), { quietBackoffs: 1 });
});
