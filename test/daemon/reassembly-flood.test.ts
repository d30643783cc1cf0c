// The daemon core wires the fair reassembly (issue 9): with an interface budget too small
// for even one stranger's piece, a flood of unfinished first pieces from many MACs is
// refused and counted, while the open genuine neighbour's multi-frame encapsulation PDU
// (reserved: charged to the total cap only) is still learned. Fake clock, memory segment.
import t from 'tap';
import { MemorySegment } from '../../src/io/memory-link.js';
import { FakeClock } from '../../src/daemon/clock.js';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { encodeFrame, MAX_FRAME_PAYLOAD } from '../../src/proto/frame.js';
import { iface, makeNode, run, settle } from './harness.js';

const A = { ifname: 'eth0', mac: '02:00:00:00:00:0a', localId: '0a'.repeat(10), addrs: ['10.0.0.1/31'] };
const B = { ifname: 'eth1', mac: '02:00:00:00:00:0b', localId: '0b'.repeat(10), addrs: ['10.0.0.0/31'] };

t.test("a flood of unfinished pieces cannot stop an open neighbour's multi-frame PDU", async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const a = makeNode(clock, segment, { ...A, flags: { 'reassembly-max-bytes-per-interface': '1500' } });
  const b = makeNode(clock, segment, B);
  await run(clock, 3);
  t.same(a.core.sessions().map((s) => s.state), ['open']);
  const attacker = segment.attach('evil', '02:ee:ff:ff:ff:ff');
  const piece = encodeFrame({ last: false, number: 0, payload: Buffer.alloc(MAX_FRAME_PAYLOAD, 0xab) });
  const flood = (round: number): void => {
    for (let i = 0; i < 200; i++) {
      const src = `02:ee:00:${(round & 0xff).toString(16).padStart(2, '0')}:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
      segment.transmit(attacker, buildEthernet(A.mac, src, 0x88b5, piece));
    }
  };
  flood(0);
  await settle();
  // 800 addresses: B's IPv4 encapsulation PDU takes 4 frames
  const addrs = [...B.addrs, ...Array.from({ length: 800 }, (_, i) => `10.1.${i >> 8}.${i & 0xff}/32`)];
  b.setTable([iface(B.ifname, B.mac, addrs)]);
  flood(1);
  await run(clock, 1);
  flood(2);
  await run(clock, 1);
  const learned = a.core.learnedEncaps().find((l) => l.type === 'IPV4_ENCAPSULATION');
  t.equal(learned?.encaps.length, 801, 'the 4-frame PDU was learned');
  const c = a.core.counters();
  t.equal(c.reassemblyDroppedBy['refused-interface'], 600, 'every stranger piece refused, counted');
  t.equal(c.reassemblyDropped, 600);
  t.equal(a.events.filter((e) => e.event === 'session-down').length, 0, 'the session held');
  a.core.stop();
  b.core.stop();
});
