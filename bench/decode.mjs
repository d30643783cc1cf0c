// Benchmark section "decode": builds a capture of ≥ N Ethernet frames mixing
// every PDU type (multi-frame ones included), then times on that one file
//   lsoe decode --json FILE, tshark -r FILE -T json, tcpdump -r FILE -nn -e -x
// each writing into a real pipe read by `cat > /dev/null`, as users run them
// (`| jq`, `| cat`): `bash -c 'TOOL | cat > /dev/null'` (timeOnce's 'cat'). Not
// into this process: Node's child "pipes" are socketpairs drained by this
// event loop, which paced the tools differently (tcpdump's 4 KiB stdio blocks
// each woke the reader: 1.22 s drained here against 1.80 s into cat). Medians
// of a few interleaved runs of wall time (until the tool and cat have both
// exited) and of CPU time (user + system of the tool alone, GNU time: on a
// shared machine the steadier of the two), frames/s, ratios of both, each
// tool's peak RSS (GNU time) and the load average while it ran. lsoe runs as users run it, `bin/lsoe` by its
// shebang (no V8 flag: see bin/lsoe). Reports only; never fails on speed.
//   --decode-tools lsoe,tcpdump   time only these (tshark at 1M frames takes minutes)

import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { cpus, loadavg } from 'node:os';
import { captureTools, GNU_TIME, fmtInt, fmtMiB, fmtS, median, printTable, timeOnce, which } from './lib.mjs';

const ETHERTYPE = 0x88b5; // lsoe's default, so `lsoe decode` needs no flag
const HELLO_DST = '01:80:c2:00:00:0e';
const SENDERS = 64;
const START_TIME = 1_700_000_000;
const FRAME_GAP_S = 0.0001;

/** The PDU mix: every type, small and multi-frame (values deterministic). */
function pduTemplates() {
  const v4 = (i) => `10.${(i >> 8) & 255}.${i & 255}.1`;
  const v6 = (i) => `2001:db8:${(i >> 16).toString(16)}::${(i & 0xffff).toString(16)}`;
  const label = (value, bottom) => ((value << 4) | (bottom ? 1 : 0)).toString(16).padStart(6, '0');
  const encaps = (n, addr, prefixLength, labels) =>
    Array.from({ length: n }, (_, i) => ({
      address: addr(i + 1),
      prefixLength,
      primary: i === 0,
      loopback: i === n - 1,
      ...(labels && { labels: Array.from({ length: labels }, (_, k) => label(16 + i * 4 + k, k === labels - 1)) }),
    }));
  const hex = (n, seed) => Buffer.from(Array.from({ length: n }, (_, i) => (seed + i * 13) & 255)).toString('hex');
  // [pdu, weight in the "typical" mix]. A live fabric is mostly KEEPALIVEs,
  // ACKs and HELLOs with now and then an encapsulation update; a big
  // multi-frame announcement is rare. The "encaps-heavy" mix weighs every
  // template alike (a third of its PDUs are multi-frame): the worst case.
  return [
    [{ type: 'HELLO' }, 8],
    [{ type: 'KEEPALIVE' }, 45],
    [{ type: 'OPEN', nonce: 'a1b2c3d4', localId: '00112233445566778899', attributes: '0102' }, 4],
    [{ type: 'ACK', ackType: 1, errorType: 0, errorCode: 0, errorHint: 0 }, 14],
    [{ type: 'ACK', ackType: 4, errorType: 1, errorCode: 1, errorHint: 4660 }, 1],
    [{ type: 'IPV4_ENCAPSULATION', encaps: encaps(3, v4, 31) }, 7],
    [{ type: 'IPV4_ENCAPSULATION', encaps: encaps(400, v4, 32) }, 1], // 2 frames
    [{ type: 'IPV6_ENCAPSULATION', encaps: encaps(2, v6, 127) }, 7],
    [{ type: 'IPV6_ENCAPSULATION', encaps: encaps(250, v6, 128) }, 1], // 4 frames
    [{ type: 'MPLS_IPV4_ENCAPSULATION', encaps: encaps(2, v4, 32, 1) }, 3],
    [{ type: 'MPLS_IPV4_ENCAPSULATION', encaps: encaps(200, v4, 32, 2) }, 1], // 2 frames
    [{ type: 'MPLS_IPV6_ENCAPSULATION', encaps: encaps(2, v6, 128, 2) }, 3],
    [{ type: 'MPLS_IPV6_ENCAPSULATION', encaps: encaps(150, v6, 128, 1) }, 1], // 3 frames
    [{ type: 'VENDOR', enterpriseNumber: 32473, enterpriseType: 7, data: hex(12, 1) }, 2],
    [{ type: 'VENDOR', enterpriseNumber: 32473, enterpriseType: 9, data: hex(6000, 7) }, 1], // 5 frames
    [{ type: 'UNKNOWN', typeCode: 42, raw: '2a0007deadbeef' }, 1],
  ];
}

