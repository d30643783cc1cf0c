// The speaker over real TCP on 127.0.0.1 against fake peers written here: a good one
// (reads our UPDATEs back with our decoder), and broken ones (bad marker, short
// message, bad version, silence, a close mid-message) that must get the right
// NOTIFICATION or a timeout, and a retry.
import { createServer, type Server, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { realClock } from '../../src/daemon/clock.js';
import { silentLogger } from '../../src/daemon/log.js';
import { lsRoutes, type LsView } from '../../src/bgp/ls/view.js';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import { MessageSplitter } from '../../src/bgp/wire/header.js';
import { decodeMessage, encodeMessage, type BgpMessage } from '../../src/bgp/wire/message.js';

const OPEN: BgpMessage = {
  type: 'OPEN', version: 4, myAs: 65000, holdTime: 90, bgpId: '10.9.9.9',
  capabilities: [{ kind: 'multiprotocol', afi: 16388, safi: 71 }, { kind: 'four-octet-as', asn: 65000 }],
};

interface FakePeer {
  server: Server;
  port: number;
  /** every message received, per connection */
  connections: BgpMessage[][];
  waitFor(pred: () => boolean, what: string): Promise<void>;
}

async function fakePeer(t: Test, onConnect: (s: Socket, index: number) => void, onMessage?: (s: Socket, m: BgpMessage) => void): Promise<FakePeer> {
  const connections: BgpMessage[][] = [];
  const server = createServer((s) => {
    const mine: BgpMessage[] = [];
    connections.push(mine);
    const splitter = new MessageSplitter();
    s.on('data', (c) => {
      for (const raw of splitter.push(c)) {
        const m = decodeMessage(raw);
        mine.push(m);
        onMessage?.(s, m);
      }
    });
    s.on('error', () => undefined);
    onConnect(s, connections.length - 1);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  const waitFor = async (pred: () => boolean, what: string) => {
    for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
    if (!pred()) throw new Error(`timed out waiting for ${what}`);
  };
  return { server, port, connections, waitFor };
}

const VIEW: LsView = {
  routerId: '10.255.0.1',
  loopbacks: [{ address: '10.255.0.1', prefixLength: 32, primary: false, loopback: true }],
  interfaces: [],
  sessions: [],
};

function speaker(t: Test, port: number, view: { v: LsView }, holdTime = 90): BgpSpeaker {
  const s = new BgpSpeaker({
    peer: { host: '127.0.0.1', port },
    params: { asn: 65000, peerAsn: 65000, holdTime, routerId: '10.255.0.1', connectRetryFirst: 0.2, connectRetryMax: 1 },
    clock: realClock(),
    log: silentLogger,
    ebgp: false,
    routes: () => lsRoutes(view.v, { asn: 65000, instanceId: 0n, igpRouterId: false, nodeName: 'n1', remoteAsn: () => 65000 }).routes,
  });
  t.teardown(() => s.stop());
  return s;
}

const notifications = (ms: BgpMessage[]) => ms.flatMap((m) => (m.type === 'NOTIFICATION' ? [[m.code, m.subcode]] : []));

t.test('a good peer: established, everything announced, a change sent as a diff, Cease on stop', async (t) => {
  const peer = await fakePeer(t, () => undefined, (s, m) => {
    if (m.type === 'OPEN') s.write(Buffer.concat([encodeMessage(OPEN), encodeMessage({ type: 'KEEPALIVE' })]));
  });
  const view = { v: VIEW };
  const sp = speaker(t, peer.port, view);
  sp.start();
  const got = () => peer.connections[0] ?? [];
  await peer.waitFor(() => got().filter((m) => m.type === 'UPDATE').length >= 2, 'the first UPDATEs');
  t.equal(sp.state, 'established');
  const first = got().filter((m) => m.type === 'UPDATE');
  t.match(first[0], { attributes: [{ kind: 'origin' }, { kind: 'as-path', segments: [] }, { kind: 'local-pref', value: 100 }, { kind: 'mp-reach', nextHop: ['127.0.0.1'] }] });
  view.v = { ...VIEW, loopbacks: [] };
  sp.sync();
  await peer.waitFor(() => got().filter((m) => m.type === 'UPDATE').length >= 3, 'the withdrawal');
  t.match(got().at(-1), { type: 'UPDATE', attributes: [{ kind: 'mp-unreach', nlri: [{ type: 'ipv4-prefix', prefix: '10.255.0.1' }] }] });
  const st = sp.status();
  t.match(st, { state: 'established', peerRouterId: '10.9.9.9', linkState: true, held: 1, announced: { node: 1, 'ipv4-prefix': 1 }, withdrawn: { 'ipv4-prefix': 1 } });
  await sp.stop();
  await peer.waitFor(() => notifications(got()).length > 0, 'the Cease');
  t.strictSame(notifications(got()), [[6, 2]], 'Cease/administrative shutdown');
  t.equal(sp.state, 'idle');
});

const broken: [string, Buffer | null, number[] | null, RegExp][] = [
  ['bad marker', Buffer.concat([Buffer.alloc(16, 0xfe), Buffer.from([0, 19, 4])]), [1, 1], /marker/],
  ['short message', Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0, 10, 4])]), [1, 2], /length 10/],
  ['OPEN with version 3', (() => { const b = encodeMessage(OPEN); b[19] = 3; return b; })(), [2, 1], /version 3/],
  ['nothing at all', null, [4, 0], /no OPEN within 3 s/],
];
for (const [name, bytes, expected, reason] of broken) {
  t.test(`a peer that sends ${name}: NOTIFICATION ${expected?.join('/')}, then a retry`, async (t) => {
    const peer = await fakePeer(t, (s) => bytes && s.write(bytes));
    const sp = speaker(t, peer.port, { v: VIEW }, 3);
    sp.start();
    await peer.waitFor(() => peer.connections.length >= 2, 'the retry');
    const firstConn = peer.connections[0]!;
    t.equal(firstConn[0]?.type, 'OPEN', 'we opened');
    t.strictSame(notifications(firstConn), [expected], 'the right NOTIFICATION');
    t.match(sp.status().lastError, reason);
  });
}

t.test('a peer that closes mid-message: dropped and retried', async (t) => {
  const peer = await fakePeer(t, (s, i) => {
    if (i === 0) s.end(encodeMessage(OPEN).subarray(0, 25));
  });
  const sp = speaker(t, peer.port, { v: VIEW });
  sp.start();
  await peer.waitFor(() => peer.connections.length >= 2, 'the retry');
  t.match(sp.status().lastError, /mid-message \(25 octets/);
  t.ok(sp.status().connects >= 2);
});

t.test('nobody listening: connect refused, retried with backoff', async (t) => {
  const peer = await fakePeer(t, () => undefined);
  const port = peer.port;
  await new Promise<void>((r) => peer.server.close(() => r()));
  const sp = speaker(t, port, { v: VIEW });
  sp.start();
  await new Promise((r) => setTimeout(r, 1000));
  t.equal(sp.status().lastError, 'ECONNREFUSED');
  const n = sp.status().connects;
  t.ok(n >= 2 && n <= 4, `${n} attempts in 1 s (0.2 s, 0.4 s, 0.8 s apart)`);
});
