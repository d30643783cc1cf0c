// PacketLink through the capture-host seam, without root: a scripted host plays the
// kernel (frames of each packet type, socket errors, the packet table), a fake clock
// drives the one health ticker. Flaps, vanishing interfaces and lost sockets are
// played here; test/io/packet-socket.test.ts checks the real sockets in namespaces.
import t from 'tap';
import { FakeClock } from '../../src/daemon/clock.js';
import { Errno, PacketType } from '../../src/io/capture-host.js';
import { HealthTicker, linkHealth } from '../../src/io/link-health.js';
import type { LinkError, ReceivedFrame } from '../../src/io/link.js';
import { openPacketLink } from '../../src/io/packet-link.js';
import { parsePacketTable } from '../../src/io/packet-table.js';
import { buildEthernet, HELLO_MULTICAST } from '../../src/proto/ethernet.js';
import { ScriptedHost } from '../helpers/scripted-host.js';

const MAC = '02:00:00:00:00:01';
const PEER = '02:00:00:00:00:02';

const flush = () => new Promise((r) => setImmediate(r));

function setup(opts: { up?: boolean; allowDown?: boolean } = {}) {
  const host = new ScriptedHost();
  const clock = new FakeClock();
  const link = openPacketLink(host, { ifname: 'eth7', ifindex: 7, mac: MAC, up: opts.up ?? true, allowDown: opts.allowDown }, clock);
  const frames: ReceivedFrame[] = [];
  const errors: LinkError[] = [];
  link.onFrame((f) => frames.push(f));
  link.onError((e) => errors.push(e));
  return { host, clock, link, frames, errors, socket: host.sockets[0]! };
}

const lsoe = (dst: string, src = PEER) => buildEthernet(dst, src, 0x88b5, Buffer.from('0102', 'hex'));

t.test('linkHealth and the packet table', async (t) => {
  const rows = parsePacketTable(
    ['sk RefCnt Type Proto Iface R Rmem User Inode', '1 3 3 88b5 7 1 0 0 11', '2 3 3 88b5 7 0 0 0 12', '3 3 3 88b5 -1 0 0 0 13', ''].join('\n'),
  );
  t.equal(rows.size, 3, 'heading and blank lines are skipped');
  t.equal(linkHealth(rows.get('11'), 7), 'ok');
  t.equal(linkHealth(rows.get('12'), 7), 'down', 'bound, not running: interface down');
  t.equal(linkHealth(rows.get('13'), 7), 'vanished', 'unbound: interface deleted');
  t.equal(linkHealth(rows.get('11'), 8), 'vanished', 'the index belongs to another interface');
  t.equal(linkHealth(undefined, 7), 'reopen', 'socket missing from the table');
});

t.test('joins the HELLO group; delivers frames for us and group frames, never own or other stations’', async (t) => {
  const { socket, frames, link } = setup();
  t.same(socket.groups, [HELLO_MULTICAST]);
  socket.arrive(lsoe(MAC), PacketType.host);
  socket.arrive(lsoe(HELLO_MULTICAST), PacketType.multicast);
  socket.arrive(lsoe('ff:ff:ff:ff:ff:ff'), PacketType.broadcast);
  socket.arrive(lsoe('02:00:00:00:00:99'), PacketType.otherHost);
  socket.arrive(lsoe(PEER, MAC), PacketType.outgoing);
  socket.arrive(buildEthernet(MAC, PEER, 0x0800, Buffer.alloc(4)), PacketType.host);
  t.same(
    frames.map((f) => f.dst),
    [MAC, HELLO_MULTICAST, 'ff:ff:ff:ff:ff:ff'],
  );
  t.same(link.stats(), { received: 3, dropped: 0, ifDropped: 0, ignored: 3 });
  link.send(PEER, Buffer.from('aa', 'hex'));
  t.equal(socket.sent[0]!.length, 60, 'padded to the Ethernet minimum');
  t.equal(socket.sent[0]!.subarray(6, 12).toString('hex'), MAC.replace(/:/g, ''), 'from our MAC');
});

t.test('a healthy link wakes nothing: no timer, no table read', async (t) => {
  const { clock, host } = setup();
  t.equal(clock.pending(), 0, 'no timer armed');
  clock.advance(3600);
  await flush();
  t.equal(host.tableReads, 0);
});

