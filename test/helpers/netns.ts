// Network namespaces and veth pairs for tests that need real interfaces.
//
// Everything here needs root. Names are unique per process (pid + counter +
// random suffix, interface names within Linux's 15 characters), traffic
// stays inside the namespaces (veth ends are created directly inside them,
// never in the host namespace), and everything is removed again: by
// t.teardown, and, should the test process be killed or crash, by exit and
// signal handlers. Deleting a namespace also deletes the veth ends inside it.
//
// Usage:
//
//   import t from 'tap';
//   import { rootOrSkip, createNetns, createVethPair, spawnLsoe } from '../helpers/netns.js';
//
//   t.test('sniff sees a HELLO', async (t) => {
//     if (!rootOrSkip(t)) return;
//     const [a, b] = await createVethPair(t, await createNetns(t, 'a'), await createNetns(t, 'b'));
//     // a.ifname/a.mac live in a.ns, b.* in b.ns; both ends are up
//     const sniff = spawnLsoe(t, b.ns, ['sniff', '-i', b.ifname, '-c', '1', '--json']);
//     await sniff.waitFor(/listening/, 'stderr');
//     await a.ns.exec('some-sender', [a.ifname]);      // a command inside namespace a
//     const { code } = await sniff.exited;
//     t.equal(code, 0);
//     t.match(sniff.stdout, /"HELLO"/);
//   });
//
// spawnInNetns(t, ns, cmd, args) runs any program inside a namespace,
// spawnNode(t, ns, script, args) a Node script (e.g. a compiled test helper),
// spawnLsoe(t, ns, args) the real bin/lsoe. Each returns a ManagedProcess
// (stdout/stderr collected, waitFor(), exited, kill(), stop()); it is killed
// in teardown if still running: with SIGKILL, or, when spawned with
// `{ stopGraceMs }` (a daemon that must stop its own children), SIGTERM first
// and SIGKILL only if it is still running after that many milliseconds.
// Deleting a namespace first kills whatever still runs in it (a child that
// outlived its parent).
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './vectors.js';

/** What we need from a tap Test: somewhere to hang cleanup. */
export interface TeardownHost {
  teardown(fn: () => unknown): void;
}

export const LSOE_BIN_PATH = path.join(repoRoot(), 'bin', 'lsoe');

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Skips the test (returns false) unless root; use as `if (!rootOrSkip(t)) return;`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function rootOrSkip(t: { skip: (...args: any[]) => unknown }): boolean {
  if (isRoot()) return true;
  t.skip('needs root (network namespaces)');
  return false;
}

// ---- unique names -------------------------------------------------------

let counter = 0;
const runTag = process.pid.toString(36) + randomBytes(2).toString('hex').slice(0, 3);

/**
 * A name unique to this process and call: `<tag><pid36><rand><n>`, cut to
 * `max` characters keeping the unique part (15 is the interface name limit).
 */
export function uniqueName(tag: string, max = 15): string {
  const unique = runTag + (counter++).toString(36);
  const room = Math.max(0, max - unique.length);
  return (tag.replace(/[^a-zA-Z0-9]/g, '').slice(0, room) + unique).slice(0, max);
}

// ---- cleanup that survives crashes ---------------------------------------

const liveNamespaces = new Set<string>();
const liveChildren = new Set<ChildProcess>();
let hooksInstalled = false;

function cleanupSync(): void {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  liveChildren.clear();
  for (const name of liveNamespaces) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  liveNamespaces.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      cleanupSync();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}

// ---- running commands ----------------------------------------------------

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (no shell) and collects its output; never rejects. */
export function execCommand(cmd: string, args: string[], opts: SpawnOptions & { input?: string } = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', (err) => resolve({ code: null, signal: null, stdout, stderr: stderr + err.message }));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin!.on('error', () => {
      // a command that does not read its input may exit first (EPIPE)
    });
    child.stdin!.end(opts.input ?? '');
  });
}

