import t from 'tap';
import { promises as fs, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startControlServer } from '../../src/ctl/server.js';
import { connectControl, ControlError } from '../../src/ctl/client.js';
import { InMemoryDaemonCore, session } from './in-memory-core.js';
import { RawLineClient } from './raw-client.js';
import { tempSocketPath } from './tmp-socket.js';
import type { Counters, DaemonEvent } from '../../src/daemon/core.js';
import type { BgpEvent } from '../../src/daemon/bgp-northbound.js';

/** A real event's shape (docs/schema/event.schema.json); `pad` lengthens its reason. */
function event(n: number, pad = ''): DaemonEvent {
  return {
    event: 'session-down',
    time: '2026-11-21T00:00:00.000Z',
    ifname: `eth${n}`,
    peerMac: '02:00:00:00:00:01',
    peerId: null,
    reason: `keepalive timeout${pad}`,
  };
}

t.test('every query method answers with what the core holds, rebuilt field by field', async (t) => {
  const core = new InMemoryDaemonCore();
  const internal = { ...session({ ifname: 'eth1', peerMac: '02:00:00:00:00:01' }), fsmState: 'secret' };
  core.sessionList = [internal];
  core.learned = [
    {
      ifname: 'eth1',
      peerMac: '02:00:00:00:00:01',
      peerId: 'aa',
      type: 'MPLS_IPV4_ENCAPSULATION',
      encaps: [{ address: '10.0.0.1', prefixLength: 31, primary: true, loopback: false, labels: ['00fa01'] }],
    },
  ];
  core.announced = [{ ifname: 'eth1', type: 'IPV6_ENCAPSULATION', encaps: [] }];
  core.counterValues = { framesReceived: 3 } as Counters;
  core.configValues = { 'hello-interval': 60 };
  core.versionText = '9.9.9';
  const file = tempSocketPath(t);
  const server = await startControlServer(core, { path: file });
  t.teardown(() => server.close());
  const c = await connectControl(file);
  t.teardown(() => c.close());

  const sessions = await c.request<Array<Record<string, unknown>>>('sessions');
  t.same(sessions, [session({ ifname: 'eth1', peerMac: '02:00:00:00:00:01' })]);
  t.notOk('fsmState' in sessions[0]!, 'internal fields do not leak');
  t.same(await c.request('encaps.learned'), core.learned);
  t.same(await c.request('encaps.announced'), core.announced);
  t.same(await c.request('counters'), { framesReceived: 3 });
  t.same(await c.request('config'), { 'hello-interval': 60 });
  t.same(await c.request('version'), { version: '9.9.9' });
});

t.test('the socket file is 0660 and carries the configured group', async (t) => {
  const file = tempSocketPath(t);
  const server = await startControlServer(new InMemoryDaemonCore(), { path: file, group: '4242' });
  t.teardown(() => server.close());
  const st = await fs.stat(file);
  t.ok(st.isSocket());
  t.equal(st.mode & 0o777, 0o660);
  t.equal(st.gid, 4242);
});

t.test('an unknown group is refused before anything listens', async (t) => {
  const file = tempSocketPath(t);
  await t.rejects(startControlServer(new InMemoryDaemonCore(), { path: file, group: `nogrp${process.pid}x` }), {
    message: /unknown group/,
  });
  await t.rejects(fs.stat(file), { code: 'ENOENT' });
});

t.test('bad requests get error answers and the server keeps serving', async (t) => {
  const core = new InMemoryDaemonCore();
  const file = tempSocketPath(t);
  const server = await startControlServer(core, { path: file });
  t.teardown(() => server.close());
  const c = await RawLineClient.connect(file);
  t.teardown(() => c.close());

  c.send('this is not json\n');
  t.match(await c.next(), { id: null, error: { code: 'parse-error' } });
  c.send('[1,2]\n');
  t.match(await c.next(), { id: null, error: { code: 'parse-error' } });
  c.send('{"id":7}\n');
  t.match(await c.next(), { id: 7, error: { code: 'invalid-request' } });
  c.send('{"id":{"x":1},"method":"version"}\n');
  t.match(await c.next(), { id: null, error: { code: 'invalid-request' } });
  c.send('{"id":8,"method":"version","params":[1]}\n');
  t.match(await c.next(), { id: 8, error: { code: 'invalid-request' } });
  t.match(await c.request('launch-missiles', 9), { id: 9, error: { code: 'unknown-method', message: /launch-missiles/ } });
  c.send('{"id":10,"method":"version","pad":"' + 'x'.repeat(70 * 1024) + '"}\n');
  t.match(await c.next(), { id: null, error: { code: 'request-too-long' } });

  core.failWith = new Error('disk on fire');
  t.match(await c.request('sessions', 11), { id: 11, error: { code: 'internal-error', message: /disk on fire/ } });
  core.failWith = undefined;

  // Same connection and a new one are both still answered.
  t.same(await c.request('version', 'after'), { id: 'after', result: { version: '0.0.0-test' } });
  const other = await connectControl(file);
  t.teardown(() => other.close());
  t.same(await other.request('version'), { version: '0.0.0-test' });
});