t.test('a flap: ENETDOWN is one link-down notice; the ticker sees it up again and stops', async (t) => {
  const { clock, host, socket, errors, link, frames } = setup();
  host.rows.set(socket.inode, [7, false]);
  socket.ready!(Errno.ENETDOWN);
  await flush();
  t.same(
    errors.map((e) => [e.code, e.fatal]),
    [['link-down', false]],
  );
  t.equal(link.up, false);
  t.equal(clock.pending(), 1, 'one ticker, while the link is down');
  clock.advance(1);
  await flush();
  t.equal(errors.length, 1, 'still down: no second notice');
  host.rows.set(socket.inode, [7, true]);
  clock.advance(1);
  await flush();
  t.equal(link.up, true, 'up again on the same socket');
  t.equal(clock.pending(), 0, 'the ticker stopped');
  t.equal(host.sockets.length, 1, 'no new socket for a flap');
  socket.arrive(lsoe(MAC), PacketType.host);
  t.equal(frames.length, 1, 'frames flow after the flap');
});

t.test('a vanished interface is one fatal error; the socket is closed', async (t) => {
  const { clock, host, socket, errors, link } = setup();
  host.rows.set(socket.inode, [-1, false]);
  socket.ready!(Errno.ENETDOWN);
  await flush();
  t.same(
    errors.map((e) => [e.code, e.fatal]),
    [
      ['link-down', false],
      ['vanished', true],
    ],
  );
  t.equal(socket.closed, true);
  t.equal(clock.pending(), 0);
  link.send(PEER, Buffer.alloc(1));
  t.equal(errors.at(-1)!.code, 'send-failed', 'sending on a closed link is an error, not a throw');
});

t.test('a socket missing from the table is replaced', async (t) => {
  const { clock, host, socket, frames } = setup();
  host.rows.delete(socket.inode);
  socket.ready!(Errno.ENETDOWN);
  await flush();
  t.equal(socket.closed, true, 'the lost socket is released');
  t.equal(host.sockets.length, 2);
  const next = host.sockets[1]!;
  t.same(next.groups, [HELLO_MULTICAST], 'the new socket joins the group again');
  clock.advance(1);
  await flush();
  next.arrive(lsoe(MAC), PacketType.host);
  t.equal(frames.length, 1);
});

t.test('frames sent one after another: each whole, padded with zeros, whatever was sent before', async (t) => {
  const { socket, link, errors } = setup();
  const long = Buffer.alloc(1500 - 14, 0xab);
  link.send(PEER, long);
  link.send(HELLO_MULTICAST, Buffer.from('0102', 'hex'));
  link.send(PEER, Buffer.alloc(2000, 0xcd)); // longer than the first buffer
  link.send(PEER, Buffer.from('03', 'hex'));
  t.same(errors, []);
  t.same(
    socket.sent.map((f) => f.length),
    [1500, 60, 2014, 60],
  );
  t.same(socket.sent[0], buildEthernet(PEER, MAC, 0x88b5, long), 'the long frame');
  t.same(socket.sent[1], buildEthernet(HELLO_MULTICAST, MAC, 0x88b5, Buffer.from('0102', 'hex'), 60), 'the short one: zero padding, nothing of the long one');
  t.same(socket.sent[3], buildEthernet(PEER, MAC, 0x88b5, Buffer.from('03', 'hex'), 60));
  link.send('not a mac', Buffer.from('04', 'hex'));
  t.match(errors[0], { code: 'send-failed' }, 'a bad destination is reported, nothing sent');
  t.equal(socket.sent.length, 4);
});

t.test('a send that finds the link down is an error and asks for a check', async (t) => {
  const { host, socket, errors, link, clock } = setup();
  socket.sendErrno = Errno.ENETDOWN;
  host.rows.set(socket.inode, [7, false]);
  link.send(PEER, Buffer.alloc(1));
  await flush();
  t.same(
    errors.map((e) => e.code),
    ['send-failed', 'link-down'],
  );
  t.match(errors[0]!.message, /link is down/);
  t.equal(clock.pending(), 1, 'watched until up');
});

t.test('opening: a down interface is refused unless allowed; errno maps to the error codes', async (t) => {
  const host = new ScriptedHost();
  const clock = new FakeClock();
  t.throws(() => openPacketLink(host, { ifname: 'x', ifindex: 3, mac: MAC, up: false }, clock), { code: 'link-down' });
  const down = openPacketLink(host, { ifname: 'x', ifindex: 3, mac: MAC, up: false, allowDown: true }, clock);
  t.equal(down.up, false);
  t.equal(clock.pending(), 1, 'watched until up');
  host.rows.set(host.sockets.at(-1)!.inode, [3, true]);
  clock.advance(1);
  await flush();
  t.equal(down.up, true);
  host.refuse = Errno.EPERM;
  t.throws(() => openPacketLink(host, { ifname: 'x', ifindex: 3, mac: MAC }, clock), { code: 'permission' });
  host.refuse = Errno.ENODEV;
  t.throws(() => openPacketLink(host, { ifname: 'x', ifindex: 3, mac: MAC }, clock), { code: 'no-such-interface' });
});