/** Like execCommand, but rejects with the command and its stderr when it fails. */
export async function mustExec(cmd: string, args: string[], opts: SpawnOptions & { input?: string } = {}): Promise<ExecResult> {
  const r = await execCommand(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.signal ?? r.code}): ${r.stderr.trim()}`);
  return r;
}

export interface ManagedProcess {
  readonly child: ChildProcess;
  /** everything written so far */
  readonly stdout: string;
  readonly stderr: string;
  /** resolves when the process has exited and its output is all read */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Resolves once `stream` (default stdout) matches; rejects when the process
   * exits first or after `timeoutMs` (default 15 s: a hang fails, it is not a
   * timing assertion).
   */
  waitFor(pattern: RegExp | string | ((text: string) => boolean), stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if still running after `graceMs` (default 5000); resolves once it has exited */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** writes to stdin */
  write(text: string): void;
}

/** Extra spawn option: stop with SIGTERM in teardown, SIGKILL after this many ms. */
export interface StopOptions {
  stopGraceMs?: number;
}

function manage(t: TeardownHost, child: ChildProcess, label: string, stopGraceMs?: number): ManagedProcess {
  installHooks();
  liveChildren.add(child);
  const out = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout?.on('data', (d) => {
    out.stdout += d;
    poke();
  });
  child.stderr?.on('data', (d) => {
    out.stderr += d;
    poke();
  });
  child.stdin?.on('error', () => {
    // the process may exit before reading what we wrote
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (err) => {
      out.stderr += `${label}: ${err.message}\n`;
      liveChildren.delete(child);
      resolve({ code: null, signal: null });
    });
    child.on('close', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal });
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
    poke();
  });
  const proc: ManagedProcess = {
    child,
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
    exited,
    waitFor(pattern, stream = 'stdout', timeoutMs = 15_000) {
      const test =
        typeof pattern === 'function' ? pattern : typeof pattern === 'string' ? (s: string) => s.includes(pattern) : (s: string) => pattern.test(s);
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (test(out[stream])) {
            finish();
            resolve();
          } else if (done) {
            finish();
            reject(new Error(`${label} exited before ${stream} matched ${String(pattern)}; stderr: ${out.stderr.trim()}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`${label}: ${stream} did not match ${String(pattern)} within ${timeoutMs} ms; stderr: ${out.stderr.trim()}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop(graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
        if ((await Promise.race([exited, late])) === 'late') child.kill('SIGKILL');
        clearTimeout(timer);
      }
      return exited;
    },
    write(text) {
      child.stdin?.write(text);
    },
  };
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      if (stopGraceMs !== undefined) {
        await proc.stop(stopGraceMs);
        return;
      }
      child.kill('SIGKILL');
      await exited;
    }
  });
  return proc;
}

// ---- namespaces ----------------------------------------------------------

export interface Netns {
  readonly name: string;
  /** runs `cmd args` inside the namespace to completion */
  exec(cmd: string, args: string[], opts?: SpawnOptions & { input?: string }): Promise<ExecResult>;
  /** `ip -n <ns> args`, rejecting on failure */
  ip(args: string[]): Promise<ExecResult>;
  /** deletes the namespace now (teardown does it anyway) */
  destroy(): Promise<void>;
}

/** Creates a fresh namespace (its loopback up), deleted in teardown. */
export async function createNetns(t: TeardownHost, tag = 'ns'): Promise<Netns> {
  installHooks();
  const name = uniqueName(`lsoe${tag}`, 30);
  await mustExec('ip', ['netns', 'add', name]);
  liveNamespaces.add(name);
  const ns: Netns = {
    name,
    exec: (cmd, args, opts) => execCommand('ip', ['netns', 'exec', name, cmd, ...args], opts),
    ip: (args) => mustExec('ip', ['-n', name, ...args]),
    destroy: async () => {
      if (!liveNamespaces.delete(name)) return;
      // Processes left in it (e.g. a killed daemon's `ip monitor`) are ours: the name is unique.
      const pids = (await execCommand('ip', ['netns', 'pids', name])).stdout.split(/\s+/).filter((p) => /^\d+$/.test(p));
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      // SIGKILL takes effect when the process next runs: wait (a bounded while) until they are dead.
      for (let i = 0; i < 100 && pids.some(running); i++) await new Promise((r) => setTimeout(r, 20));
      await execCommand('ip', ['netns', 'del', name]);
    },
  };
  t.teardown(() => ns.destroy());
  await ns.ip(['link', 'set', 'lo', 'up']);
  return ns;
}

/** True while `pid` exists and is not a zombie. */
function running(pid: string): boolean {
  try {
    return !/^Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, ''));
  } catch {
    return false;
  }
}

export interface VethEnd {
  ns: Netns;
  ifname: string;
  mac: string;
}

export interface VethOptions {
  /** bring both ends up (default true) */
  up?: boolean;
  macA?: string;
  macB?: string;
  mtu?: number;
}

/** A veth pair with one end in each namespace (or both in one, then two distinct names). */
export async function createVethPair(t: TeardownHost, nsA: Netns, nsB: Netns, opts: VethOptions = {}): Promise<[VethEnd, VethEnd]> {
  const a = uniqueName('va');
  const b = uniqueName('vb');
  const args = ['link', 'add', 'name', a, 'netns', nsA.name];
  if (opts.macA) args.push('address', opts.macA);
  if (opts.mtu) args.push('mtu', String(opts.mtu));
  args.push('type', 'veth', 'peer', 'name', b, 'netns', nsB.name);
  if (opts.macB) args.push('address', opts.macB);
  if (opts.mtu) args.push('mtu', String(opts.mtu));
  await mustExec('ip', args);
  const ends: [VethEnd, VethEnd] = [
    { ns: nsA, ifname: a, mac: '' },
    { ns: nsB, ifname: b, mac: '' },
  ];
  for (const end of ends) {
    if (opts.up ?? true) await end.ns.ip(['link', 'set', end.ifname, 'up']);
    const info = JSON.parse((await end.ns.ip(['-j', 'link', 'show', 'dev', end.ifname])).stdout) as Array<{ address: string }>;
    end.mac = info[0]!.address;
  }
  // Removing the ends explicitly matters when the namespaces are shared with other tests.
  t.teardown(() => execCommand('ip', ['-n', nsA.name, 'link', 'del', a]));
  return ends;
}

// ---- processes inside a namespace -----------------------------------------

/** Spawns `cmd args` inside `ns`; killed in teardown. */
export function spawnInNetns(t: TeardownHost, ns: Netns, cmd: string, args: string[], opts: SpawnOptions & StopOptions = {}): ManagedProcess {
  const { stopGraceMs, ...spawnOpts } = opts;
  const child = spawn('ip', ['netns', 'exec', ns.name, cmd, ...args], {
    ...spawnOpts,
    env: { ...process.env, NO_COLOR: '1', ...spawnOpts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return manage(t, child, `${path.basename(cmd)} in ${ns.name}`, stopGraceMs);
}

/** Spawns a Node script (e.g. a compiled test helper under dist/test/helpers) inside `ns`. */
export function spawnNode(t: TeardownHost, ns: Netns, script: string, args: string[] = [], opts: SpawnOptions & StopOptions = {}): ManagedProcess {
  return spawnInNetns(t, ns, process.execPath, [script, ...args], opts);
}

/** Spawns the real `bin/lsoe args` inside `ns` (colour off). */
export function spawnLsoe(t: TeardownHost, ns: Netns, args: string[], opts: SpawnOptions & StopOptions = {}): ManagedProcess {
  return spawnNode(t, ns, LSOE_BIN_PATH, args, opts);
}

/** Runs `bin/lsoe args` inside `ns` to completion. */
export function runLsoeIn(ns: Netns, args: string[], opts: SpawnOptions & { input?: string } = {}): Promise<ExecResult> {
  return ns.exec(process.execPath, [LSOE_BIN_PATH, ...args], { ...opts, env: { ...process.env, NO_COLOR: '1', ...opts.env } });
}
