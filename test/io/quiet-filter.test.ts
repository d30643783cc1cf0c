// The quiet socket's and the main socket's BPF programs (src/io/quiet-filter.ts), run by
// the kernel's rules (bpf.ts runFilter): the quiet one takes exactly an open neighbour's
// exact KEEPALIVE, the main one everything else; every frame lands on exactly one.
// (test/io/quiet-socket.test.ts runs them in the kernel itself.)
import t from 'tap';
import { runFilter } from '../../src/io/bpf.js';
import { QUIET_MAX_PEERS, quietFilters } from '../../src/io/quiet-filter.js';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { KEEPALIVE_FRAMES } from '../../src/daemon/keepalive-frame.js';
import { paddedEthernetFrame } from '../../src/io/link.js';

const ME = '02:00:00:00:00:01';
const PEER = '02:00:00:00:00:02';
const OTHER = '02:00:00:00:00:03';
const KA = KEEPALIVE_FRAMES[0]!;
const frame = (src: string, payload: Buffer, ethertype = 0x88b5) => paddedEthernetFrame(ME, src, ethertype, payload);
const f = quietFilters({ ethertype: 0x88b5, prefix: KA, peers: [PEER, '02:aa:bb:cc:dd:ee'] });
/** 'quiet', 'main', or what went wrong (both, neither) */
const lands = (fr: Buffer, filters = f): string => {
  const q = runFilter(filters.quiet, fr) > 0;
  const m = runFilter(filters.main, fr) > 0;
  return q && !m ? 'quiet' : m && !q ? 'main' : `both=${q} neither=${!q && !m}`;
};

t.test('the KEEPALIVE of an open neighbour, padded or not, is the quiet socket\'s', async (t) => {
  t.equal(KA.length, 11, 'the KEEPALIVE is 11 octets');
  t.equal(lands(frame(PEER, KA)), 'quiet', 'padded to 60 octets');
  t.equal(lands(buildEthernet(ME, PEER, 0x88b5, KA)), 'quiet', 'unpadded (25 octets)');
  t.equal(lands(frame('02:aa:bb:cc:dd:ee', KA)), 'quiet', 'the second neighbour');
  t.equal(runFilter(f.quiet, frame(PEER, KA)), 0x40000, 'kept whole');
});

t.test('everything else is the main socket\'s', async (t) => {
  t.equal(lands(frame(OTHER, KA)), 'main', 'another MAC');
  t.equal(lands(frame('02:00:00:00:01:02', KA)), 'main', 'a MAC that differs in its last octets only');
  t.equal(lands(frame('03:00:00:00:00:02', KA)), 'main', 'a MAC that differs in its first octet only');
  t.equal(lands(frame(PEER, KA, 0x8885)), 'main', 'another EtherType');
  for (let i = 0; i < KA.length; i++) {
    const changed = Buffer.from(KA);
    changed[i]! ^= 0x01;
    t.equal(lands(frame(PEER, changed)), 'main', `the KEEPALIVE with octet ${i} changed`);
  }
  t.equal(lands(frame(PEER, Buffer.from('0101000a0000', 'hex'))), 'main', 'a HELLO-sized other PDU');
  t.equal(lands(buildEthernet(ME, PEER, 0x88b5, KA.subarray(0, 10))), 'main', 'cut one octet short: not refused by a load past the end');
  t.equal(lands(buildEthernet(ME, PEER, 0x88b5, Buffer.alloc(0))), 'main', 'a bare header');
});

t.test('no neighbour: the main socket takes all; the programs change with the neighbours', async (t) => {
  const none = quietFilters({ ethertype: 0x88b5, prefix: KA, peers: [] });
  t.equal(lands(frame(PEER, KA), none), 'main');
  const other = quietFilters({ ethertype: 0x88b5, prefix: KA, peers: [OTHER] });
  t.equal(lands(frame(PEER, KA), other), 'main', 'PEER no longer open');
  t.equal(lands(frame(OTHER, KA), other), 'quiet', 'OTHER open now');
});

t.test(`at most ${QUIET_MAX_PEERS} neighbours per link (a BPF jump reaches 255 instructions)`, async (t) => {
  const macs = Array.from({ length: QUIET_MAX_PEERS + 2 }, (_, i) => `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`);
  const many = quietFilters({ ethertype: 0x88b5, prefix: KA, peers: macs });
  t.equal(lands(frame(macs[0]!, KA), many), 'quiet', 'the first');
  t.equal(lands(frame(macs[QUIET_MAX_PEERS - 1]!, KA), many), 'quiet', 'the last one quieted');
  t.equal(lands(frame(macs[QUIET_MAX_PEERS]!, KA), many), 'main', 'one more: main');
  t.throws(() => quietFilters({ ethertype: 0x88b5, prefix: KA, peers: ['nonsense'] }), /bad MAC/);
});
