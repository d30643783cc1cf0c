// Benchmark section "startup": what a short run costs before lsoe does any work, side
// by side with its peers (issues 10 and 11: on a 100,000-frame capture start-up was a
// third of lsoe's time). Each command runs --startup-reps times (default 10), all
// interleaved, stdout into a pipe this process drains; medians of wall and CPU time
// (user + system, GNU time), peak RSS, and the files each command opened (one run under
// strace, when installed: JavaScript modules and chunks, JSON, addons). Reports only.
//   lsoe --version           against node -e 0 (Node's own start-up)
//   lsoe decode --json       of a 1-frame capture, against tcpdump -r of the same
//   lsoe decode --help
// and the same lsoe commands from tsc's unbundled output (dist/src), when it is there,
// to show what the bundle (dist/lsoe, scripts/bundle.mjs) saves. bin/lsoe runs `decode`
// and `--version` from dist/lsoe/decode.cjs through V8's code cache (bin/run-cached.cjs),
// every other command from the split ES bundle. The daemon's time to
// ready is bench/daemon-ports.mjs's.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { captureTools, fmtMiB, fmtS, median, printTable, timeOnce, which } from './lib.mjs';

const DEFAULT_REPS = 10;

/** A capture holding one KEEPALIVE frame. */
async function oneFrameCapture(repoRoot, file) {
  const { encodePdu, splitPdu, buildEthernet, CaptureWriter } = await captureTools(repoRoot);
  const w = new CaptureWriter(file);
  const [frame] = splitPdu(encodePdu({ type: 'KEEPALIVE' }));
  w.writeFrame(1_700_000_000, buildEthernet('02:00:00:bb:00:01', '02:00:00:aa:00:01', 0x88b5, frame));
  await w.close();
}

/** Files the command opened (one run under strace), or null without strace. */
function filesOpened(cmd, args, scratch) {
  if (which('strace') === null) return null;
  const log = `${scratch}.strace`;
  spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat', '-o', log, cmd, ...args], { stdio: 'ignore' });
  if (!existsSync(log)) return null;
  const opened = new Set();
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (line.includes('ENOENT')) continue;
    const m = /"([^"]+\.(?:js|mjs|cjs|json|node))"/.exec(line);
    if (m) opened.add(m[1]);
  }
  rmSync(log, { force: true });
  return opened.size;
}

export async function run(ctx) {
  const { repoRoot, outDir, args, log } = ctx;
  const reps = args.startupReps ?? DEFAULT_REPS;
  const capture = path.join(outDir, 'startup-one-frame.pcap');
  await oneFrameCapture(repoRoot, capture);
  const lsoe = path.join(repoRoot, 'bin/lsoe');
  const tsc = path.join(repoRoot, 'dist/src/cli.js');
  const bundled = existsSync(path.join(repoRoot, 'dist/lsoe/cli.js'));
  // Node runs as bin/lsoe's shebang starts it: without NODE_EXTRA_CA_CERTS (lsoe makes
  // no TLS connection, and Node 20 parses that bundle at every start), and, for the
  // unbundled runs, without a V8 flag as bin/lsoe, so that every row pays the same start-up.
  const node = (rest) => ({ cmd: 'env', args: ['-u', 'NODE_EXTRA_CA_CERTS', process.execPath, ...rest] });
  const unbundled = (rest) => node([tsc, ...rest]);
  const commands = [
    { name: 'node -e 0', ...node(['-e', '0']) },
    { name: 'lsoe --version', cmd: lsoe, args: ['--version'] },
    { name: 'lsoe decode --help', cmd: lsoe, args: ['decode', '--help'] },
    { name: 'lsoe decode --json (1 frame)', cmd: lsoe, args: ['decode', '--json', capture] },
    { name: 'tcpdump -r (1 frame)', cmd: 'tcpdump', args: ['-r', capture, '-nn', '-e', '-x'], optional: true },
  ];
  if (bundled && existsSync(tsc)) {
    commands.push(
      { name: 'unbundled --version', ...unbundled(['--version']) },
      { name: 'unbundled decode --json (1 frame)', ...unbundled(['decode', '--json', capture]) },
    );
  }
  const active = commands.filter((c) => !c.optional || which(c.cmd) !== null);
  for (const c of commands) if (!active.includes(c)) log(`${c.name}: ${c.cmd} not installed, skipped`);
  for (const c of active) c.runs = [];
  const loads = [loadavg()[0]];
  for (let i = 0; i < reps; i++) {
    for (const c of active) {
      const r = await timeOnce(c.cmd, c.args, { stdoutTo: 'pipe' });
      if (r.exitCode !== 0) throw new Error(`${c.name} failed (exit ${r.exitCode}): ${r.stderrTail}`);
      c.runs.push(r);
    }
    loads.push(loadavg()[0]);
  }
  for (const c of active) {
    c.wallS = median(c.runs.map((r) => r.wallS));
    c.cpuS = c.runs.every((r) => r.cpuS !== null) ? median(c.runs.map((r) => r.cpuS)) : null;
    c.rssKiB = c.runs.every((r) => r.rssKiB !== null) ? Math.max(...c.runs.map((r) => r.rssKiB)) : null;
    c.files = filesOpened(c.cmd, c.args, path.join(outDir, 'startup'));
  }
  const by = (name) => active.find((c) => c.name === name);
  const over = (a, b) => (by(a)?.cpuS != null && by(b)?.cpuS != null ? by(a).cpuS - by(b).cpuS : null);
  printTable(
    `start-up: medians of ${reps} interleaved runs, stdout into a pipe, load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} on ${cpus().length} cores`,
    ['command', 'wall s', 'CPU s', 'peak RSS MiB', 'files opened'],
    active.map((c) => [c.name, fmtS(c.wallS), fmtS(c.cpuS), fmtMiB(c.rssKiB), c.files ?? 'n/a (no strace)']),
  );
  const ratio = (a, b) => (by(a)?.cpuS && by(b)?.cpuS ? by(a).cpuS / by(b).cpuS : null);
  const lines = [
    ['lsoe --version over node -e 0', over('lsoe --version', 'node -e 0')],
    ['lsoe decode --json (1 frame) over node -e 0', over('lsoe decode --json (1 frame)', 'node -e 0')],
    ['the bundle saves on --version', over('unbundled --version', 'lsoe --version')],
    ['the bundle saves on decode --json (1 frame)', over('unbundled decode --json (1 frame)', 'lsoe decode --json (1 frame)')],
  ];
  for (const [what, s] of lines) if (s !== null) log(`${what}: ${fmtS(s)} s of CPU`);
  const vsTcpdump = ratio('lsoe decode --json (1 frame)', 'tcpdump -r (1 frame)');
  if (vsTcpdump !== null) log(`lsoe decode --json of 1 frame takes ${vsTcpdump.toFixed(1)}× tcpdump's CPU time`);
  return {
    section: 'startup',
    date: new Date().toISOString(),
    host: { node: process.version, platform: `${process.platform}-${process.arch}` },
    reps,
    bundled,
    loadAverage: { min: Math.min(...loads), max: Math.max(...loads), cores: cpus().length },
    commands: active.map(({ name, cmd, args: a, wallS, cpuS, rssKiB, files }) => ({ name, command: [path.relative(repoRoot, cmd) || cmd, ...a].join(' '), wallS, cpuS, rssKiB, files })),
  };
}