export const MIXES = ['typical', 'encaps-heavy'];

/** The order templates are written in: each by its weight, spread evenly. */
function schedule(templates, mix) {
  const slots = [];
  for (const t of templates) {
    const w = mix === 'typical' ? t.weight : 1;
    for (let j = 0; j < w; j++) slots.push({ t, pos: (j + 0.5) / w });
  }
  return slots.sort((a, b) => a.pos - b.pos).map((s) => s.t);
}

const mac = (prefix, i) => `02:00:00:${prefix}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;

/** Write the capture; returns what went in. */
export async function buildCapture(repoRoot, file, minFrames, mix) {
  const { encodePdu, splitPdu, buildEthernet, CaptureWriter } = await captureTools(repoRoot);
  // Encode and split each PDU once; frames differ only in their Ethernet header.
  const templates = [];
  const skipped = [];
  for (const [pdu, weight] of pduTemplates()) {
    try {
      templates.push({ type: pdu.type, weight, pieces: splitPdu(encodePdu(pdu)) });
    } catch (err) {
      skipped.push(`${pdu.type}: ${err.message}`);
    }
  }
  const senders = Array.from({ length: SENDERS }, (_, i) => mac('aa', i));
  const peers = Array.from({ length: SENDERS }, (_, i) => mac('bb', i));
  const w = new CaptureWriter(file);
  const byType = {};
  let frames = 0;
  let pdus = 0;
  let multiFrame = 0;
  const order = schedule(templates, mix);
  for (let k = 0; frames < minFrames; k++) {
    const t = order[k % order.length];
    const s = k % SENDERS;
    const dst = t.type === 'HELLO' ? HELLO_DST : peers[s];
    for (const piece of t.pieces) {
      w.writeFrame(START_TIME + frames * FRAME_GAP_S, buildEthernet(dst, senders[s], ETHERTYPE, piece));
      frames++;
    }
    pdus++;
    if (t.pieces.length > 1) multiFrame++;
    byType[t.type] = (byType[t.type] ?? 0) + 1;
  }
  await w.close();
  return { frames, pdus, multiFramePdus: multiFrame, pdusByType: byType, skippedTemplates: skipped };
}

/** One untimed run of lsoe with stdout read, to show it really decoded the file. */
function countLsoeOutput(argv) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let pduLines = 0;
    let tail = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      const text = tail + c.toString();
      const parts = text.split('\n');
      tail = parts.pop();
      lines += parts.length;
      for (const p of parts) if (p.includes('"pdu":')) pduLines++;
    });
    child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-2000)));
    child.on('close', (code) => resolve({ exitCode: code, lines: lines + (tail ? 1 : 0), pduLines, stderr: stderr.trim() }));
  });
}

export async function run(ctx) {
  const mixes = {};
  for (const mix of MIXES) mixes[mix] = await runMix(ctx, mix);
  return {
    section: 'decode',
    date: new Date().toISOString(),
    host: { node: process.version, platform: `${process.platform}-${process.arch}` },
    reps: ctx.args.reps,
    rssMeasured: GNU_TIME !== null,
    mixes,
  };
}

async function runMix(ctx, mix) {
  const { repoRoot, outDir, args, log } = ctx;
  log(`-- mix: ${mix}`);
  const file = path.join(outDir, `decode-bench-${mix}.pcap`);
  const genStart = process.hrtime.bigint();
  const built = await buildCapture(repoRoot, file, args.frames, mix);
  const genS = Number(process.hrtime.bigint() - genStart) / 1e9;
  const bytes = statSync(file).size;
  log(
    `capture: ${path.relative(repoRoot, file)}: ${fmtInt(built.frames)} frames, ${fmtInt(built.pdus)} PDUs ` +
      `(${fmtInt(built.multiFramePdus)} multi-frame), ${fmtMiB(bytes / 1024)} MiB, written in ${fmtS(genS)} s`,
  );
  for (const s of built.skippedTemplates) log(`  note: template skipped (encoder refused it): ${s}`);

  const lsoeBin = path.join(repoRoot, 'bin/lsoe');
  const tools = [
    { name: 'lsoe', cmd: lsoeBin, args: ['decode', '--json', file], available: true },
    { name: 'tshark', cmd: 'tshark', args: ['-r', file, '-T', 'json'] },
    { name: 'tcpdump', cmd: 'tcpdump', args: ['-r', file, '-nn', '-e', '-x'] },
  ];
  const only = args.decodeTools ? args.decodeTools.split(',') : null;
  for (const t of tools) {
    if (t.available === undefined) t.available = which(t.cmd) !== null;
    if (only && !only.includes(t.name)) {
      t.available = false;
      t.skipped = true;
    }
  }

  if (process.env.NODE_EXTRA_CA_CERTS) {
    // Node reads and parses that bundle at every start, before any of lsoe runs;
    // bin/lsoe's shebang starts node without it (lsoe makes no TLS connection).
    log(`note: NODE_EXTRA_CA_CERTS is set (${process.env.NODE_EXTRA_CA_CERTS}): bin/lsoe starts node without it (parsing it was ~0.05 s of CPU at every start here)`);
  }
  const check = await countLsoeOutput([lsoeBin, 'decode', '--json', file]);
  log(
    `lsoe decode check run: exit ${check.exitCode}, ${fmtInt(check.lines)} output lines ` +
      `(${fmtInt(check.pduLines)} with a "pdu" key) for ${fmtInt(built.pdus)} PDUs written` +
      (check.exitCode !== 0 && check.stderr ? `; stderr: ${check.stderr.split('\n').slice(-1)[0]}` : ''),
  );

  const results = {};
  for (const t of tools) {
    results[t.name] = { command: [t.cmd === lsoeBin ? 'bin/lsoe' : t.cmd, ...t.args].join(' ') + ' | cat > /dev/null', available: t.available, runs: [] };
    if (!t.available) log(`${t.name}: ${t.skipped ? 'not asked for' : 'not installed'}, skipped`);
  }
  // Interleaved (lsoe, tshark, tcpdump, lsoe, …) so a busy machine weighs on all alike.
  const loads = [loadavg()[0]];
  for (let i = 0; i < args.reps; i++) {
    for (const t of tools) {
      const r = results[t.name];
      if (!t.available || r.failed) continue;
      const run = await timeOnce(t.cmd, t.args, { stdoutTo: 'cat' });
      r.runs.push(run);
      loads.push(loadavg()[0]);
      log(`  ${t.name} run ${i + 1}/${args.reps}: ${fmtS(run.wallS)} s wall, ${fmtS(run.cpuS)} s CPU, ${fmtMiB(run.rssKiB)} MiB peak RSS, exit ${run.exitCode}`);
      if (run.exitCode !== 0) {
        log(`  ${t.name} failed (exit ${run.exitCode}): ${run.stderrTail}; not timed further`);
        r.failed = true;
      }
    }
  }
  for (const t of tools) {
    const r = results[t.name];
    const ok = r.runs.filter((x) => x.exitCode === 0);
    r.ok = ok.length > 0 && ok.length === r.runs.length;
    if (r.ok) {
      r.bestS = Math.min(...ok.map((x) => x.wallS));
      r.medianS = median(ok.map((x) => x.wallS));
      r.framesPerS = built.frames / r.bestS;
      r.mibPerS = bytes / 1024 / 1024 / r.bestS;
      const rss = ok.map((x) => x.rssKiB).filter((x) => x !== null);
      r.peakRssKiB = rss.length ? Math.max(...rss) : null;
      const cpu = ok.map((x) => x.cpuS).filter((x) => x !== null);
      r.bestCpuS = cpu.length ? Math.min(...cpu) : null;
      r.medianCpuS = cpu.length ? median(cpu) : null;
    }
  }
  // Medians against medians: one lucky run of either tool does not make the ratio.
  const cpuRatio = (other) =>
    results.lsoe.medianCpuS && results[other]?.medianCpuS ? results[other].medianCpuS / results.lsoe.medianCpuS : null;

  const speedup = (other) =>
    results.lsoe.ok && results[other].ok ? results[other].medianS / results.lsoe.medianS : null;
  const ratios = {
    lsoeVsTshark: speedup('tshark'),
    lsoeVsTcpdump: speedup('tcpdump'),
    cpuLsoeVsTshark: cpuRatio('tshark'),
    cpuLsoeVsTcpdump: cpuRatio('tcpdump'),
  };

  printTable(
    `decode (${mix} mix): ${fmtInt(built.frames)} frames, medians of ${args.reps} interleaved run(s), stdout into a pipe read by cat > /dev/null, ` +
      `load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} on ${cpus().length} cores`,
    ['tool', 'wall s', 'CPU s', 'frames/s (wall)', 'frames/CPU s', 'peak RSS MiB', 'command'],
    tools.map((t) => {
      const r = results[t.name];
      if (!r.available) return [t.name, t.skipped ? 'not asked for' : 'not installed', '', '', '', '', r.command];
      if (!r.ok) return [t.name, `failed (exit ${r.runs.at(-1)?.exitCode})`, '', '', '', '', r.command];
      return [t.name, fmtS(r.medianS), fmtS(r.medianCpuS), fmtInt(built.frames / r.medianS), fmtInt(r.medianCpuS ? built.frames / r.medianCpuS : null), fmtMiB(r.peakRssKiB), r.command];
    }),
  );
  const ratioText = (x, other) =>
    x == null ? `lsoe vs ${other}: n/a` : `lsoe vs ${other} in wall time: ${x.toFixed(2)}× the speed (${x >= 1 ? 'faster' : 'slower'})`;
  log(ratioText(ratios.lsoeVsTshark, 'tshark'));
  log(ratioText(ratios.lsoeVsTcpdump, 'tcpdump'));
  const cpuText = (x, other) => (x == null ? '' : `lsoe vs ${other} in CPU time (user + system): ${x.toFixed(2)}× (above 1: lsoe uses less)`);
  for (const line of [cpuText(ratios.cpuLsoeVsTshark, 'tshark'), cpuText(ratios.cpuLsoeVsTcpdump, 'tcpdump')]) if (line) log(line);
  if (!GNU_TIME) log('peak RSS: not measured (/usr/bin/time is not installed: apt package "time")');

  return {
    capture: { file: path.relative(repoRoot, file), bytes, generateSeconds: genS, ethertype: ETHERTYPE, ...built },
    lsoeCheck: check,
    loadAverage: { min: Math.min(...loads), max: Math.max(...loads), cores: cpus().length },
    tools: results,
    ratios,
  };
}
