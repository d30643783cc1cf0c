// Loaded into a process under test (`node --expose-gc --import=<this file>`, see
// memoryProbeOptions in memory.ts), never into the product. On SIGUSR2 it collects all
// garbage, then appends one JSON line of what the process still holds to
// $LSOE_MEMORY_PROBE_OUT. Without the collection a reading is mostly the garbage V8 has not
// yet bothered to collect (it swings by ~10 MB in an idle daemon), so a leak could neither be
// seen nor told apart from noise.
import { appendFileSync, readFileSync } from 'node:fs';
import v8 from 'node:v8';

const out = process.env.LSOE_MEMORY_PROBE_OUT;
const gc = (globalThis as { gc?: () => void }).gc;

function statusKb(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

if (out !== undefined && gc !== undefined) {
  process.on('SIGUSR2', () => {
    // Twice: the first pass can leave objects whose finalisers free more.
    gc();
    gc();
    const m = process.memoryUsage();
    const line = {
      heapUsed: m.heapUsed,
      heapCommitted: v8.getHeapStatistics().total_physical_size,
      young: v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space')?.physical_space_size ?? NaN,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      rssKb: statusKb('VmRSS'),
      rssAnonKb: statusKb('RssAnon'),
      rssFileKb: statusKb('RssFile'),
    };
    appendFileSync(out, JSON.stringify(line) + '\n');
  });
}
