// Benchmark section "bgp": one `lsoe daemon` with N simulated LSOE peers (the
// daemon-scale simulator, each peer announcing a loopback IPv4 so its Link NLRI is not
// held back) and gobgpd, in a namespace of its own, as the BGP-LS receiver. For N = 100
// and 1,000 it reports the seconds from the simulator's start until gobgpd has accepted
// every Link NLRI (read with `gobgp neighbor -j`, polled every 100 ms), then the
// daemon's CPU share and RSS at steady state with BGP on, and the same run with BGP off.
// Needs root and gobgpd; reports only, never fails on speed.
//
//   node bench/run.mjs --only bgp
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpuTicks, ip, rssKiB, sleep } from './proc.mjs';
import { printTable, which } from './lib.mjs';

const SIZES = (process.env.LSOE_BENCH_BGP_SIZES ?? '100,1000').split(',').map(Number);
const STEADY_SECONDS = 10;
const LIMIT_SECONDS = 90;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const simulator = path.join(repoRoot, 'bench/daemon-scale.mjs');
const dist = (p) => pathToFileURL(path.join(repoRoot, 'dist/src', p)).href;

/** The answer, or null when the daemon is too busy to answer within the client's 10 s. */
async function tryRequest(socket, method) {
  try {
    return await request(socket, method);
  } catch {
    return null;
  }
}

async function request(socket, method) {
  const { connectControl } = await import(dist('ctl/client.js'));
  const c = await connectControl(socket);
  try {
    return await c.request(method);
  } finally {
    c.close();
  }
}

function gobgpAccepted(ns) {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'gobgp', '-u', '127.0.0.1', 'neighbor', '-j'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.startsWith('[')) return 0;
  const n = JSON.parse(r.stdout)[0];
  return n?.afi_safis?.find((a) => a.state?.family?.afi === 16388)?.state?.accepted ?? 0;
}