t.test('one table read per tick for every link', async (t) => {
  const host = new ScriptedHost();
  const clock = new FakeClock();
  const ticker = new HealthTicker(() => host.readPacketTable(), clock);
  const seen: string[] = [];
  for (const inode of ['1', '2', '3']) {
    host.rows.set(inode, [Number(inode), false]);
    ticker.watch({ inode, ifindex: Number(inode), applyHealth: (h) => (seen.push(`${inode}:${h}`), true) });
  }
  clock.advance(1);
  await flush();
  t.equal(host.tableReads, 1);
  t.same(seen, ['1:down', '2:down', '3:down']);
});

t.test('a monitor link: its filter asked for, every packet type and its EtherTypes, VLAN IDs, the kernel time', async (t) => {
  const host = new ScriptedHost();
  const link = openPacketLink(host, { ifname: 'eth7', ifindex: 7, mac: MAC, monitor: { ethertypes: [0x88b5, 0x8885], direction: 'inout', promiscuous: true } }, new FakeClock());
  const socket = host.sockets[0]!;
  t.match(socket.request, { ifindex: 7, monitor: { promiscuous: true } });
  t.ok(socket.request.monitor!.filter.length > 0, 'with a BPF program');
  t.same(socket.groups, [], 'no group joined: promiscuous, or sniff -p joins it');
  const frames: ReceivedFrame[] = [];
  link.onFrame((f) => frames.push(f));
  socket.arrive(lsoe(PEER, MAC), PacketType.outgoing, 1000.000001);
  socket.arrive(lsoe('02:00:00:00:00:99'), PacketType.otherHost, 1000.5);
  socket.arrive(buildEthernet(MAC, PEER, 0x8885, Buffer.from('01', 'hex')), PacketType.host, 1001);
  socket.arrive(buildEthernet(MAC, PEER, 0x8100, Buffer.from('000588b50102', 'hex')), PacketType.host, 1002);
  socket.arrive(buildEthernet(MAC, PEER, 0x0800, Buffer.alloc(4)), PacketType.host, 1003);
  t.same(
    frames.map((f) => [f.src, f.dst, f.ethertype, f.time, f.vlan ?? null]),
    [
      [MAC, PEER, 0x88b5, 1000.000001, null],
      [PEER, '02:00:00:00:00:99', 0x88b5, 1000.5, null],
      [PEER, MAC, 0x8885, 1001, null],
      [PEER, MAC, 0x88b5, 1002, [5]],
    ],
    'own frames and other stations’ too, with the time the kernel gave; other EtherTypes ignored',
  );
  t.equal(link.stats().ignored, 1);
});

t.test('pause: no reads, the socket queues and counts drops; readQueued reads while paused; behind says so', async (t) => {
  const host = new ScriptedHost(3 * (60 + 256));
  const link = openPacketLink(host, { ifname: 'eth7', ifindex: 7, mac: MAC, monitor: { ethertypes: [0x88b5], direction: 'inout', promiscuous: true } }, new FakeClock());
  const socket = host.sockets[0]!;
  const frames: ReceivedFrame[] = [];
  link.onFrame((f) => frames.push(f));
  const frame = (n: number) => Buffer.concat([lsoe(MAC), Buffer.alloc(60 - 16, n)]);
  link.pause(true);
  t.ok(socket.paused, 'the socket is no longer watched');
  t.ok(link.behind);
  t.same([1, 2, 3, 4].map((n) => socket.arrive(frame(n), PacketType.host, n)), [true, true, true, false], 'the fourth does not fit');
  await flush();
  t.equal(frames.length, 0, 'nothing read while paused');
  t.equal(link.stats().dropped, 1, 'the kernel’s drop is counted');
  t.equal(link.readQueued(1), true, 'one read, more waiting');
  t.same(frames.map((f) => f.time), [1]);
  link.pause(false);
  await flush();
  t.same(frames.map((f) => f.time), [1, 2, 3], 'the rest, in order, once resumed');
  t.notOk(link.behind, 'caught up');
});
