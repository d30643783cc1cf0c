// `lsoe sessions` and `lsoe encaps` run as real processes against a control server
// backed by the in-test DaemonCore double.
import t from 'tap';
import { spawn } from 'node:child_process';
import { startControlServer } from '../../src/ctl/server.js';
import { LSOE_BIN, jsonLines, runLsoeAsync } from '../helpers/run-cli.js';
import { InMemoryDaemonCore, session } from './in-memory-core.js';
import { tempSocketPath } from './tmp-socket.js';
import type { LearnedEncaps } from '../../src/daemon/core.js';

const MAC_A = '02:00:00:00:00:0a';
const MAC_B = '02:00:00:00:00:0b';

async function serve(t: { teardown(fn: () => unknown): void }, core: InMemoryDaemonCore): Promise<string> {
  const file = tempSocketPath(t);
  const server = await startControlServer(core, { path: file });
  t.teardown(() => server.close());
  return file;
}

function coreWithSessions(): InMemoryDaemonCore {
  const core = new InMemoryDaemonCore();
  const since = new Date(Date.now() - 125_000).toISOString();
  core.sessionList = [
    session({ ifname: 'eth2', peerMac: MAC_B, state: 'opening', peerId: null, lastHeard: null, since }),
    session({ ifname: 'eth1', peerMac: MAC_A, since, counters: { txPdus: 7, rxPdus: 9, retransmits: 2, errors: 1 } }),
  ];
  return core;
}

t.test('sessions --json prints the daemon sessions, open first, filters applied', async (t) => {
  const core = coreWithSessions();
  const sock = await serve(t, core);
  const all = await runLsoeAsync(['sessions', '--json', '--socket', sock]);
  t.equal(all.code, 0, all.stderr);
  t.same(jsonLines(all.stdout), [core.sessionList[1], core.sessionList[0]]);

  const byIf = await runLsoeAsync(['sessions', '--json', '-i', 'eth2'], { env: { LSOE_SOCKET: sock } });
  t.same(jsonLines(byIf.stdout), [core.sessionList[0]], 'LSOE_SOCKET is honoured, -i filters');
  const byPeer = await runLsoeAsync(['sessions', '--json', '--peer', '02-00-00-00-00-0A', '--socket', sock]);
  t.same(jsonLines(byPeer.stdout), [core.sessionList[1]], '--peer accepts dashes and upper case');
  const none = await runLsoeAsync(['sessions', '--json', '-i', 'eth9', '--socket', sock]);
  t.same({ code: none.code, stdout: none.stdout }, { code: 0, stdout: '' }, 'no sessions: no lines, exit 0');
});

t.test('sessions table and --summary', async (t) => {
  const sock = await serve(t, coreWithSessions());
  const r = await runLsoeAsync(['sessions', '--socket', sock]);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const rowA = lines.find((l) => l.includes(MAC_A)) ?? '';
  const rowB = lines.find((l) => l.includes(MAC_B)) ?? '';
  t.match(r.stdout, /Interface.*Peer MAC.*Local ID.*State.*Up for.*Last heard.*PDUs tx\/rx.*Retrans/);
  t.match(rowA, /eth1 .*01:02:03:04:05:06:07:08:09:0a.*open .*2m(0[5-9]|[1-5][0-9])s.*7\/9 +2$/);
  t.match(rowB, /eth2 .* - .*opening .* - .* - /);
  t.ok(lines.indexOf(rowA) < lines.indexOf(rowB), 'open sessions first');

  const sum = await runLsoeAsync(['sessions', '--summary', '--socket', sock]);
  t.match(sum.stdout, /^2 sessions: 1 open, 1 opening\n/);
  const sumJson = await runLsoeAsync(['sessions', '--summary', '--json', '--socket', sock]);
  t.same(jsonLines(sumJson.stdout), [
    {
      sessions: 2,
      open: 1,
      opening: 1,
      hopeless: 0,
      heldDown: 0,
      interfaces: [
        { ifname: 'eth1', open: 1, opening: 0, hopeless: 0, heldDown: 0 },
        { ifname: 'eth2', open: 0, opening: 1, hopeless: 0, heldDown: 0 },
      ],
      unmatchedInterfaces: [],
    },
  ]);
  const empty = await runLsoeAsync(['sessions', '-i', 'nope', '--socket', sock]);
  t.equal(empty.stdout, 'no sessions\n');
});

t.test('encaps: learned table and JSON; --local from the daemon', async (t) => {
  const core = new InMemoryDaemonCore();
  const learned: LearnedEncaps[] = [
    {
      ifname: 'eth1',
      peerMac: MAC_A,
      peerId: 'aabbccddeeff00112233',
      type: 'IPV4_ENCAPSULATION',
      encaps: [
        { address: '10.0.0.1', prefixLength: 31, primary: true, loopback: false },
        { address: '192.0.2.9', prefixLength: 32, primary: false, loopback: true },
      ],
    },
    {
      ifname: 'eth1',
      peerMac: MAC_A,
      peerId: 'aabbccddeeff00112233',
      type: 'MPLS_IPV6_ENCAPSULATION',
      encaps: [{ address: '2001:db8::1', prefixLength: 128, primary: false, loopback: false, labels: ['00fa01', '0003e9'] }],
    },
    { ifname: 'eth2', peerMac: MAC_B, peerId: null, type: 'IPV6_ENCAPSULATION', encaps: [] },
  ];
  core.learned = learned;
  core.announced = [
    { ifname: 'eth1', type: 'IPV4_ENCAPSULATION', encaps: [{ address: '10.0.0.0', prefixLength: 31, primary: true, loopback: false }] },
  ];
  const sock = await serve(t, core);

  const json = await runLsoeAsync(['encaps', '--json', '--socket', sock]);
  t.equal(json.code, 0, json.stderr);
  t.same(jsonLines(json.stdout), learned, 'one object per session and type, entries as PROTOCOL.md section 4');
  const peer = await runLsoeAsync(['encaps', '--json', '--peer', MAC_B, '--socket', sock]);
  t.same(jsonLines(peer.stdout), [learned[2]]);

  const table = await runLsoeAsync(['encaps', '--socket', sock]);
  t.match(table.stdout, /Interface.*Peer.*Type.*Prefix.*Flags.*MPLS labels/);
  t.match(table.stdout, new RegExp(`eth1 .*${MAC_A}.*IPv4 .*10\\.0\\.0\\.1/31 .* P `));
  t.match(table.stdout, /192\.0\.2\.9\/32 .* L /);
  t.match(table.stdout, /MPLS IPv6 .*2001:db8::1\/128 .* - .*4000 \(00fa01\) 62 \(0003e9\)/);

  const local = await runLsoeAsync(['encaps', '--local', '--json', '--socket', sock]);
  t.equal(local.stderr, '', 'no note when the daemon answered');
  t.same(jsonLines(local.stdout), [{ ...core.announced[0], source: 'daemon' }]);
});

