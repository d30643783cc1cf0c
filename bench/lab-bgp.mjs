// Benchmark section "lab-bgp": the lab as BGP-LS sees it (`lsoe lab up --bgp`).
//  1. A 4 x 8 lab (12 switches, 32 links) brought up with `--bgp --wait`: seconds from
//     the start of `lab up` until every LSOE session end was open, and until all 12 BGP
//     sessions were established with gobgpd and all 32 links paired in BGP-LS (as
//     `lab up --wait` says them; the goal is 15 s on 2 cores).
//  2. In that lab, links set down one at a time (at the leaf): how long until each end's
//     withdrawal (MP_UNREACH_NLRI) reached gobgpd (a capture on gobgpd's bridge: the
//     kernel's receive time against the time `ip link set down` was run), and until the
//     collector's page stream said the link was out of BGP-LS (what the browser shows).
//     Then up again: until the page says it is paired again.
// Reports only, never fails on speed. Needs root, gobgpd and tcpdump.
//
//   node bench/run.mjs --only lab-bgp [--reps N]   (N labs, 5 links taken down in each)
//   node bench/lab-bgp.mjs [--sizes 4x8]          (alone)

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, printTable, skipUnlessRoot, which } from './lib.mjs';
import { cpuTicks, followPage, sleep, TICKS_PER_S, freePort, runLsoe } from './proc.mjs';

const benchFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(benchFile), '..');
const LINKS_DOWN = 5;
const GOAL_SECONDS = 15;

/**
 * Every Link NLRI withdrawn in the capture of gobgpd's BGP sessions: when its UPDATE
 * arrived (ms), from whom, and the withdrawing end's interface address. Read with lsoe's
 * own decoders (tshark stops dissecting an NLRI list at the first Prefix NLRI with TLV
 * 535, so it misses Link NLRI packed after one): Ethernet, IPv4, TCP per direction, BGP.
 */
async function withdrawalsIn(pcap) {
  const dist = (p) => import(pathToFileURL(path.join(repoRoot, 'dist/src', p)).href);
  const [{ readCapture }, { MessageSplitter }, { decodeMessage }] = await Promise.all([dist('io/capture-reader.js'), dist('bgp/wire/header.js'), dist('bgp/wire/message.js')]);
  const streams = new Map();
  const out = [];
  for (const { time, frame } of readCapture(readFileSync(pcap))) {
    if (frame.readUInt16BE(12) !== 0x0800) continue;
    const ip = frame.subarray(14);
    if (ip[9] !== 6) continue;
    const tcp = ip.subarray((ip[0] & 15) * 4, ip.readUInt16BE(2));
    const payload = tcp.subarray((tcp[12] >> 4) * 4);
    if (payload.length === 0) continue;
    const src = `${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`;
    const key = `${src}:${tcp.readUInt16BE(0)}>${tcp.readUInt16BE(2)}`;
    if (!streams.has(key)) streams.set(key, new MessageSplitter());
    for (const raw of streams.get(key).push(payload)) {
      const m = decodeMessage(raw);
      if (m.type !== 'UPDATE') continue;
      for (const a of m.attributes) {
        if (a.kind !== 'mp-unreach') continue;
        for (const n of a.nlri) if (n.type === 'link') out.push({ time: time * 1000, src, address: n.ipv4Interface });
      }
    }
  }
  return out;
}

const ipIn = (netns, args) => spawnSync('ip', ['-n', netns, ...args], { encoding: 'utf8' });

