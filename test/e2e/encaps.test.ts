// `lsoe encaps` against real daemons: what B learned from A is what A announces, and
// what A announces is what `--local` computes from A's interfaces without a daemon.
import t from 'tap';
import { jsonLines } from '../helpers/run-cli.js';
import { rootOrSkip, runLsoeIn } from '../helpers/netns.js';
import { eventually } from '../daemon/e2e-helpers.js';
import { ID_A, makePair } from './lsoe-pair.js';

const TYPES = ['IPV4_ENCAPSULATION', 'IPV6_ENCAPSULATION', 'MPLS_IPV4_ENCAPSULATION', 'MPLS_IPV6_ENCAPSULATION'];

t.test('learned (B) = announced (A, daemon) = computed (A, no daemon)', async (t) => {
  if (!rootOrSkip(t)) return;
  const p = await makePair(t, {
    addrA: ['10.78.0.1/24', '2001:db8:78::1/64'],
    addrB: ['10.78.0.2/24'],
    loopbackA: ['192.0.2.8/32'],
    extraConfig: 'mpls-ipv4-encapsulation = 192.0.2.8/32 label 16001 16002',
  });
  const sockA = `${p.dir}/a.sock`;

  // Before A's daemon runs: --local computes from the interfaces (with the same config).
  const offline = await runLsoeIn(p.nsA, ['encaps', '--local', '--json', '-c', p.config, '-i', p.a.ifname, '--socket', sockA]);
  t.equal(offline.code, 0, offline.stderr);
  t.match(offline.stderr, `no daemon listening on ${sockA}: computed from the interfaces`);
  const computed = jsonLines(offline.stdout);
  t.same(computed.map((r) => [r.ifname, r.type, r.source]), TYPES.map((type) => [p.a.ifname, type, 'interfaces']));

  const da = await p.startA();
  const db = await p.startB();
  const full = (l: Awaited<ReturnType<typeof db.learned>>) =>
    TYPES.every((type) => l.some((x) => x.peerMac === p.a.mac && x.type === type));
  await eventually(async () => full(await db.learned()) && (await db.learned()).some((x) => x.type === 'MPLS_IPV4_ENCAPSULATION' && x.encaps.length > 0), 15000, 'B to learn all of A');

  const local = await runLsoeIn(p.nsA, ['encaps', '--local', '--json', '--socket', da.socket]);
  t.equal(local.code, 0, local.stderr);
  t.equal(local.stderr, '');
  const announced = jsonLines(local.stdout);
  t.same(announced.map((r) => r.source), TYPES.map(() => 'daemon'));
  t.same(
    announced.map(({ source: _s, ...r }) => r),
    computed.map(({ source: _s, ...r }) => r),
    'the daemon announces what --local computed without it',
  );
  t.same(announced[0]!.encaps, [
    { address: '10.78.0.1', prefixLength: 24, primary: true, loopback: false },
    { address: '192.0.2.8', prefixLength: 32, primary: false, loopback: true },
  ]);
  t.same(announced[2]!.encaps, [
    { address: '192.0.2.8', prefixLength: 32, primary: false, loopback: false, labels: ['03e810', '03e821'] },
  ]);

  const learnedOut = await runLsoeIn(p.nsB, ['encaps', '--json', '--socket', db.socket]);
  t.equal(learnedOut.code, 0, learnedOut.stderr);
  const learned = jsonLines(learnedOut.stdout);
  t.same(
    learned,
    announced.map((a) => ({ ifname: p.b.ifname, peerMac: p.a.mac, peerId: ID_A, type: a.type, encaps: a.encaps })),
    'B learned exactly what A announces, one object per type',
  );

  const table = await runLsoeIn(p.nsB, ['encaps', '--socket', db.socket]);
  t.equal(table.code, 0);
  const rows = table.stdout.split('\n').filter((l) => l.includes(p.a.mac));
  t.match(rows, [
    new RegExp(`${p.b.ifname} .*${p.a.mac} .*IPv4 .*10\\.78\\.0\\.1/24 .* P `),
    /IPv4 .*192\.0\.2\.8\/32 .* L /,
    /IPv6 .*2001:db8:78::1\/64 .* P /,
    /MPLS IPv4 .*192\.0\.2\.8\/32 .* - .*16001 \(03e810\) 16002 \(03e821\)/,
  ]);
  t.equal(rows.length, 4, 'one row per address');

  const none = await runLsoeIn(p.nsB, ['encaps', '--json', '--peer', '02:00:00:00:00:99', '--socket', db.socket]);
  t.same({ code: none.code, stdout: none.stdout }, { code: 0, stdout: '' });
});