t.test('requests split across writes and several per write are all answered in order', async (t) => {
  const file = tempSocketPath(t);
  const server = await startControlServer(new InMemoryDaemonCore(), { path: file });
  t.teardown(() => server.close());
  const c = await RawLineClient.connect(file);
  t.teardown(() => c.close());
  c.send('{"id":1,"meth');
  await new Promise((r) => setTimeout(r, 20));
  c.send('od":"version"}\r\n{"id":2,"method":"sessions"}\n\n{"id":3,"method":"counters"}\n');
  t.match(await c.next(), { id: 1, result: { version: '0.0.0-test' } });
  t.match(await c.next(), { id: 2, result: [] });
  t.match(await c.next(), { id: 3, result: {} });
});

t.test('subscribers get events; others and unsubscribed clients do not', async (t) => {
  const core = new InMemoryDaemonCore();
  const file = tempSocketPath(t);
  const server = await startControlServer(core, { path: file });
  t.teardown(() => server.close());
  const sub = await connectControl(file);
  const quiet = await RawLineClient.connect(file);
  t.teardown(() => {
    sub.close();
    quiet.close();
  });
  const got: unknown[] = [];
  sub.onEvent((e) => got.push(e));
  t.same(await sub.request('subscribe'), { subscribed: true });
  core.emit({ ...event(1), reason: 'hold timer', internal: undefined });
  core.emit({ ...event(2), event: 'session-down' });
  await sub.request('version'); // answers come after the events written before them
  t.same(got, [
    { ...event(1), reason: 'hold timer' },
    { ...event(2), event: 'session-down' },
  ]);
  t.same(await sub.request('unsubscribe'), { subscribed: false });
  core.emit(event(3));
  await sub.request('version');
  t.equal(got.length, 2, 'no event after unsubscribe');
  // The quiet client's first line is the answer to its own request: no event came before it.
  t.match(await quiet.request('version', 'q'), { id: 'q' });
});

t.test("event topics: sessions by default, the BGP northbound's with topics [bgp]; anything else is bad-params", async (t) => {
  const core = new InMemoryDaemonCore();
  const file = tempSocketPath(t);
  const bgpListeners = new Set<(e: BgpEvent) => void>();
  const server = await startControlServer(core, {
    path: file,
    extensions: { subscribeBgp: (l) => (bgpListeners.add(l), () => bgpListeners.delete(l)) },
  });
  t.teardown(() => server.close());
  const sessions = await RawLineClient.connect(file);
  const bgp = await RawLineClient.connect(file);
  const both = await RawLineClient.connect(file);
  t.teardown(() => [sessions, bgp, both].forEach((c) => c.close()));
  t.match(await sessions.request('subscribe', 1), { result: { subscribed: true } });
  t.match(await bgp.request('subscribe', 1, { topics: ['bgp'] }), { result: { subscribed: true } });
  t.match(await both.request('subscribe', 1, { topics: ['sessions', 'bgp'] }), { result: { subscribed: true } });
  t.equal(bgpListeners.size, 1, 'the server follows the northbound once, for every client');
  const state: BgpEvent = { event: 'bgp-state', time: '2026-11-21T00:00:00.000Z', peer: '192.0.2.1:179', state: 'established', previous: 'open-confirm', lastError: null };
  const sent: BgpEvent = { event: 'bgp-sent', time: '2026-11-21T00:00:01.000Z', peer: '192.0.2.1:179', announced: 0, withdrawn: 3, held: 2 };
  core.emit(event(1));
  for (const l of bgpListeners) l(state);
  for (const l of bgpListeners) l(sent);
  // each client's next answer comes after the events written before it; the raw client checks every line against the schema
  t.same((await sessions.linesUntil('version', 2)).map((x) => x.event ?? 'answer'), ['session-down', 'answer'], 'sessions only');
  t.same((await bgp.linesUntil('version', 2)).map((x) => x.event ?? 'answer'), ['bgp-state', 'bgp-sent', 'answer'], 'bgp only');
  t.same((await both.linesUntil('version', 2)).map((x) => x.event ?? 'answer'), ['session-down', 'bgp-state', 'bgp-sent', 'answer'], 'both');
  for (const topics of [['routes'], [], 'bgp']) {
    t.match(await bgp.request('subscribe', 3, { topics }), { error: { code: 'bad-params', message: 'subscribe: topics must be a non-empty list of sessions, bgp' } }, `topics ${JSON.stringify(topics)} refused`);
  }
  await server.close();
  t.equal(bgpListeners.size, 0, 'closing the server lets go of the northbound');
});

