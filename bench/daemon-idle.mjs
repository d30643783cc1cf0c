// Benchmark section "daemon-idle": what one open session costs when nothing happens,
// side by side with the reference lsoed (issue 10). In ONE run, for the same seconds:
//   - an lsoe pair: `bin/lsoe daemon` (as users run it, shebang flags included) in two
//     namespaces joined by one veth pair;
//   - an lsoed pair (when pointed to one): the same on another veth pair, lsoed's own
//     configuration file giving the same timers;
// both with 1 s keepalives and 60 s HELLOs. Per daemon, from /proc: its share of one core
// (utime + stime of it and everything it started, reaped children included: lsoe's
// `ip monitor`, any `ip` it runs), its RSS at the end, its wake-ups a second (voluntary
// context switches of all its threads), and the frames a second its link received (the
// same load on both pairs). Then lsoe / lsoed. Needs root. Reports; asserts nothing.
//
//   LSOED='/usr/bin/python3 /path/to/lsoe-python/lsoed' npm run bench -- --only daemon-idle
//   node bench/daemon-idle.mjs [--lsoed 'CMD'] [--seconds 300] [--warmup 20] [--links N]
// --links N: N veth links between each pair, so N sessions per daemon (CPU per
// session is then the daemon's CPU / N: what a port costs on a switch).
//
// lsoed (github.com/Arrcus/lsoe-python) needs Python 3 with tornado and pyroute2
// (Debian: python3-tornado python3-pyroute2). Without --lsoed or LSOED, lsoe alone is
// measured, and the output says so.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { option, printTable, skipUnlessRoot } from './lib.mjs';
import { contextSwitches, ip, query, rssKiB, sleep, spawnDaemon, spawnInNamespace, TICKS_PER_S, treeCpuTicks, vethPairs, withNamespacePair } from './proc.mjs';

const benchFile = fileURLToPath(import.meta.url);
const DEFAULT_SECONDS = 300;
const OPEN_LIMIT_SECONDS = 60;

/** The timers both implementations run with (lsoed's keys are lsoe's). */
const TIMERS = { 'keepalive-send-interval': '1.0', 'keepalive-receive-timeout': '60.0', 'hello-interval': '60.0' };

/** Veth pair names for `links` links: [[pa0, pb0], …] (the prefix tells the two pairs' links apart). */
const linkNames = (prefix, links) => Array.from({ length: links }, (_, i) => [`${prefix}a${i}`, `${prefix}b${i}`]);

const rxPackets = (ns, ifname) => JSON.parse(ip(['-n', ns, '-s', '-j', 'link', 'show', ifname]))[0].stats64.rx.packets;

async function until(what, limitSeconds, check) {
  const t0 = performance.now();
  while ((performance.now() - t0) / 1000 < limitSeconds) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`${what} not within ${limitSeconds} s`);
}

/** Starts an lsoe pair on a fresh veth pair; resolves once both ends are open. */
async function lsoePair({ nsA, nsB, dir, children }, links) {
  vethPairs(nsA, nsB, linkNames('l', links));
  const timerFlags = Object.entries(TIMERS).flatMap(([k, v]) => [`--${k}`, v]);
  const ends = [];
  for (const [ns, name] of [[nsA, 'a'], [nsB, 'b']]) {
    const socket = path.join(dir, `${name}.sock`);
    const child = spawnDaemon(ns, ['--socket', socket, '--admin-socket', path.join(dir, `${name}-admin.sock`), ...timerFlags], {}, { shebang: true });
    children.push(child);
    ends.push({ impl: 'lsoe', ns, ifnames: linkNames('l', links).map((p) => p[ns === nsA ? 0 : 1]), child, socket });
  }
  await until('lsoe session open', OPEN_LIMIT_SECONDS, async () => {
    for (const e of ends) if (e.child.exitCode !== null) throw new Error(`lsoe daemon exited: ${e.child.lastLines()}`);
    const open = await Promise.all(ends.map((e) => query(e.socket, 'counters').then((c) => c.sessionsOpen === links, () => false)));
    return open.every(Boolean);
  });
  return ends;
}