async function once(name, [spines, leaves], log) {
  const port = await freePort();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lsoe-bench-lab-bgp-'));
  let capture = null;
  let page = null;
  try {
    const up = await runLsoe(['lab', 'up', '--bgp', '--spines', String(spines), '--leaves', String(leaves), '--name', name, '--port', String(port), '--wait', '--timeout', '120', '--json']);
    if (up.stdout.trim() === '') throw new Error(`lab up failed: ${up.stderr.trim().split('\n').at(-1)}`);
    const r = JSON.parse(up.stdout);
    const plan = JSON.parse(readFileSync(path.join(r.stateDir, 'lab.json'), 'utf8'));
    const gobgpdPid = Number(readFileSync(path.join(r.stateDir, 'gobgpd.pid'), 'utf8'));
    const collectorPid = Number(readFileSync(path.join(r.stateDir, 'collector.pid'), 'utf8'));
    log(`  ${spines}x${leaves} --bgp: started ${r.startedSeconds.toFixed(2)} s, LSOE converged ${r.convergedSeconds?.toFixed(2) ?? 'no'} s, BGP-LS ${r.bgp.established}/${r.bgp.switches} established, ${r.bgp.paired}/${r.bgp.links} paired at ${r.bgp.convergedSeconds?.toFixed(2) ?? 'no'} s`);

    const pcap = path.join(tmp, 'bgp.pcap');
    capture = spawn('ip', ['netns', 'exec', plan.bgp.netns, 'tcpdump', '-i', plan.bgp.bridge, '-U', '-w', pcap, 'tcp port 179'], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise((resolve) => capture.stderr.on('data', (d) => /listening/.test(String(d)) && resolve()));
    page = await followPage(r.url);
    await page.until((v) => v.bgp && v.bgp.links.every((b) => b === 'paired'));
    const ticks0 = { gobgpd: cpuTicks(gobgpdPid), collector: cpuTicks(collectorPid), wall: performance.now() };

    const downs = [];
    // links leading to different leaves, each set down at its leaf's end, then up again
    const chosen = plan.links.filter((_, i) => i % Math.max(1, Math.floor(plan.links.length / LINKS_DOWN)) === 0).slice(0, LINKS_DOWN);
    for (const link of chosen) {
      const leafNs = plan.nodes.find((n) => n.name === link.lower.node).netns;
      const t0 = Date.now();
      ipIn(leafNs, ['link', 'set', 'dev', link.lower.ifname, 'down']);
      const out = await page.until((v) => v.bgp.links[link.index] === 'none');
      const t1 = Date.now();
      ipIn(leafNs, ['link', 'set', 'dev', link.lower.ifname, 'up']);
      ipIn(leafNs, ['addr', 'replace', link.lower.address6, 'dev', link.lower.ifname, 'nodad']);
      const back = await page.until((v) => v.bgp.links[link.index] === 'paired', 60000);
      downs.push({ link: link.index, downAt: t0, pageOutMs: out === null ? null : out - t0, upAt: t1, pageBackMs: back === null ? null : back - t1, upper: plan.nodes.find((n) => n.name === link.upper.node).mgmt4.split('/')[0], lower: plan.nodes.find((n) => n.name === link.lower.node).mgmt4.split('/')[0] });
      await sleep(500);
    }
    const seconds = (performance.now() - ticks0.wall) / 1000;
    const cpu = { gobgpd: (cpuTicks(gobgpdPid) - ticks0.gobgpd) / TICKS_PER_S / seconds, collector: (cpuTicks(collectorPid) - ticks0.collector) / TICKS_PER_S / seconds };
    await sleep(500);
    capture.kill('SIGINT');
    await new Promise((resolve) => capture.on('close', resolve));
    capture = null;
    const wd = await withdrawalsIn(pcap);
    // where the time goes: each daemon logs when it saw its link go down (its interface
    // monitor), before the session closes and the northbound sends the withdrawal
    const seenDown = (node, ifname, from, to) => {
      for (const line of readFileSync(path.join(r.stateDir, `${node}.log`), 'utf8').split('\n')) {
        if (!line.includes(`link down on ${ifname}:`)) continue;
        const t = Date.parse(JSON.parse(line).time);
        if (t >= from && t < to) return t;
      }
      return null;
    };
    for (const d of downs) {
      const link = plan.links[d.link];
      // the UPDATE that withdraws this link's half: from that end, naming its interface address
      const first = (src, address) => wd.find((w) => w.src === src && w.address === address && w.time >= d.downAt && w.time < d.upAt);
      const lo = first(d.lower, link.lower.address4.split('/')[0]);
      const hi = first(d.upper, link.upper.address4.split('/')[0]);
      d.withdrawLowerMs = lo ? lo.time - d.downAt : null;
      d.withdrawUpperMs = hi ? hi.time - d.downAt : null;
      const loSeen = seenDown(link.lower.node, link.lower.ifname, d.downAt, d.upAt);
      const hiSeen = seenDown(link.upper.node, link.upper.ifname, d.downAt, d.upAt);
      d.seenLowerMs = loSeen === null ? null : loSeen - d.downAt;
      d.seenUpperMs = hiSeen === null ? null : hiSeen - d.downAt;
      log(`    link ${d.link}: withdrawn by the leaf ${d.withdrawLowerMs?.toFixed(0) ?? 'never'} ms (link down seen at ${d.seenLowerMs ?? '?'} ms), by the spine ${d.withdrawUpperMs?.toFixed(0) ?? 'never'} ms (seen at ${d.seenUpperMs ?? '?'} ms); off the page ${d.pageOutMs ?? 'never'} ms; back ${d.pageBackMs ?? 'never'} ms after up`);
    }
    return {
      size: `${spines}x${leaves}`,
      startedSeconds: r.startedSeconds,
      lsoeConvergedSeconds: r.convergedSeconds,
      bgpConvergedSeconds: r.bgp.convergedSeconds,
      established: r.bgp.established,
      paired: r.bgp.paired,
      links: r.bgp.links,
      downs,
      cpuShareWhileFlapping: cpu,
    };
  } finally {
    page?.close();
    capture?.kill('SIGKILL');
    const down = await runLsoe(['lab', 'down', '--name', name]);
    if (down.code !== 0) log(`  lab down: ${down.stderr.trim()}`);
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function run(ctx) {
  const notRoot = skipUnlessRoot(ctx, 'lab-bgp');
  if (notRoot) return notRoot;
  const missing = ['gobgpd', 'gobgp', 'tcpdump'].filter((c) => !which(c));
  if (missing.length > 0) {
    ctx.log(`lab-bgp: skipped (${missing.join(', ')} not installed)`);
    return { skipped: `${missing.join(', ')} not installed` };
  }
  const reps = ctx.args?.reps ?? 2;
  const i = process.argv.indexOf('--sizes');
  const sizes = i >= 0 ? process.argv[i + 1].split(',').map((x) => x.split('x').map(Number)) : [[4, 8]];
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const runs = [];
  for (const size of sizes) {
    for (let k = 0; k < reps; k++) runs.push(await once(`bgpbench${process.pid}_${randomBytes(2).toString('hex')}`, size, ctx.log));
  }
  const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const fmt = (x, d = 2) => (x == null ? 'n/a' : x.toFixed(d));
  const bgpConv = runs.map((r) => r.bgpConvergedSeconds).filter((x) => x !== null);
  const downs = runs.flatMap((r) => r.downs);
  const pick = (k) => downs.map((d) => d[k]).filter((x) => x !== null);
  const summary = {
    runs: runs.length,
    medianStartedSeconds: median(runs.map((r) => r.startedSeconds)),
    medianLsoeConvergedSeconds: median(runs.map((r) => r.lsoeConvergedSeconds).filter((x) => x !== null)),
    medianBgpConvergedSeconds: bgpConv.length > 0 ? median(bgpConv) : null,
    maxBgpConvergedSeconds: bgpConv.length > 0 ? Math.max(...bgpConv) : null,
    goalSeconds: GOAL_SECONDS,
    linksDown: downs.length,
    withdrawLowerMs: { median: median(pick('withdrawLowerMs')), max: Math.max(...pick('withdrawLowerMs')) },
    withdrawUpperMs: { median: median(pick('withdrawUpperMs')), max: Math.max(...pick('withdrawUpperMs')) },
    seenLowerMs: { median: median(pick('seenLowerMs')), max: Math.max(...pick('seenLowerMs')) },
    seenUpperMs: { median: median(pick('seenUpperMs')), max: Math.max(...pick('seenUpperMs')) },
    pageOutMs: { median: median(pick('pageOutMs')), max: Math.max(...pick('pageOutMs')) },
    pageBackMs: { median: median(pick('pageBackMs')), max: Math.max(...pick('pageBackMs')) },
    loadBefore,
    loadAfter,
  };
  printTable(
    `lab up --bgp --wait (${runs[0]?.size ?? '-'}): seconds from the start; load average ${loadBefore} → ${loadAfter} on ${os.availableParallelism()} cores`,
    ['Runs', 'Started (s)', 'LSOE open (s)', 'BGP-LS all paired (s)', 'Worst (s)', 'Goal (s)'],
    [[summary.runs, fmt(summary.medianStartedSeconds), fmt(summary.medianLsoeConvergedSeconds), fmt(summary.medianBgpConvergedSeconds), fmt(summary.maxBgpConvergedSeconds), GOAL_SECONDS]],
  );
  printTable(
    `a link set down at the leaf (${downs.length} times): ms until … (median / worst)`,
    ['Leaf saw it down', 'Leaf\'s MP_UNREACH at gobgpd', 'Spine saw it down', 'Spine\'s MP_UNREACH at gobgpd', 'Out of BGP-LS on the page', 'Paired again after up'],
    [[`${fmt(summary.seenLowerMs.median, 0)} / ${fmt(summary.seenLowerMs.max, 0)}`, `${fmt(summary.withdrawLowerMs.median, 0)} / ${fmt(summary.withdrawLowerMs.max, 0)}`, `${fmt(summary.seenUpperMs.median, 0)} / ${fmt(summary.seenUpperMs.max, 0)}`, `${fmt(summary.withdrawUpperMs.median, 0)} / ${fmt(summary.withdrawUpperMs.max, 0)}`, `${fmt(summary.pageOutMs.median, 0)} / ${fmt(summary.pageOutMs.max, 0)}`, `${fmt(summary.pageBackMs.median, 0)} / ${fmt(summary.pageBackMs.max, 0)}`]],
  );
  return { summary, runs };
}

if (process.argv[1] === benchFile) {
  const r = await run({ args: { reps: 1 }, log: (t) => process.stdout.write(`${t}\n`) });
  process.stdout.write(`${JSON.stringify(r.summary, null, 2)}\n`);
}
