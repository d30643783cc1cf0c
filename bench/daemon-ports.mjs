// Benchmark section "daemon-ports": the cost of an interface. One `lsoe daemon` on N
// veth interfaces (every up Ethernet interface of its namespace), a genuine peer
// `lsoe daemon` on the N other ends, 1 s keepalives. For N = 1, 8, 32, 64, 128 it
// reports: seconds from start until the control socket answers, seconds until all N
// sessions are open (and the CPU seconds the daemon had used by each, which the
// machine's load does not change), then RSS and the share of one core at steady state (from
// /proc/PID/stat over --steady seconds, default 10; use 300 for idle figures that are
// not tick noise), and the MB each further interface costs. With --compare-libpcap the
// same runs with LSOE_CAPTURE=libpcap (the previous design) side by side. Needs root.
//
//   node bench/run.mjs --only daemon-ports
//   node bench/daemon-ports.mjs [--ports 1,8,64] [--steady 300] [--compare-libpcap]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { option, printTable, skipUnlessRoot } from './lib.mjs';
import { loadavg } from 'node:os';
import { cpuShare, cpuTicks, query, rssKiB, sleep, spawnDaemon, TICKS_PER_S, vethPairs, withNamespacePair } from './proc.mjs';

const benchFile = fileURLToPath(import.meta.url);
const DEFAULT_PORTS = [1, 8, 32, 64, 128];
const OPEN_LIMIT_SECONDS = 120;

async function one(n, { steady, env, label }, log) {
  return withNamespacePair(['lsoepd', 'lsoepp'], async ({ nsA: nsD, nsB: nsP, dir, children }) => {
    vethPairs(nsD, nsP, Array.from({ length: n }, (_, i) => [`d${i}`, `p${i}`]));
    const sockD = path.join(dir, 'd.sock');
    const sockP = path.join(dir, 'p.sock');
    const args = (socket) => ['--socket', socket, '--keepalive-send-interval', '1'];
    const t0 = performance.now();
    const daemon = spawnDaemon(nsD, args(sockD), env);
    children.push(daemon);
    const peer = spawnDaemon(nsP, args(sockP), env);
    children.push(peer);
    let readySeconds = null;
    let openSeconds = null;
    // CPU seconds the daemon had used by then: what start-up costs, whatever the load
    let readyCpu = null;
    let openCpu = null;
    const load = loadavg()[0];
    while ((performance.now() - t0) / 1000 < OPEN_LIMIT_SECONDS) {
      if (daemon.exitCode !== null) throw new Error(`daemon exited: ${daemon.lastLines()}`);
      try {
        const c = await query(sockD, 'counters');
        if (readySeconds === null) {
          readySeconds = (performance.now() - t0) / 1000;
          readyCpu = cpuTicks(daemon.pid) / TICKS_PER_S;
        }
        if (c.sessionsOpen >= n) {
          openSeconds = (performance.now() - t0) / 1000;
          openCpu = cpuTicks(daemon.pid) / TICKS_PER_S;
          break;
        }
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    await sleep(3000); // the opening burst passes
    const cpu = await cpuShare([daemon.pid], steady);
    const rss = rssKiB(daemon.pid);
    const c = await query(sockD, 'counters');
    const r = {
      capture: label,
      interfaces: n,
      readySeconds: readySeconds === null ? null : Number(readySeconds.toFixed(2)),
      secondsUntilAllOpen: openSeconds === null ? null : Number(openSeconds.toFixed(2)),
      cpuSecondsUntilReady: readyCpu,
      cpuSecondsUntilAllOpen: openCpu,
      loadAverageBefore: Number(load.toFixed(1)),
      steadyRssMiB: rss === null ? null : Number((rss / 1024).toFixed(1)),
      steadyCpuPercentOfOneCore: Number((cpu * 100).toFixed(2)),
      sessionsOpenAtEnd: c.sessionsOpen,
    };
    log(
      `${label} N=${n}: ready ${r.readySeconds} s (${readyCpu} CPU s), all open ${r.secondsUntilAllOpen ?? `> ${OPEN_LIMIT_SECONDS}`} s (${openCpu} CPU s), ` +
        `${r.steadyRssMiB} MiB, ${r.steadyCpuPercentOfOneCore}% of a core; load average ${r.loadAverageBefore} before`,
    );
    return r;
  });
}

export async function run(ctx) {
  const notRoot = skipUnlessRoot(ctx, 'daemon-ports');
  if (notRoot) return notRoot;
  const argv = process.argv.slice(2);
  const ports = (option(argv, '--ports') ?? DEFAULT_PORTS.join(',')).split(',').map(Number);
  const steady = Number(option(argv, '--steady') ?? 10);
  const designs = [{ label: 'packet-socket', env: {} }];
  if (argv.includes('--compare-libpcap')) designs.push({ label: 'libpcap', env: { LSOE_CAPTURE: 'libpcap' } });
  const results = [];
  for (const n of ports) for (const d of designs) results.push(await one(n, { steady, ...d }, ctx.log));
  const perPort = (label) => {
    const rs = results.filter((r) => r.capture === label && r.steadyRssMiB !== null).sort((a, b) => a.interfaces - b.interfaces);
    if (rs.length < 2) return null;
    const [lo, hi] = [rs[0], rs.at(-1)];
    return Number(((hi.steadyRssMiB - lo.steadyRssMiB) / (hi.interfaces - lo.interfaces)).toFixed(2));
  };
  printTable(
    `daemon on N interfaces, a peer daemon on the other ends, 1 s keepalives, ${steady} s steady state`,
    ['capture', 'interfaces', 'ready s', 'ready CPU s', 'all open s', 'all open CPU s', 'RSS MiB', 'CPU % of a core', 'load'],
    results.map((r) => [r.capture, r.interfaces, r.readySeconds, r.cpuSecondsUntilReady, r.secondsUntilAllOpen, r.cpuSecondsUntilAllOpen, r.steadyRssMiB, r.steadyCpuPercentOfOneCore, r.loadAverageBefore]),
  );
  const summary = Object.fromEntries(designs.map((d) => [d.label, perPort(d.label)]));
  ctx.log(`MiB per further interface: ${JSON.stringify(summary)}`);
  ctx.log('targets: 64 interfaces under 150 MB and 2% of a core; under 1 MB per further interface; ready within 2 s');
  return { steadySeconds: steady, results, mibPerFurtherInterface: summary };
}

if (process.argv[1] === benchFile) {
  const r = await run({ log: (t) => process.stdout.write(`${t}\n`) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
