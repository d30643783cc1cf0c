// The monitor socket's BPF program, run by the same rules as the kernel: what it
// passes and refuses. (test/e2e/sniff*.test.ts run it in the kernel itself.)
import t from 'tap';
import { runFilter } from '../../src/io/bpf.js';
import { MONITOR_SNAP, monitorFilter } from '../../src/io/monitor-filter.js';
import { buildEthernet } from '../../src/proto/ethernet.js';

const MAC = '02:00:00:00:00:01';
const PEER = '02:00:00:00:00:02';
const frame = (src: string, type: number, body = '0102') => buildEthernet('01:80:c2:00:00:0e', src, type, Buffer.from(body, 'hex'));
const tagged = (src: string, tags: string, type: number) => frame(src, 0x8100, `${tags}${type.toString(16).padStart(4, '0')}0102`);

t.test('EtherTypes, behind one or two tags, and nothing else', async (t) => {
  const f = monitorFilter({ ethertypes: [0x88b5, 0x8885], direction: 'inout', mac: MAC });
  t.equal(runFilter(f, frame(PEER, 0x88b5)), MONITOR_SNAP);
  t.equal(runFilter(f, frame(PEER, 0x8885)), MONITOR_SNAP, 'the second EtherType');
  t.equal(runFilter(f, frame(PEER, 0x0800)), 0, 'IPv4 refused');
  t.equal(runFilter(f, tagged(PEER, '0005', 0x88b5)), MONITOR_SNAP, 'behind an 802.1Q tag');
  t.equal(runFilter(f, tagged(PEER, '000588a80007', 0x88b5)), MONITOR_SNAP, 'behind two tags');
  t.equal(runFilter(f, tagged(PEER, '0005', 0x0800)), 0, 'a tagged IPv4 frame refused');
  t.equal(runFilter(f, tagged(PEER, '00058100000781000008', 0x88b5)), 0, 'three tags: refused');
  t.equal(runFilter(f, Buffer.alloc(10)), 0, 'a runt');
});

t.test('-Q by source MAC', async (t) => {
  const inbound = monitorFilter({ ethertypes: [0x88b5], direction: 'in', mac: MAC });
  const outbound = monitorFilter({ ethertypes: [0x88b5], direction: 'out', mac: MAC });
  const mine = frame(MAC, 0x88b5);
  const theirs = frame(PEER, 0x88b5);
  const almost = frame('02:00:00:00:00:11', 0x88b5); // the same first four octets
  t.same([runFilter(inbound, mine), runFilter(inbound, theirs), runFilter(inbound, almost)], [0, MONITOR_SNAP, MONITOR_SNAP]);
  t.same([runFilter(outbound, mine), runFilter(outbound, theirs), runFilter(outbound, almost)], [MONITOR_SNAP, 0, 0]);
  t.equal(runFilter(outbound, frame(MAC, 0x0800)), 0, 'our own IPv4: refused');
});