async function one(n, bgp, log) {
  const tag = process.pid.toString(36) + randomBytes(2).toString('hex');
  const [nsD, nsP, nsG] = [`lsoebgd${tag}`, `lsoebgp${tag}`, `lsoebgg${tag}`];
  const [ifD, ifP, ifDG, ifG] = [`gd${tag}`, `gp${tag}`, `gx${tag}`, `gy${tag}`].map((x) => x.slice(0, 15));
  const dir = mkdtempSync(path.join(tmpdir(), 'lsoe-bench-bgp-'));
  const children = [];
  try {
    for (const ns of [nsD, nsP, nsG]) {
      ip(['netns', 'add', ns]);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    ip(['link', 'add', 'name', ifD, 'netns', nsD, 'type', 'veth', 'peer', 'name', ifP, 'netns', nsP]);
    ip(['link', 'add', 'name', ifDG, 'netns', nsD, 'type', 'veth', 'peer', 'name', ifG, 'netns', nsG]);
    for (const [ns, i] of [[nsD, ifD], [nsP, ifP], [nsD, ifDG], [nsG, ifG]]) ip(['-n', ns, 'link', 'set', i, 'up']);
    ip(['-n', nsD, 'addr', 'add', '10.99.0.1/24', 'dev', ifD]);
    ip(['-n', nsD, 'addr', 'add', '10.255.0.1/32', 'dev', 'lo']);
    ip(['-n', nsD, 'addr', 'add', '198.51.100.1/30', 'dev', ifDG]);
    ip(['-n', nsG, 'addr', 'add', '198.51.100.2/30', 'dev', ifG]);
    const conf = path.join(dir, 'gobgpd.toml');
    writeFileSync(conf, [
      '[global.config]', '  as = 65000', '  router-id = "198.51.100.2"', '  local-address-list = ["198.51.100.2"]',
      '[[neighbors]]', '  [neighbors.config]', '    neighbor-address = "198.51.100.1"', '    peer-as = 65000',
      '  [neighbors.transport.config]', '    passive-mode = true',
      '  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', '      afi-safi-name = "ls"', '',
    ].join('\n'));
    if (bgp) {
      children.push(spawn('ip', ['netns', 'exec', nsG, 'gobgpd', '-f', conf, '--api-hosts', '127.0.0.1:50051', '--pprof-disable', '-l', 'warn'], { stdio: 'ignore' }));
    }
    const daemonMac = JSON.parse(ip(['-n', nsD, '-j', 'link', 'show', ifD]))[0].address;
    const socket = path.join(dir, 'd.sock');
    const limit = String(n + 16);
    const daemon = spawn('ip', ['netns', 'exec', nsD, process.execPath, path.join(repoRoot, 'bin/lsoe'), 'daemon', '-i', ifD, '--socket', socket,
      '--keepalive-send-interval', '1', '--max-sessions', limit, '--max-sessions-per-interface', limit, '--max-new-sessions-per-second', String(Math.max(n, 100)),
      ...(bgp ? ['--bgp-peer', '198.51.100.2', '--bgp-asn', '65000', '--bgp-ls-igp-router-id', 'yes'] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(daemon);
    let daemonLog = '';
    daemon.stderr.on('data', (d) => (daemonLog = (daemonLog + d).slice(-4000)));
    for (let i = 0; ; i++) {
      try {
        await request(socket, 'counters');
        if (!bgp || (await request(socket, 'bgp')).peers[0]?.state === 'established') break;
      } catch {
        if (daemon.exitCode !== null) throw new Error(`daemon did not start: ${daemonLog.trim().split('\n').pop()}`);
      }
      if (i > 300) throw new Error('daemon or BGP session did not come up in 30 s');
      await sleep(100);
    }
    const started = performance.now();
    const sim = spawn('ip', ['netns', 'exec', nsP, process.execPath, simulator, '--simulate', ifP, daemonMac, String(n), '--loopbacks'], { stdio: 'ignore' });
    children.push(sim);
    // node + loopback prefix + the link prefix 10.99.0.0/24 + N links
    const want = n + 3;
    let seconds = null;
    while ((performance.now() - started) / 1000 < LIMIT_SECONDS) {
      const done = bgp ? gobgpAccepted(nsG) >= want : ((await tryRequest(socket, 'counters'))?.sessionsOpen ?? 0) >= n;
      if (done) {
        seconds = (performance.now() - started) / 1000;
        break;
      }
      await sleep(100);
    }
    await sleep(2000);
    const ticksPerS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    const t0 = cpuTicks(daemon.pid);
    const w0 = performance.now();
    await sleep(STEADY_SECONDS * 1000);
    const cpu = (cpuTicks(daemon.pid) - t0) / ticksPerS / ((performance.now() - w0) / 1000);
    const rss = rssKiB(daemon.pid);
    const open = (await tryRequest(socket, 'counters'))?.sessionsOpen ?? null;
    return { peers: n, bgp, seconds: seconds === null ? null : Number(seconds.toFixed(2)), sessionsOpenAtEnd: open, accepted: bgp ? gobgpAccepted(nsG) : null, cpuPercent: Number((cpu * 100).toFixed(1)), rssMiB: rss === null ? null : Number((rss / 1024).toFixed(1)) };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    for (let i = 0; i < 50 && children.some((c) => c.exitCode === null); i++) await sleep(100);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const ns of [nsD, nsP, nsG]) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(ctx) {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return ctx.log('bgp: skipped (needs root)'), { skipped: 'needs root' };
  if (!which('gobgpd')) return ctx.log('bgp: skipped (gobgpd not installed)'), { skipped: 'no gobgpd' };
  const results = [];
  for (const n of SIZES) {
    const on = await one(n, true, ctx.log);
    ctx.log(`N=${n}, BGP on: gobgpd accepted all ${n} Link NLRI ${on.seconds ?? `> ${LIMIT_SECONDS}`} s after the peers started (at the end: ${on.accepted} NLRI accepted, ${on.sessionsOpenAtEnd ?? '?'} LSOE sessions open); ${on.cpuPercent}% CPU, ${on.rssMiB} MiB`);
    const off = await one(n, false, ctx.log);
    ctx.log(`N=${n}, BGP off: all open after ${off.seconds ?? `> ${LIMIT_SECONDS}`} s (${off.sessionsOpenAtEnd ?? '?'} open at the end); ${off.cpuPercent}% CPU, ${off.rssMiB} MiB`);
    results.push({ on, off });
  }
  printTable(
    'bgp: N simulated LSOE sessions, gobgpd as the BGP-LS receiver',
    ['N', 'until gobgpd accepted all (s)', 'until all open, BGP off (s)', 'CPU % on/off', 'RSS MiB on/off', 'ratio RSS on/off'],
    results.map(({ on, off }) => [
      String(on.peers), String(on.seconds ?? `>${LIMIT_SECONDS}`), String(off.seconds ?? `>${LIMIT_SECONDS}`),
      `${on.cpuPercent} / ${off.cpuPercent}`, `${on.rssMiB} / ${off.rssMiB}`,
      on.rssMiB && off.rssMiB ? (on.rssMiB / off.rssMiB).toFixed(2) : 'n/a',
    ]),
  );
  return { steadySeconds: STEADY_SECONDS, results };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run({ log: (t) => process.stdout.write(`${t}\n`) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
