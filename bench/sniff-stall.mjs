// Benchmark section "sniff-stall": what a live capture costs while its reader
// stalls. `lsoe sniff --json` (packet socket: paused, the kernel holds), the same
// with LSOE_CAPTURE=libpcap (node-pcap cannot pause: sniff holds frames raw in its
// memory), and `tcpdump -nn -e -x -l` (blocked in write(2), its ring holds) side
// by side, each with -B 4096, each writing into a pipe nobody reads. A sender on
// the other end of a veth pair first sends enough full-size frames (VENDOR PDUs of
// 1,400 octets) to fill the output, paced, then a burst of --stall-frames more
// (default 3,000). Reported: the tool's CPU seconds and RSS over the stall
// (/proc/PID/stat and status, --stall-seconds after the burst, default 3), then,
// the reader back, how many frames came out and how many the tool says were dropped.
// Needs root.
//
//   node bench/run.mjs --only sniff-stall
//   node bench/sniff-stall.mjs [--stall-frames 3000] [--stall-seconds 3]
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, skipUnlessRoot, which } from './lib.mjs';
import { cpuTicks, macOf, rssKiB, sleep, TICKS_PER_S, vethPairs, withNamespacePair } from './proc.mjs';

const benchFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(benchFile), '..');
const PROBE = path.join(repoRoot, 'dist/test/helpers/link-probe.js');
const { framesOf } = await import(path.join(repoRoot, 'dist/test/helpers/pdu-samples.js'));

const TOOLS = {
  'lsoe (packet socket)': { cmd: (ifname) => [process.execPath, path.join(repoRoot, 'bin/lsoe'), 'sniff', '-i', ifname, '--json', '-B', '4096'], env: {} },
  'lsoe (libpcap)': { cmd: (ifname) => [process.execPath, path.join(repoRoot, 'bin/lsoe'), 'sniff', '-i', ifname, '--json', '-B', '4096'], env: { LSOE_CAPTURE: 'libpcap' } },
  tcpdump: { cmd: (ifname) => ['tcpdump', '-i', ifname, '-nn', '-e', '-x', '-l', '-B', '4096', 'ether', 'proto', '0x88b5'], env: {} },
};

function waitFor(stream, pattern, what, ms = 20_000) {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no ${pattern} within ${ms} ms: ${text.slice(-300)}`)), ms);
    const on = (d) => {
      text += d;
      if (pattern.test(text)) {
        clearTimeout(timer);
        stream.off('data', on);
        resolve(text);
      }
    };
    stream.on('data', on);
  });
}

/** Sends VENDOR PDUs numbered from..to-1 through the probe, `chunk` at a time `pauseMs` apart; resolves when it is through. */
async function send(probe, dst, from, to, chunk = Infinity, pauseMs = 0) {
  for (let i = from; i < to; i++) {
    const frame = framesOf({ type: 'VENDOR', enterpriseNumber: i, enterpriseType: 1, data: 'ab'.repeat(1400) })[0];
    probe.stdin.write(JSON.stringify({ send: { dst, payload: frame.toString('hex') } }) + '\n');
    if ((i - from) % chunk === chunk - 1) await sleep(pauseMs);
  }
  const done = waitFor(probe.stdout, /"event":"stats"/, 'sender');
  probe.stdin.write('{"stats":true}\n');
  await done;
}

async function one(label, tool, { stallFrames, stallSeconds }, log) {
  return withNamespacePair(['lsoess', 'lsoesr'], async ({ nsA, nsB, children }) => {
    vethPairs(nsA, nsB, [['s0', 's1']]);
    const probe = spawn('ip', ['netns', 'exec', nsA, process.execPath, PROBE, JSON.stringify({ ifname: 's0', kind: 'packet' })], { stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(probe);
    await waitFor(probe.stdout, /"ready"/, 'sender');
    const [cmd, ...args] = tool.cmd('s1');
    const child = spawn('ip', ['netns', 'exec', nsB, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...tool.env } });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.pause(); // the reader stalls (after what Node reads ahead: 64 KiB)
    await waitFor(child.stderr, /listening on/, label);
    const dst = macOf(nsB, 's1');
    // fill the output: 1 MiB of lsoe's JSON in flight and the pipe, tcpdump's hex likewise
    const filling = 800;
    await send(probe, dst, 0, filling, 20, 100);
    await sleep(500);
    const cpu0 = cpuTicks(child.pid);
    const rss0 = rssKiB(child.pid);
    await send(probe, dst, filling, filling + stallFrames);
    await sleep(stallSeconds * 1000);
    const cpu1 = cpuTicks(child.pid);
    const rss1 = rssKiB(child.pid);
    // the reader comes back
    // records: lines that do not start with white space (tcpdump's hex lines do)
    let bytes = 0;
    let lines = 0;
    let lineStart = true;
    child.stdout.on('data', (d) => {
      bytes += d.length;
      for (const c of d) {
        if (lineStart && c !== 9 && c !== 32) lines++;
        lineStart = c === 10;
      }
    });
    child.stdout.resume();
    await sleep(3000);
    child.kill('SIGINT');
    await new Promise((r) => child.once('close', r));
    const dropped = /(\d+) (?:packets )?dropped by (?:the )?kernel/.exec(stderr)?.[1];
    const r = {
      tool: label,
      framesSent: filling + stallFrames,
      stallCpuSeconds: (cpu1 - cpu0) / TICKS_PER_S,
      rssMiBBefore: Number((rss0 / 1024).toFixed(1)),
      rssMiBAfter: Number((rss1 / 1024).toFixed(1)),
      recordsOut: lines,
      outputMiB: Number((bytes / 1048576).toFixed(1)),
      droppedByKernel: dropped === undefined ? null : Number(dropped),
      summary: stderr.trim().split('\n').filter((l) => /dropped/.test(l)).join(' | '),
      loadAverage: Number(loadavg()[0].toFixed(1)),
    };
    log(`${label}: ${r.stallCpuSeconds} CPU s over the ${stallSeconds} s stall, RSS ${r.rssMiBBefore} -> ${r.rssMiBAfter} MiB; ${r.summary}`);
    return r;
  });
}


export async function run(ctx) {
  const notRoot = skipUnlessRoot(ctx, 'sniff-stall');
  if (notRoot) return notRoot;
  const opts = { stallFrames: ctx.args.stallFrames ?? 3000, stallSeconds: ctx.args.stallSeconds ?? 3 };
  const results = [];
  for (const [label, tool] of Object.entries(TOOLS)) {
    if (label === 'tcpdump' && !which('tcpdump')) {
      ctx.log('tcpdump: not installed, skipped');
      continue;
    }
    results.push(await one(label, tool, opts, ctx.log));
  }
  printTable(
    `a capture whose reader stalls: ${opts.stallFrames} full-size frames arrive during a ${opts.stallSeconds} s stall (-B 4096 each)`,
    ['tool', 'CPU s while stalled', 'RSS MiB before', 'RSS MiB after', 'dropped by kernel', 'frames printed'],
    results.map((r) => [r.tool, r.stallCpuSeconds.toFixed(2), r.rssMiBBefore, r.rssMiBAfter, r.droppedByKernel ?? 'n/a', r.recordsOut]),
  );
  return { ...opts, results };
}

if (process.argv[1] === benchFile) {
  const argv = process.argv.slice(2);
  const arg = (flag) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  await run({ args: { stallFrames: arg('--stall-frames'), stallSeconds: arg('--stall-seconds') }, log: (t) => process.stdout.write(`${t}\n`) });
}
