// The libpcap link and the kernel-driven interface monitor on real veth pairs
// in network namespaces (root only). Each PcapLink runs in a probe process
// inside its namespace (test/helpers/link-probe.ts) and reports as JSON lines.
import t from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, createVethPair, rootOrSkip, spawnNode, type TeardownHost } from '../helpers/netns.js';
import { helpers, Probe, startProbe } from '../helpers/probe-client.js';

const HELLO_DST = '01:80:c2:00:00:0e';

async function pair(t: TeardownHost) {
  const [a, b] = await createVethPair(t, await createNetns(t, 'a'), await createNetns(t, 'b'));
  return { a, b };
}

t.test('endpoint links exchange multicast and unicast frames; own, foreign and other-EtherType frames stay out', async (t) => {
  if (!rootOrSkip(t)) return;
  const { a, b } = await pair(t);
  const pa = await startProbe(t, a.ns, { ifname: a.ifname });
  const pb = await startProbe(t, b.ns, { ifname: b.ifname });
  const other = await startProbe(t, a.ns, { ifname: a.ifname, ethertype: 0x88b6 });
  t.match(pa.events()[0], { event: 'ready', mac: a.mac });
  t.notOk(pa.proc.stderr, 'libpcap warnings do not reach the terminal');
  t.match(pa.events()[0]!.warnings, [/no IPv4 address/], 'they are kept instead');

  pa.send(HELLO_DST, '0080000b00000000000001');
  const hello = await pb.until((e) => e.event === 'frame');
  t.match(hello, { ifname: b.ifname, dst: HELLO_DST, src: a.mac, ethertype: 0x88b5 });
  t.ok(hello.payload.startsWith('0080000b00000000000001'));
  t.equal(hello.raw.length / 2, 60, 'short frames are padded to 60 octets');
  t.ok(hello.time > 1e9, 'capture time in epoch seconds');

  pa.send('02:00:00:00:99:99', '02'); // unicast for nobody here
  other.send(HELLO_DST, '03'); // another EtherType
  pa.send(b.mac, '04'); // unicast for b, after them on the same wire
  await pb.until((e) => e.event === 'frame' && e.payload.startsWith('04'));
  t.same(
    pb.frames().map((f) => f.payload.slice(0, 2)),
    ['00', '04'],
    'b got the HELLO and its unicast only',
  );

  pb.send(a.mac, '05');
  await pa.until((e) => e.event === 'frame' && e.payload.startsWith('05'));
  t.same(
    pa.frames().map((f) => [f.src, f.payload.slice(0, 2)]),
    [[b.mac, '05']],
    'a never hears its own frames',
  );
  pb.command({ stats: true });
  t.match(await pb.until((e) => e.event === 'stats'), { received: 2, dropped: 0 });
});

t.test('monitor mode sees both directions', async (t) => {
  if (!rootOrSkip(t)) return;
  const { a, b } = await pair(t);
  const mon = await startProbe(t, a.ns, { ifname: a.ifname, mode: 'monitor' });
  const pa = await startProbe(t, a.ns, { ifname: a.ifname });
  const pb = await startProbe(t, b.ns, { ifname: b.ifname });
  pa.send(HELLO_DST, '01');
  await pb.until((e) => e.event === 'frame');
  pb.send(a.mac, '02');
  await pa.until((e) => e.event === 'frame');
  await mon.until((e) => e.event === 'frame' && e.src === b.mac);
  t.same(
    mon.frames().map((f) => [f.src, f.dst]),
    [
      [a.mac, HELLO_DST],
      [b.mac, a.mac],
    ],
  );
});

t.test('opening a missing interface fails with no-such-interface', async (t) => {
  if (!rootOrSkip(t)) return;
  const ns = await createNetns(t, 'm');
  const p = await startProbe(t, ns, { ifname: 'nosuch0' });
  t.match(p.events()[0], { event: 'open-failed', code: 'no-such-interface', message: 'nosuch0: no such interface' });
  t.equal((await p.proc.exited).code, 1);
});

