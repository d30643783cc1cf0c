// What the benchmark sections read about a running process from /proc, and small
// waiting helpers; the namespaces and daemons of the daemon sections. Reports only.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port on 127.0.0.1 that nothing listens on now (for `lab up --port`). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `lsoe ARGS` (this checkout's bin/lsoe, no colour) to its end: { code, stdout, stderr }. */
export function runLsoe(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'lsoe'), ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The collector's event stream: keeps the view as the page does (whole views, and "change"
 * events laid over them with applyChange, as the page does); `until(pred)` resolves at the
 * first view that satisfies it; `onView(view, at, kind)`, if given, sees the view after
 * each whole view ('message') or change ('change'). "heard" events are not followed.
 */
export async function followPage(url, onView = () => undefined) {
  const { applyChange } = await import(pathToFileURL(path.join(repoRoot, 'dist', 'src', 'lab', 'view-change.js')).href);
  const ctl = new AbortController();
  const res = await fetch(`${url}events`, { signal: ctl.signal });
  let view = null;
  const waiters = new Set();
  (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body) {
        buf += decoder.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const event = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const lines = event.split('\n');
          const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          const kind = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
          if (data === '' || (kind !== 'message' && kind !== 'change') || (kind === 'change' && view === null)) continue;
          view = kind === 'message' ? JSON.parse(data) : applyChange(view, JSON.parse(data));
          const at = Date.now();
          onView(view, at, kind);
          for (const w of [...waiters]) if (w.pred(view)) { waiters.delete(w); w.resolve(at); }
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    until(pred, timeoutMs = 30000) {
      if (view !== null && pred(view)) return Promise.resolve(Date.now());
      return new Promise((resolve) => {
        const w = { pred, resolve };
        waiters.add(w);
        setTimeout(() => { if (waiters.delete(w)) resolve(null); }, timeoutMs);
      });
    },
    close: () => ctl.abort(),
  };
}

/** utime + stime of `pid`, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
export function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** The live processes under `pid` (itself first), from /proc's parent links. */
export function processTree(pid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${name}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

/**
 * CPU ticks of `pid` and everything it started: utime + stime + cutime + cstime of each
 * live process of its tree (cutime/cstime: its children already reaped, e.g. each `ip` run).
 */
export function treeCpuTicks(pid) {
  let sum = 0;
  for (const p of processTree(pid)) {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      sum += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}

/** Context switches of every thread of `pid` (voluntary ones: each is a sleep, i.e. a wake-up after). */
export function contextSwitches(pid) {
  let voluntary = 0;
  let involuntary = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const st = readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
      voluntary += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(st)?.[1] ?? 0);
      involuntary += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(st)?.[1] ?? 0);
    } catch {
      // thread gone
    }
  }
  return { voluntary, involuntary };
}

export function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : null;
}

export const TICKS_PER_S = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Share of one core that `pids` used together over `seconds` of wall time. */
export async function cpuShare(pids, seconds) {
  const t0 = pids.reduce((a, p) => a + cpuTicks(p), 0);
  const w0 = performance.now();
  await sleep(seconds * 1000);
  const t1 = pids.reduce((a, p) => a + cpuTicks(p), 0);
  return (t1 - t0) / TICKS_PER_S / ((performance.now() - w0) / 1000);
}

/** `ip args`, throwing with its stderr on failure; returns stdout. */
export function ip(args, input) {
  const r = spawnSync('ip', args, { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

// ---- the namespaces, daemons and control-socket questions the daemon sections share ----

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One control-socket request through src/ctl/client.ts (the one client). */
export async function query(socket, method, params) {
  const { connectControl } = await import(pathToFileURL(path.join(repoRoot, 'dist/src/ctl/client.js')).href);
  const c = await connectControl(socket);
  try {
    return await c.request(method, params);
  } finally {
    c.close();
  }
}

/**
 * `lsoe daemon ARGS` inside namespace `ns` (with `shebang`, bin/lsoe run as users run it, its
 * shebang's node flags included). Its stderr is kept: `child.lines` counts its lines,
 * `child.lastLines(n)` gives the last n joined (for "why did it fail").
 */
export function spawnDaemon(ns, args, env = {}, { shebang = false } = {}) {
  const lsoe = path.join(repoRoot, 'bin/lsoe');
  return spawnInNamespace(ns, [...(shebang ? [lsoe] : [process.execPath, lsoe]), 'daemon', ...args], env);
}

/** Any command inside namespace `ns` (`ip netns exec` execs it: the child's pid is the command's), stderr kept as spawnDaemon's. */
export function spawnInNamespace(ns, argv, env = {}) {
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let tail = '';
  child.lines = 0;
  child.stderr.on('data', (d) => {
    child.lines += d.toString().split('\n').length - 1;
    tail = (tail + d).slice(-4000);
  });
  child.lastLines = (n = 3) => tail.trim().split('\n').slice(-n).join(' | ');
  return child;
}

/** veth pairs `[nameInA, nameInB]` between namespaces `nsA` and `nsB`, every end up. */
export function vethPairs(nsA, nsB, pairs) {
  ip(['-batch', '-'], pairs.map(([a, b]) => `link add name ${a} netns ${nsA} type veth peer name ${b} netns ${nsB}`).join('\n') + '\n');
  ip(['-n', nsA, '-batch', '-'], pairs.map(([a]) => `link set ${a} up`).join('\n') + '\n');
  ip(['-n', nsB, '-batch', '-'], pairs.map(([, b]) => `link set ${b} up`).join('\n') + '\n');
}

export const macOf = (ns, ifname) => JSON.parse(ip(['-n', ns, '-j', 'link', 'show', ifname]))[0].address;

/**
 * Runs `fn({ tag, nsA, nsB, dir, children })` with two fresh namespaces named
 * `prefixA+tag` and `prefixB+tag` and a temporary directory; afterwards, even on failure,
 * stops every process pushed on `children` (SIGTERM first: a daemon killed outright
 * leaves its `ip monitor` child behind) and removes the namespaces and the directory.
 */
export async function withNamespacePair([prefixA, prefixB], fn) {
  const tag = process.pid.toString(36) + randomBytes(2).toString('hex');
  const nsA = `${prefixA}${tag}`;
  const nsB = `${prefixB}${tag}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'lsoe-bench-'));
  const children = [];
  try {
    ip(['netns', 'add', nsA]);
    ip(['netns', 'add', nsB]);
    return await fn({ tag, nsA, nsB, dir, children });
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    for (let i = 0; i < 50 && children.some((c) => c.exitCode === null); i++) await sleep(100);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', nsA]);
    spawnSync('ip', ['netns', 'del', nsB]);
    rmSync(dir, { recursive: true, force: true });
  }
}