t.test('a client that vanishes mid-stream leaves the daemon serving', async (t) => {
  const core = new InMemoryDaemonCore();
  const file = tempSocketPath(t);
  const server = await startControlServer(core, { path: file });
  t.teardown(() => server.close());
  for (let i = 0; i < 5; i++) {
    const c = await RawLineClient.connect(file);
    c.send('{"id":1,"method":"subscribe"}\n{"id":2,"method":"sessions"}\n');
    c.socket.destroy(); // gone without reading anything or unsubscribing
    core.emit(event(i, 'x'.repeat(10000)));
  }
  const c = await connectControl(file);
  t.teardown(() => c.close());
  const got: unknown[] = [];
  c.onEvent((e) => got.push(e));
  await c.request('subscribe');
  core.emit(event(42));
  t.same(await c.request('version'), { version: '0.0.0-test' });
  t.same(got, [event(42)]);
});

t.test('a subscriber that never reads does not hold up the daemon or other clients', async (t) => {
  const core = new InMemoryDaemonCore();
  const file = tempSocketPath(t);
  const eventBacklog = 64 * 1024;
  const server = await startControlServer(core, { path: file, eventBacklogBytes: eventBacklog });
  t.teardown(() => server.close());
  const slow = await RawLineClient.connect(file);
  t.teardown(() => slow.close());
  t.match(await slow.request('subscribe'), { result: { subscribed: true } });
  slow.socket.pause(); // from here on it reads nothing until told

  // Another subscriber that does read, and a plain client.
  const fast = await connectControl(file);
  t.teardown(() => fast.close());
  const fastGot: Array<Record<string, unknown>> = [];
  fast.onEvent((e) => fastGot.push(e as unknown as Record<string, unknown>));
  await fast.request('subscribe');
  const other = await RawLineClient.connect(file);
  t.teardown(() => other.close());

  // Far more than the backlog plus what the kernel will hold for the slow reader.
  const total = 400;
  const pad = 'p'.repeat(8 * 1024);
  const lineBytes = JSON.stringify(event(0, pad)).length + 1;
  // In small bursts, each followed by a round trip of the reading subscriber (answers come
  // after the events written before them), so it always keeps up. Emitting returns at once
  // every time: nothing waits for the slow reader.
  for (let i = 0; i < total; i += 4) {
    for (let j = i; j < i + 4; j++) core.emit(event(j, pad));
    await fast.request('version');
  }

  // While the slow one still reads nothing: the others are served in full.
  t.match(await other.request('version', 'o'), { id: 'o', result: { version: '0.0.0-test' } }, 'a plain client is answered');
  t.same(await fast.request('version'), { version: '0.0.0-test' }, 'a reading subscriber is answered');
  t.equal(fastGot.length, total, 'the reading subscriber got every event');
  t.notOk(fastGot.some((e) => e.event === 'events-dropped'), 'with no drop marker');
  t.same(fastGot.map((e) => e.ifname), Array.from({ length: total }, (_, i) => `eth${i}`), 'in order');
  t.notOk(slow.closed, 'the slow subscriber is not disconnected for being slow');

  slow.socket.resume();
  let received = 0;
  let dropped = 0;
  let bytesBeforeMarker = 0;
  let firstMarkerAt = -1;
  // Every event is either delivered or counted in a marker; the marker comes once the backlog drains.
  while (received + dropped < total) {
    const line = await slow.next();
    if (line.event === 'events-dropped') {
      if (firstMarkerAt < 0) firstMarkerAt = received;
      dropped += line.dropped as number;
    } else {
      t.equal(line.ifname, `eth${received}`, 'delivered events keep their order, oldest first');
      if (firstMarkerAt < 0) bytesBeforeMarker += lineBytes;
      received++;
    }
  }
  t.ok(dropped > 0, `some events were dropped (${dropped})`);
  t.ok(firstMarkerAt > 0, `the marker came after the ${firstMarkerAt} events that were buffered`);
  // What was held for the slow reader is bounded: the daemon's backlog plus the kernel's
  // socket buffers (counted generously: twice the default) and the line that crossed the
  // bound; never the whole stream (${total} lines of ${lineBytes} bytes).
  const kernelBuffer = Number(readFileSync('/proc/sys/net/core/wmem_default', 'utf8'));
  const bound = eventBacklog + 2 * kernelBuffer + lineBytes;
  t.ok(bound < (total * lineBytes) / 2, 'the bound means something');
  t.ok(bytesBeforeMarker <= bound, `buffered for the slow reader: ${bytesBeforeMarker} bytes <= ${bound}`);
  // After catching up the stream goes on normally.
  core.emit(event(total, 'end'));
  t.match(await slow.next(), { ifname: `eth${total}` });
  t.equal(received + dropped, total, 'every event was either delivered or counted as dropped');
});

