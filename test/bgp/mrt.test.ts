// The MRT reader and the BGP-LS RIB rebuilt from it. The golden record is what Debian's
// gobgpd 3.10 wrote in its `[[mrt-dump]]` of updates when an lsoe daemon (router-id
// 198.19.0.1, host name "vm", IGP Router-ID on) peered with it: BGP4MP_MESSAGE_AS4.
import t from 'tap';
import { encodeMrtMessage, MrtError, MrtSplitter, MAX_MRT_RECORD } from '../../src/bgp/mrt.js';
import { LsRib } from '../../src/bgp/ls/rib.js';
import { encodeMessage } from '../../src/bgp/wire/message.js';
import type { PathAttribute } from '../../src/bgp/wire/update.js';
import { hex, LINK } from './samples.js';

const GOBGPD_RECORD = Buffer.from(hex(`
  6b0d1f95 0010 0004 00000077
  0000fde8 0000fde8 0000 0001 c0000202 c0000201
  ffffffffffffffffffffffffffffffff 0063 02
  0000 004c 400101 00 400200 40050400000064
  800e32 4004 47 04 c0000202 00
    0001 0025 07 0000000000000000 0100 0018 0200 0004 0000fde8 0203 0004 c6130001 0204 0004 c6130001
  801d06 0402 0002 766d`), 'hex');

t.test("gobgpd's record, whole and byte by byte", (t) => {
  const whole = new MrtSplitter().push(GOBGPD_RECORD);
  t.equal(whole.length, 1);
  t.match(whole[0], { kind: 'message', time: 0x6b0d1f95, peerAs: 65000, localAs: 65000, peerAddress: '192.0.2.2', localAddress: '192.0.2.1', addPath: false });
  const s = new MrtSplitter();
  const got = [...GOBGPD_RECORD].flatMap((b) => s.push(Buffer.from([b])));
  t.strictSame(got, whole, 'a record cut anywhere waits for the rest');
  t.equal(s.offset, GOBGPD_RECORD.length);
  t.equal(s.buffered, 0);

  const rib = new LsRib();
  const r = whole[0]!;
  if (r.kind !== 'message') throw new Error('not a message');
  rib.apply(r.peerAddress, r.time, r.message);
  t.strictSame(rib.routes('192.0.2.2'), [
    { type: 'node', protocolId: 7, identifier: 0n, local: { asn: 65000, igpRouterId: '198.19.0.1', bgpRouterId: '198.19.0.1' } },
  ], "our decoder reads gobgpd's copy of our Node NLRI");
  t.end();
});

t.test('other record types are passed over; a damaged stream is an MrtError at its offset', (t) => {
  const table = Buffer.from(hex('6b0d1f95 000d 0001 00000002 abcd'), 'hex'); // TABLE_DUMP_V2 PEER_INDEX_TABLE
  const recs = new MrtSplitter().push(Buffer.concat([table, GOBGPD_RECORD]));
  t.strictSame(recs.map((r) => r.kind), ['other', 'message']);
  t.match(recs[0], { type: 13, subtype: 1 });

  const huge = Buffer.from(GOBGPD_RECORD);
  huge.writeUInt32BE(MAX_MRT_RECORD + 1, 8);
  const s = new MrtSplitter();
  s.push(GOBGPD_RECORD);
  t.throws(() => s.push(huge), new MrtError(`MRT record of ${MAX_MRT_RECORD + 1} octets (at most ${MAX_MRT_RECORD})`, GOBGPD_RECORD.length));
  const badFamily = Buffer.from(GOBGPD_RECORD);
  badFamily.writeUInt16BE(7, 22);
  t.throws(() => new MrtSplitter().push(badFamily), { name: 'MrtError', message: /address family 7/, offset: 0 });
  t.end();
});

t.test('the RIB: announce, withdraw, and what the dump cannot say (sessions) pruned by the caller', (t) => {
  const peer = '192.0.2.3';
  const update = (kind: 'mp-reach' | 'mp-unreach', time: number): Buffer => {
    const attr: PathAttribute = kind === 'mp-reach'
      ? { kind, afi: 16388, safi: 71, nextHop: ['192.0.2.3'], nlri: [LINK] }
      : { kind, afi: 16388, safi: 71, nlri: [LINK] };
    const message = encodeMessage({ type: 'UPDATE', withdrawn: '', attributes: [attr], nlri: '' });
    return encodeMrtMessage({ time, peerAs: 65001, localAs: 65000, peerAddress: peer, localAddress: '192.0.2.1', message });
  };
  const rib = new LsRib();
  const feed = (b: Buffer) => {
    for (const r of new MrtSplitter().push(b)) if (r.kind === 'message') rib.apply(r.peerAddress, r.time, r.message);
  };
  feed(update('mp-reach', 100));
  t.equal(rib.routes(peer).length, 1, 'announced');
  feed(update('mp-unreach', 101));
  t.equal(rib.routes(peer).length, 0, 'withdrawn');
  feed(update('mp-reach', 102));
  rib.prune(peer, 102);
  t.equal(rib.routes(peer).length, 1, 'announced by the session that began at 102: kept');
  rib.prune(peer, 103);
  t.equal(rib.routes(peer).length, 0, 'announced before the session that began at 103: gone');
  feed(update('mp-reach', 104));
  rib.prune(peer, 'all');
  t.strictSame(rib.peers(), [], 'a peer that is down holds nothing');
  rib.apply(peer, 105, Buffer.from('ffff', 'hex'));
  t.strictSame(rib.counts, { updates: 4, undecodable: 1 }, 'what does not decode is counted, not applied');
  t.end();
});