t.test('without a daemon: a clear message and exit 1; --local computes and says so', async (t) => {
  const sock = tempSocketPath(t);
  const r = await runLsoeAsync(['sessions', '--socket', sock]);
  t.same({ code: r.code, stderr: r.stderr, stdout: r.stdout }, {
    code: 1,
    stderr: `lsoe: sessions: no daemon listening on ${sock} (is lsoe daemon running?)\n`,
    stdout: '',
  });
  const e = await runLsoeAsync(['encaps', '--json', '--socket', sock]);
  t.equal(e.code, 1);
  const local = await runLsoeAsync(['encaps', '--local', '--json', '--socket', sock]);
  t.equal(local.code, 0, local.stderr);
  t.match(local.stderr, `no daemon listening on ${sock}: computed from the interfaces`);
  for (const rec of jsonLines(local.stdout)) t.equal(rec.source, 'interfaces');
});

t.test('usage errors exit 2 with one line', async (t) => {
  const bad = await runLsoeAsync(['sessions', '--peer', 'zz:00', '--socket', '/nonexistent']);
  t.same({ code: bad.code, stderr: bad.stderr }, { code: 2, stderr: "lsoe: sessions: --peer: 'zz:00' is not a MAC address (want aa:bb:cc:dd:ee:ff)\n" });
  const both = await runLsoeAsync(['sessions', '--watch', '--summary']);
  t.equal(both.code, 2);
  const noTty = await runLsoeAsync(['sessions', '--watch', '--socket', '/nonexistent']);
  t.same({ code: noTty.code, stderr: noTty.stderr }, { code: 2, stderr: 'lsoe: sessions: --watch needs a terminal; for scripts use --watch --json\n' });
});

t.test('sessions --watch --json streams events as JSON lines as they happen', async (t) => {
  const core = new InMemoryDaemonCore();
  const sock = tempSocketPath(t);
  const server = await startControlServer(core, { path: sock });
  t.teardown(() => server.close());
  const child = spawn(process.execPath, [LSOE_BIN, 'sessions', '--watch', '--json', '-i', 'eth1', '--socket', sock], {
    env: { ...process.env, NO_COLOR: '1' },
  });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.on('data', (d) => (err += d));
  const firstLine = new Promise<void>((resolve) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve();
    });
  });
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const up = { event: 'session-up' as const, time: '2026-11-21T00:00:01.000Z', ifname: 'eth1', peerMac: MAC_A, peerId: 'aabbccddeeff00112233' };
  const other = { ...up, ifname: 'eth2' };
  // The client subscribes some time after it starts: keep the daemon talking until it
  // hears. The -i filter must keep eth2 out; every line must be a whole event.
  const timer = setInterval(() => {
    core.emit(other);
    core.emit(up);
  }, 50);
  t.teardown(() => clearInterval(timer));
  await firstLine;
  clearInterval(timer);
  t.same(JSON.parse(out.split('\n')[0]!), up);
  t.notMatch(out, /eth2/);

  // The daemon going away ends the stream: a one-line message, exit 1.
  await server.close();
  t.equal(await closed, 1);
  t.equal(err, `lsoe: sessions: the daemon on ${sock} closed the connection\n`);
  for (const rec of jsonLines(out)) t.same(rec, up);
});

t.test('a daemon that accepts but never answers: one line after --timeout, exit 1', async (t) => {
  const net = await import('node:net');
  const sock = tempSocketPath(t);
  // Listens, reads requests, never writes a byte back.
  const held = new Set<import('node:net').Socket>();
  const mute = net.createServer((s) => {
    held.add(s);
    s.on('error', () => undefined);
    s.resume();
  });
  await new Promise<void>((r) => mute.listen(sock, () => r()));
  t.teardown(() => {
    for (const s of held) s.destroy();
    mute.close();
  });
  for (const args of [['sessions'], ['sessions', '--json'], ['encaps'], ['encaps', '--local']]) {
    const r = await runLsoeAsync([...args, '--timeout', '1', '--socket', sock]);
    t.same({ code: r.code, stderr: r.stderr, stdout: r.stdout }, {
      code: 1,
      stderr: `lsoe: ${args[0]}: daemon at ${sock} did not answer within 1 s\n`,
      stdout: '',
    }, args.join(' '));
  }
  const bad = await runLsoeAsync(['sessions', '--timeout', 'soon', '--socket', sock]);
  t.same({ code: bad.code, stderr: bad.stderr }, { code: 2, stderr: "lsoe: sessions: --timeout: 'soon' is not a positive number of seconds\n" });
});