t.test('a client that never reads its answers is disconnected, not buffered forever', async (t) => {
  const core = new InMemoryDaemonCore();
  core.sessionList = Array.from({ length: 200 }, (_, i) =>
    session({ ifname: `eth${i}`, peerMac: '02:00:00:00:00:01', peerId: 'ab'.repeat(10) }),
  );
  const file = tempSocketPath(t);
  const server = await startControlServer(core, { path: file, eventBacklogBytes: 16 * 1024, maxBacklogBytes: 256 * 1024 });
  t.teardown(() => server.close());
  const hog = await RawLineClient.connect(file);
  hog.socket.pause();
  // One write holding many requests: the server reads them in one chunk.
  hog.send('{"id":1,"method":"sessions"}\n'.repeat(2000));
  await new Promise((r) => setTimeout(r, 200));
  // Reading now drains what the kernel held, then hits the close.
  hog.socket.resume();
  await hog.waitClosed();
  t.ok(hog.closed, 'the hog was disconnected');
  const c = await connectControl(file);
  t.teardown(() => c.close());
  t.equal((await c.request<unknown[]>('sessions')).length, 200);
});

t.test('starting over a stale socket works; over a live one or a plain file it is refused', async (t) => {
  const file = tempSocketPath(t);
  // A stale socket: a process bound it and was killed, so nobody unlinked it.
  const r = spawnSync(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(file)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  t.equal(r.signal, 'SIGKILL');
  t.ok((await fs.lstat(file)).isSocket(), 'a dead socket file is left behind');
  await t.rejects(connectControl(file), {
    kind: 'no-daemon',
    message: `no daemon listening on ${file} (is lsoe daemon running?)`,
  });

  const first = await startControlServer(new InMemoryDaemonCore(), { path: file });
  await t.rejects(startControlServer(new InMemoryDaemonCore(), { path: file }), {
    message: `another daemon is already listening on ${file}`,
  });
  await first.close();
  await t.rejects(fs.lstat(file), { code: 'ENOENT' }, 'close removes the socket file');

  const plain = tempSocketPath(t, 'plain');
  writeFileSync(plain, 'keep me');
  await t.rejects(startControlServer(new InMemoryDaemonCore(), { path: plain }), { message: /not a socket/ });
  t.equal(await fs.readFile(plain, 'utf8'), 'keep me');
});

t.test('close disconnects clients and drops the core subscription', async (t) => {
  const core = new InMemoryDaemonCore();
  const file = tempSocketPath(t);
  const server = await startControlServer(core, { path: file });
  t.equal(core.subscriberCount, 1);
  const c = await connectControl(file);
  const closed = new Promise<ControlError | undefined>((r) => c.onClose(r));
  await server.close();
  const err = await closed;
  t.equal(err?.kind, 'closed');
  t.equal(core.subscriberCount, 0);
  await t.rejects(c.request('version'), new ControlError('closed', `the daemon on ${file} closed the connection`));
});

t.test('a request the daemon never answers fails after the timeout; the stream itself is not timed', async (t) => {
  const core = new InMemoryDaemonCore();
  const file = tempSocketPath(t);
  const server = await startControlServer(core, { path: file });
  t.teardown(() => server.close());
  // A subscriber with a short limit: once subscribed, silence longer than the limit is fine.
  const sub = await connectControl(file, { timeoutMs: 300 });
  t.teardown(() => sub.close());
  const got: unknown[] = [];
  sub.onEvent((e) => got.push(e));
  await sub.request('subscribe');
  await new Promise((r) => setTimeout(r, 700));
  core.emit(event(1));
  t.same(await sub.request('version'), { version: '0.0.0-test' }, 'still connected after a silent stretch');
  t.same(got, [event(1)]);

  // A socket that accepts and reads but never answers.
  const mutePath = tempSocketPath(t, 'mute.sock');
  const net = await import('node:net');
  const held: import('node:net').Socket[] = [];
  const mute = net.createServer((s) => {
    held.push(s);
    s.resume();
  });
  await new Promise<void>((r) => mute.listen(mutePath, () => r()));
  t.teardown(() => {
    for (const s of held) s.destroy();
    mute.close();
  });
  const c = await connectControl(mutePath, { timeoutMs: 200 });
  const closed = new Promise<ControlError | undefined>((r) => c.onClose(r));
  await t.rejects(c.request('sessions'), {
    kind: 'timeout',
    message: `daemon at ${mutePath} did not answer within 0.2 s`,
  });
  t.equal((await closed)?.kind, 'timeout', 'the connection is given up');
});

t.test('client errors say what is wrong with the socket', async (t) => {
  const missing = tempSocketPath(t);
  await t.rejects(connectControl(missing), {
    kind: 'no-daemon',
    message: `no daemon listening on ${missing} (is lsoe daemon running?)`,
  });
});
