// Answers in pieces (several lines, "more": true on all but the last), a handler whose
// answer cannot be serialised, and the cap on concurrent connections.
import t from 'tap';
import { buildConfig, configToRecord } from '../../src/daemon/config.js';
import { startControlServer } from '../../src/ctl/server.js';
import { connectControl, ControlError } from '../../src/ctl/client.js';
import { answerLines, PieceCollector } from '../../src/ctl/pieces.js';
import type { LearnedEncaps } from '../../src/daemon/core.js';
import { InMemoryDaemonCore, session } from './in-memory-core.js';
import { RawLineClient } from './raw-client.js';
import { tempSocketPath } from './tmp-socket.js';

t.test('answerLines cuts arrays into pieces the collector puts back together', async (t) => {
  const items = Array.from({ length: 1000 }, (_, i) => ({ i, pad: 'x'.repeat(100) }));
  const lines = answerLines(7, items, 10_000);
  t.ok(lines.length > 10, `${lines.length} pieces`);
  const parsed = lines.map((l) => JSON.parse(l) as { id: number; result: unknown[]; more?: boolean });
  t.ok(parsed.slice(0, -1).every((p) => p.more === true && p.id === 7), 'more on all but the last');
  t.equal(parsed.at(-1)!.more, undefined, 'the last has no more');
  t.ok(lines.every((l) => l.length < 10_200), 'each piece near the size asked');
  const c = new PieceCollector(1e9);
  let out: unknown;
  for (const p of parsed) {
    const r = c.add(p.result, p.more === true, 1);
    if (r.done) out = r.result;
  }
  t.same(out, items);
  t.same(answerLines(1, { a: 1 }), ['{"id":1,"result":{"a":1}}\n'], 'a non-array is one line');
  t.same(answerLines(1, []), ['{"id":1,"result":[]}\n'], 'an empty array is one line');
  t.throws(() => new PieceCollector(10).add([1], true, 11), /longer than 10/);
  t.throws(() => new PieceCollector(1e6).add({}, true, 1).done && 0, /not an array/);
});

t.test('a huge answer reaches the client in pieces, with other requests in order', async (t) => {
  const core = new InMemoryDaemonCore();
  // ~2.5 MB of JSON here (the raw reader is slow); ~20 MB below
  const encaps = Array.from({ length: 10_000 }, (_, i) => ({ address: `10.0.${i >> 8}.${i & 255}`, prefixLength: 32, primary: false, loopback: false }));
  const learned = (n: number) => Array.from({ length: n }, (_, i): LearnedEncaps => ({ ifname: `eth${i}`, peerMac: '02:00:00:00:00:01', peerId: null, type: 'IPV4_ENCAPSULATION', encaps }));
  core.learned = learned(4);
  core.sessionList = [session({ ifname: 'eth0', peerMac: '02:00:00:00:00:01' })];
  const file = tempSocketPath(t);
  const server = await startControlServer(core, { path: file });
  t.teardown(() => server.close());

  const raw = await RawLineClient.connect(file);
  t.teardown(() => raw.close());
  raw.send('{"id":1,"method":"encaps.learned"}\n{"id":2,"method":"sessions"}\n');
  let pieces = 0;
  for (;;) {
    const line = await raw.next();
    t.equal(line.id, 1, 'pieces of the first answer come before the second answer');
    pieces++;
    if (line.more !== true) break;
  }
  t.equal(pieces, 4, "one piece per element, each larger than a piece");
  t.match(await raw.next(), { id: 2, result: [{ ifname: 'eth0' }] }, 'then the next answer');

  // more than the client's line limit (16 MiB) in one answer
  core.learned = learned(30);
  const c = await connectControl(file);
  t.teardown(() => c.close());
  const all = await c.request<LearnedEncaps[]>('encaps.learned');
  t.equal(all.length, 30, 'the client reassembles every piece');
  t.equal(all[29]!.encaps.length, 10_000);
  t.equal((await c.request<unknown[]>('sessions')).length, 1, 'and carries on');
});

t.test('an answer that cannot be serialised is an error line; the server keeps serving', async (t) => {
  const core = new InMemoryDaemonCore();
  core.sessionList = [{ ...session({ ifname: 'eth0', peerMac: '02:00:00:00:00:01' }), counters: { txPdus: 10n } } as never];
  const file = tempSocketPath(t);
  const server = await startControlServer(core, { path: file });
  t.teardown(() => server.close());
  const raw = await RawLineClient.connect(file);
  t.teardown(() => raw.close());
  core.configValues = { big: 1n } as never;
  t.match(await raw.request('config', 1), { id: 1, error: { code: 'internal-error' } });
  // a real configuration, since control.schema.json names every key of one
  core.configValues = configToRecord(buildConfig({}), { 'effective-local-id': '0102030405060708090a' });
  t.match(await raw.request('config', 2), { id: 2, result: { 'hello-interval': 60 } });
});

t.test('max-control-connections: one more is told so and closed', async (t) => {
  const core = new InMemoryDaemonCore();
  const file = tempSocketPath(t);
  const server = await startControlServer(core, { path: file, maxConnections: 3 });
  t.teardown(() => server.close());
  const held = await Promise.all([1, 2, 3].map(() => RawLineClient.connect(file)));
  t.teardown(() => held.forEach((h) => h.close()));
  for (const h of held) t.match(await h.request('version'), { result: { version: String } });
  const extra = await RawLineClient.connect(file);
  t.match(await extra.next(), { id: null, error: { code: 'too-many-connections' } });
  await extra.waitClosed();
  const client = await connectControl(file);
  const refused = await client.request('version').then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(refused instanceof ControlError && refused.kind === 'remote', 'our client says it was refused');
  t.match((refused as Error).message, /refused the connection: more than 3 control connections/);
  held[0]!.close();
  await new Promise((r) => setTimeout(r, 100));
  const again = await connectControl(file);
  t.teardown(() => again.close());
  t.match(await again.request('version'), { version: String }, 'a freed place is taken');
});
