// Quiet sockets on real packet sockets (issue 10; root only; skipped without the addon):
// a link told its open neighbours (quietPeers) leaves their exact KEEPALIVEs to a second
// socket that nothing polls; they are delivered only when drained (drainQuietLinks),
// marked late, with the kernel's receive time; every other frame (another MAC, another
// PDU, a KEEPALIVE with one octet changed, a HELLO) comes through the main socket at
// once, and each frame exactly once. The filters follow the neighbours as they change.
import t from 'tap';
import { endpointLinkKind } from '../../src/io/endpoint-link.js';
import { paddedEthernetFrame } from '../../src/io/link.js';
import { HELLO_MULTICAST } from '../../src/proto/ethernet.js';
import { KEEPALIVE_FRAMES } from '../../src/daemon/keepalive-frame.js';
import { createNetns, createVethPair, rootOrSkip } from '../helpers/netns.js';
import { startProbe, type ProbeEvent } from '../helpers/probe-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KA = KEEPALIVE_FRAMES[0]!.toString('hex');
const HELLO = '01010004'; // any other PDU-looking payload will do: only the KEEPALIVE is quiet
const STRANGER = '02:ee:00:00:00:42';

t.test('quiet sockets in the kernel', async (t) => {
  if (!rootOrSkip(t)) return;
  if (endpointLinkKind() !== 'packet-socket') {
    t.plan(0, 'the packet-socket addon is not built (scripts/build-native)');
    return;
  }
  const [a, b] = await createVethPair(t, await createNetns(t, 'qa'), await createNetns(t, 'qb'));
  const rx = await startProbe(t, a.ns, { kind: 'packet', ifname: a.ifname });
  const tx = await startProbe(t, b.ns, { kind: 'packet', ifname: b.ifname });
  t.match(rx.events()[0], { event: 'ready' });
  let marks = 0;
  /** a frame the main socket delivers at once: everything sent before it has arrived */
  const mark = async (): Promise<ProbeEvent> => {
    const payload = `ff${(marks++).toString(16).padStart(4, '0')}`;
    tx.send(a.mac, payload);
    return rx.until((e) => e.event === 'frame' && e.payload.startsWith(payload));
  };
  const fromB = (payload: string) => rx.frames().filter((f) => f.src === b.mac && f.payload.startsWith(payload));
  const command = async (cmd: object, answer: string) => {
    const before = rx.events().filter((e) => e.event === answer).length;
    rx.command(cmd);
    await rx.proc.waitFor(() => rx.events().filter((e) => e.event === answer).length > before);
  };

  await command({ quiet: { peers: [b.mac], prefix: KA } }, 'quieted');

  t.test('the open neighbour\'s KEEPALIVE waits, unpolled, and comes late with its arrival time', async (t) => {
    tx.send(a.mac, KA);
    await sleep(300);
    t.same(fromB(KA), [], 'not delivered: nothing polls the quiet socket');
    await command({ drain: true }, 'drained');
    const got = fromB(KA);
    t.equal(got.length, 1, 'drained: delivered once');
    t.equal(got[0]!.late, true, 'marked late');
    t.ok(got[0]!.readAt - got[0]!.time >= 0.25, `its time is the kernel's: read ${(got[0]!.readAt - got[0]!.time).toFixed(3)} s after it arrived`);
    t.equal(got[0]!.raw.length, 120, 'the whole padded frame (60 octets)');
  });

  t.test('a frame of the main socket: what waits on the quiet one is delivered first', async (t) => {
    tx.send(a.mac, KA);
    await sleep(100);
    const m = await mark();
    const all = rx.frames();
    const at = all.findIndex((f) => f.payload === m.payload);
    const ka = at - 1;
    t.match(all[ka], { src: b.mac, payload: new RegExp(`^${KA}`) }, 'the KEEPALIVE right before the frame sent after it');
    t.equal(all[ka]!.late, true, 'late');
    t.ok(all[ka]!.time <= m.time, `with its own arrival time (${all[ka]!.time} <= ${m.time})`);
  });

  t.test('everything else comes through the main socket at once', async (t) => {
    const changed = (i: number) => {
      const b = Buffer.from(KA, 'hex');
      b[i]! ^= 0x80;
      return b.toString('hex');
    };
    tx.command({ raw: paddedEthernetFrame(a.mac, STRANGER, 0x88b5, Buffer.from(KA, 'hex')).toString('hex') });
    for (const i of [0, 5, 10]) tx.send(a.mac, changed(i));
    tx.send(HELLO_MULTICAST, HELLO);
    tx.send(a.mac, HELLO);
    await mark();
    const now = rx.frames();
    t.equal(now.filter((f) => f.src === STRANGER && f.payload.startsWith(KA)).length, 1, 'a KEEPALIVE from another MAC');
    for (const i of [0, 5, 10]) t.equal(fromB(changed(i)).length, 1, `the KEEPALIVE with octet ${i} changed`);
    t.equal(fromB(HELLO).length, 2, 'other PDUs, to us and to the HELLO group');
    t.same(now.filter((f) => f.late), fromB(KA), 'nothing else came late');
    await command({ drain: true }, 'drained');
    t.equal(rx.frames().length, now.length, 'and nothing was left on the quiet socket');
  });

  t.test('the filters follow the neighbours', async (t) => {
    await command({ quiet: { peers: [], prefix: KA } }, 'quieted');
    const before = fromB(KA).length;
    tx.send(a.mac, KA);
    await mark();
    t.equal(fromB(KA).length, before + 1, 'no neighbour open: the KEEPALIVE comes at once');
    t.notOk(fromB(KA).at(-1)!.late, 'not late');
    await command({ quiet: { peers: [STRANGER, b.mac], prefix: KA } }, 'quieted');
    tx.send(a.mac, KA);
    await sleep(300);
    t.equal(fromB(KA).length, before + 1, 'open again: quiet again');
    await command({ drain: true }, 'drained');
    t.equal(fromB(KA).length, before + 2, 'drained');
    t.equal(fromB(KA).at(-1)!.late, true);
    rx.command({ stats: true });
    const stats = await rx.until((e) => e.event === 'stats');
    t.match(stats, { quiet: 3, quietBackoffs: 0, dropped: 0 }, 'the link counts its quiet frames');
  });
});
