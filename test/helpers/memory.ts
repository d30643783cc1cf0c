// What a process under test holds, read through memory-probe.ts: start the process with
// memoryProbeEnv(file) in its environment, then probeMemory(pid, file) collects its garbage
// and returns what is left (the live JS heap, and RSS split into private and file-backed).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface MemoryReading {
  /** live JS heap after a full collection (bytes) */
  heapUsed: number;
  /** pages the JS heap holds, used or not (bytes) */
  heapCommitted: number;
  /** pages V8's young generation holds (bytes) */
  young: number;
  external: number;
  arrayBuffers: number;
  rssKb: number;
  /** private memory: what a leak grows */
  rssAnonKb: number;
  /** pages of files (the node binary's code): faulted in as new code runs, dropped under memory pressure */
  rssFileKb: number;
}

const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'memory-probe.js');

/**
 * Environment for a Node process that should answer probeMemory. It replaces NODE_OPTIONS:
 * the process then runs as users run it, plus the probe, without what the test runner
 * injects into its children (tap's process tracker, a module loader on its own thread,
 * whose memory would be read as the daemon's).
 */
export function memoryProbeEnv(out: string): NodeJS.ProcessEnv {
  return { NODE_OPTIONS: `--expose-gc --import=${pathToFileURL(PROBE).href}`, LSOE_MEMORY_PROBE_OUT: out };
}

function lines(out: string): string[] {
  return existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter((l) => l !== '') : [];
}

/** Asks `pid` (started with memoryProbeEnv(out)) for a reading after a full collection. */
export async function probeMemory(pid: number, out: string, timeoutMs = 10000): Promise<MemoryReading> {
  const seen = lines(out).length;
  process.kill(pid, 'SIGUSR2');
  const end = Date.now() + timeoutMs;
  for (;;) {
    const all = lines(out);
    if (all.length > seen) return JSON.parse(all[seen]!) as MemoryReading;
    if (Date.now() > end) throw new Error(`no memory reading from pid ${pid} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