/** Starts an lsoed pair (`command` split on blanks, then `-c FILE`); resolves once both have an open session. */
async function lsoedPair({ nsA, nsB, dir, children }, command, links) {
  vethPairs(nsA, nsB, linkNames('r', links));
  const ends = [];
  for (const [ns, name, id] of [[nsA, 'a', '0a'], [nsB, 'b', '0b']]) {
    const cfg = path.join(dir, `lsoed-${name}.cfg`);
    // lsoed derives its Local ID from the machine's product UUID: the same for both ends here
    writeFileSync(cfg, `[lsoed]\nlocal-id = ${id.repeat(10)}\n${Object.entries(TIMERS).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
    const child = spawnInNamespace(ns, [...command.split(/\s+/).filter(Boolean), '-c', cfg]);
    children.push(child);
    let opened = 0;
    // lsoed logs the peer's encapsulations (INFO "RFC-7752 data") only on an open
    // session; counted loosely (a line per session and encapsulation type at least)
    child.stderr.on('data', (d) => {
      opened += String(d).split('RFC-7752 data').length - 1;
    });
    ends.push({ impl: 'lsoed', ns, ifnames: linkNames('r', links).map((p) => p[ns === nsA ? 0 : 1]), child, opened: () => opened >= links });
  }
  await until('lsoed session open', OPEN_LIMIT_SECONDS, async () => {
    for (const e of ends) if (e.child.exitCode !== null) throw new Error(`lsoed exited: ${e.child.lastLines()}`);
    return ends.every((e) => e.opened());
  });
  return ends;
}

/** Reads every end's counters now. */
function reading(ends) {
  return ends.map((e) => ({ ticks: treeCpuTicks(e.child.pid), switches: contextSwitches(e.child.pid).voluntary, rx: e.ifnames.reduce((sum, ifname) => sum + rxPackets(e.ns, ifname), 0), at: performance.now() }));
}

async function measure(ends, seconds, log) {
  const before = reading(ends);
  const load0 = loadavg()[0];
  // a line now and then: a run of several minutes should not look hung
  for (let left = seconds; left > 0; left -= 60) {
    await sleep(Math.min(60, left) * 1000);
    if (left > 60) log(`  … ${seconds - left + 60} of ${seconds} s`);
    for (const e of ends) if (e.child.exitCode !== null) throw new Error(`${e.impl} in ${e.ns} exited: ${e.child.lastLines()}`);
  }
  const after = reading(ends);
  const load1 = loadavg()[0];
  return ends.map((e, i) => {
    const wall = (after[i].at - before[i].at) / 1000;
    const rss = rssKiB(e.child.pid);
    return {
      implementation: e.impl,
      namespace: e.ns,
      cpuPercentOfOneCore: Number((((after[i].ticks - before[i].ticks) / TICKS_PER_S / wall) * 100).toFixed(3)),
      cpuSeconds: (after[i].ticks - before[i].ticks) / TICKS_PER_S,
      rssMiB: rss === null ? null : Number((rss / 1024).toFixed(1)),
      wakeupsPerSecond: Number(((after[i].switches - before[i].switches) / wall).toFixed(2)),
      framesReceivedPerSecond: Number(((after[i].rx - before[i].rx) / wall).toFixed(2)),
      seconds: Number(wall.toFixed(1)),
      loadAverage: [Number(load0.toFixed(1)), Number(load1.toFixed(1))],
    };
  });
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function run(ctx) {
  const notRoot = skipUnlessRoot(ctx, 'daemon-idle');
  if (notRoot) return notRoot;
  const argv = process.argv.slice(2);
  const lsoed = ctx.args?.lsoed ?? option(argv, '--lsoed') ?? process.env.LSOED ?? null;
  const seconds = Number(option(argv, '--seconds') ?? DEFAULT_SECONDS);
  const warmup = Number(option(argv, '--warmup') ?? 20);
  const links = Number(option(argv, '--links') ?? 1);
  if (lsoed === null) {
    ctx.log('daemon-idle: lsoe alone (no lsoed to compare with: pass --lsoed CMD or set LSOED, e.g. LSOED="/usr/bin/python3 /path/to/lsoe-python/lsoed")');
  }
  ctx.log(`daemon-idle: ${links} open session(s) per daemon (one per link), 1 s keepalives, 60 s HELLOs; ${warmup} s to settle, then ${seconds} s measured`);
  const results = await withNamespacePair(['lsoeia', 'lsoeib'], async (lsoeNs) => {
    const run = async (refNs) => {
      const ends = await lsoePair(lsoeNs, links);
      if (refNs !== null) ends.push(...(await lsoedPair(refNs, lsoed, links)));
      await sleep(warmup * 1000);
      return measure(ends, seconds, ctx.log);
    };
    return lsoed === null ? run(null) : withNamespacePair(['lsoedia', 'lsoedib'], run);
  });
  const byImpl = (impl) => results.filter((r) => r.implementation === impl);
  const summary = {};
  for (const impl of ['lsoe', 'lsoed']) {
    const rs = byImpl(impl);
    if (rs.length === 0) continue;
    summary[impl] = {
      cpuPercentOfOneCore: Number(mean(rs.map((r) => r.cpuPercentOfOneCore)).toFixed(3)),
      cpuPercentPerSession: Number((mean(rs.map((r) => r.cpuPercentOfOneCore)) / links).toFixed(4)),
      rssMiB: Number(mean(rs.map((r) => r.rssMiB)).toFixed(1)),
      wakeupsPerSecond: Number(mean(rs.map((r) => r.wakeupsPerSecond)).toFixed(2)),
    };
  }
  if (summary.lsoe && summary.lsoed) {
    summary.ratio = {
      cpu: Number((summary.lsoe.cpuPercentOfOneCore / summary.lsoed.cpuPercentOfOneCore).toFixed(2)),
      rss: Number((summary.lsoe.rssMiB / summary.lsoed.rssMiB).toFixed(2)),
    };
  }
  printTable(
    `${links} open session(s) per daemon, idle, ${seconds} s (CPU of each daemon and its children, from /proc/PID/stat)`,
    ['daemon', 'namespace', 'CPU % of a core', 'CPU s', 'RSS MiB', 'wake-ups/s', 'frames in/s', 'load before/after'],
    results.map((r) => [r.implementation, r.namespace, r.cpuPercentOfOneCore, r.cpuSeconds, r.rssMiB, r.wakeupsPerSecond, r.framesReceivedPerSecond, r.loadAverage.join(' / ')]),
  );
  if (summary.ratio) {
    if (links > 1) ctx.log(`per session: lsoe ${summary.lsoe.cpuPercentPerSession}%, lsoed ${summary.lsoed.cpuPercentPerSession}% of a core`);
    ctx.log(`lsoe / lsoed: CPU ${summary.ratio.cpu}× (${summary.lsoe.cpuPercentOfOneCore}% vs ${summary.lsoed.cpuPercentOfOneCore}%), RSS ${summary.ratio.rss}× (${summary.lsoe.rssMiB} vs ${summary.lsoed.rssMiB} MiB)`);
  } else {
    ctx.log(`lsoe alone: ${summary.lsoe.cpuPercentOfOneCore}% of a core, ${summary.lsoe.rssMiB} MiB (no lsoed side by side)`);
  }
  ctx.log('goal (issue 10): idle CPU per session at or below the reference lsoed, measured over at least 300 s');
  return { seconds, warmupSeconds: warmup, links, lsoedCommand: lsoed, results, summary };
}

if (process.argv[1] === benchFile) {
  const r = await run({ log: (t) => process.stdout.write(`${t}\n`) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
