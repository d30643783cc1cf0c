// Helpers for the daemon tests in network namespaces: a daemon process whose JSON log
// lines are parsed as they come, a northbound collector on a Unix socket, and control
// socket queries.
import http from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectControl } from '../../src/ctl/client.js';
import type { SessionView, LearnedEncaps } from '../../src/daemon/views.js';
import type { Counters } from '../../src/daemon/counters.js';
import { spawnLsoe, type ManagedProcess, type Netns, type TeardownHost } from '../helpers/netns.js';

export interface LogLine {
  time: string;
  level: string;
  subsystem: string;
  msg: string;
  event?: string;
  [k: string]: unknown;
}

export function logLines(proc: ManagedProcess): LogLine[] {
  const out: LogLine[] = [];
  for (const line of proc.stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // a line still being written
    }
  }
  return out;
}

export interface DaemonProc {
  proc: ManagedProcess;
  /** the daemon's own children (its `ip monitor`), noted once it is ready */
  children: number[];
  socket: string;
  events(): LogLine[];
  /** Waits until a log line satisfies `pred` (15 s guard against a hang, not a timing check). */
  waitLog(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<void>;
  sessions(): Promise<SessionView[]>;
  learned(): Promise<LearnedEncaps[]>;
  counters(): Promise<Counters>;
}

export function tempDir(t: TeardownHost): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lsoe-daemon-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function query<T>(socket: string, method: 'sessions' | 'encaps.learned' | 'counters'): Promise<T> {
  const client = await connectControl(socket);
  try {
    return await client.request<T>(method);
  } finally {
    client.close();
  }
}

export function startDaemon(t: TeardownHost, ns: Netns, dir: string, name: string, args: string[], env: NodeJS.ProcessEnv = {}): DaemonProc {
  const socket = path.join(dir, `${name}.sock`);
  const proc = spawnLsoe(t, ns, ['daemon', '--log-format', 'json', '--socket', socket, ...args], { env });
  const d: DaemonProc = {
    proc,
    children: [],
    socket,
    events: () => logLines(proc).filter((l) => l.event !== undefined),
    waitLog: (pred, timeoutMs = 15000) =>
      proc.waitFor(
        (text) =>
          text
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .some((l) => {
              try {
                return pred(JSON.parse(l) as LogLine);
              } catch {
                return false;
              }
            }),
        'stderr',
        timeoutMs,
      ),
    sessions: () => query<SessionView[]>(socket, 'sessions'),
    learned: () => query<LearnedEncaps[]>(socket, 'encaps.learned'),
    counters: () => query<Counters>(socket, 'counters'),
  };
  // A daemon killed with SIGKILL cannot stop its `ip monitor` child, which would then
  // live on (and keep the namespace alive): stop those by their pid.
  t.teardown(() => {
    for (const pid of d.children) {
      try {
        // only while it is still that child (a pid can be reused once it exits)
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('monitor')) continue;
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
  return d;
}

/** Child pids of `pid` (all its threads), from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // exited
  }
  return out;
}

/** Waits for the control socket to answer (the daemon is up). */
export async function waitReady(d: DaemonProc): Promise<void> {
  await d.waitLog((l) => /control socket listening/.test(l.msg));
  // `ip netns exec` execs the daemon, so the spawned pid is the daemon's
  if (d.proc.child.pid !== undefined) d.children = childrenOf(d.proc.child.pid);
}

export interface Collector {
  url: string;
  /** every report body, parsed, in arrival order (raw text kept too) */
  reports: Array<{ raw: string; body: Record<string, unknown> }>;
  /** latest encaps per unique key, as the reference collector keeps them */
  table(): Map<string, unknown[]>;
}

/** An HTTP server on a Unix socket that keeps what the daemons POST. */
export async function startCollector(t: TeardownHost, dir: string): Promise<Collector> {
  const file = path.join(dir, 'collector.sock');
  const reports: Collector['reports'] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      try {
        reports.push({ raw, body: JSON.parse(raw) as Record<string, unknown> });
      } catch {
        reports.push({ raw, body: {} });
      }
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(file, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    url: `unix:${file}`,
    reports,
    table() {
      const m = new Map<string, unknown[]>();
      for (const r of reports) m.set(JSON.stringify(r.body.unique), r.body.encaps as unknown[]);
      return m;
    },
  };
}

/** Polls `check` every 100 ms until it returns true (guarded by a generous limit). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 15000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