t.test('link down: send fails as an event; interface deleted: a fatal vanished event, no crash', async (t) => {
  if (!rootOrSkip(t)) return;
  const { a, b } = await pair(t);
  const pa = await startProbe(t, a.ns, { ifname: a.ifname });
  await a.ns.ip(['link', 'set', a.ifname, 'down']);
  t.match(await pa.until((e) => e.event === 'error'), { code: 'link-down', fatal: false }, 'the link notices');
  pa.send(b.mac, '01');
  t.match(await pa.until((e) => e.code === 'send-failed'), { fatal: false, message: /the link is down/ });
  await a.ns.ip(['link', 'set', a.ifname, 'up']);
  await a.ns.ip(['link', 'del', a.ifname]);
  t.match(await pa.until((e) => e.event === 'error' && e.code === 'vanished'), { fatal: true, message: `${a.ifname}: interface vanished` });
  pa.command({ close: true });
  t.equal((await pa.proc.exited).code, 0, 'the process is still alive and exits normally');
});

t.test('the interface monitor reports kernel changes', async (t) => {
  if (!rootOrSkip(t)) return;
  const { a } = await pair(t);
  const w = new Probe(spawnNode(t, a.ns, path.join(helpers, 'interface-watch.js')));
  const ready = await w.until((e) => e.event === 'ready');
  t.ok(ready.interfaces.includes(a.ifname));
  await a.ns.ip(['addr', 'add', '10.77.0.1/31', 'dev', a.ifname]);
  t.ok(await w.until((e) => e.type === 'address-added' && e.address === '10.77.0.1/31'));
  await a.ns.ip(['link', 'set', a.ifname, 'down']);
  t.ok(await w.until((e) => e.type === 'link-down' && e.ifname === a.ifname));
  await a.ns.ip(['link', 'set', a.ifname, 'up']);
  t.ok(await w.until((e) => e.type === 'link-up' && e.ifname === a.ifname));
  await a.ns.ip(['addr', 'del', '10.77.0.1/31', 'dev', a.ifname]);
  t.ok(await w.until((e) => e.type === 'address-removed' && e.address === '10.77.0.1/31'));
  await a.ns.ip(['link', 'del', a.ifname]);
  t.ok(await w.until((e) => e.type === 'removed' && e.ifname === a.ifname));
  t.notOk(w.events().some((e) => e.event === 'error'));
});

t.test('a capture whose poll stops while the link stays up is replaced, without a link-down notice', async (t) => {
  if (!rootOrSkip(t)) return;
  const { a, b } = await pair(t);
  const pa = await startProbe(t, a.ns, { ifname: a.ifname });
  const deaf = spawnNode(t, b.ns, path.join(path.dirname(fileURLToPath(import.meta.url)), 'deaf-probe.js'), [b.ifname]);
  await deaf.waitFor('"ready"');
  pa.send(b.mac, '01');
  await deaf.waitFor('"payload":"01');
  deaf.write('deafen\n');
  await deaf.waitFor('"deaf"');
  // Frames keep coming (as LSOE keepalives do); one of them must get through.
  let n = 2;
  const sender = setInterval(() => pa.send(b.mac, (n++ % 256).toString(16).padStart(2, '0')), 50);
  t.teardown(() => clearInterval(sender));
  await deaf.waitFor('"reopened"');
  const after = deaf.stdout.length;
  await deaf.waitFor((out) => out.slice(after).includes('"frame"'));
  clearInterval(sender);
  t.notMatch(deaf.stdout, /"error"/, 'no error: the interface never went down');
  deaf.write('exit\n');
  t.equal((await deaf.exited).code, 0);
});

t.test('a link flap: a notice, then frames flow again on the same link', async (t) => {
  if (!rootOrSkip(t)) return;
  const { a, b } = await pair(t);
  const pa = await startProbe(t, a.ns, { ifname: a.ifname });
  const pb = await startProbe(t, b.ns, { ifname: b.ifname, checkInterval: 100 });
  pa.send(b.mac, '01');
  await pb.until((e) => e.event === 'frame' && e.payload.startsWith('01'));
  await b.ns.ip(['link', 'set', b.ifname, 'down']);
  t.match(await pb.until((e) => e.event === 'error'), { code: 'link-down', fatal: false });
  await b.ns.ip(['link', 'set', b.ifname, 'up']);
  // The probe reopens within a check interval; keep sending until a frame gets through.
  let n = 2;
  const sender = setInterval(() => pa.send(b.mac, (n++ % 256).toString(16).padStart(2, '0')), 50);
  t.teardown(() => clearInterval(sender));
  await pb.until((e) => e.event === 'frame' && !e.payload.startsWith('01'));
  clearInterval(sender);
  t.equal(pb.events().filter((e) => e.event === 'error' && e.fatal).length, 0, 'no fatal error');
  pb.command({ stats: true });
  t.match(await pb.until((e) => e.event === 'stats'), { received: Number });
});
