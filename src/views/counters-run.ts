// `lsoe counters`: daemon-wide counters and, per interface, neighbours by state; once,
// or again every --interval seconds with the change since the last reading.
import type { InterfaceNeighbors } from '../daemon/core.js';
import { createOutput, type Output } from '../render/output.js';
import { openDaemon, toCliError } from './daemon-client.js';
import type { ControlClient } from '../ctl/client.js';
import { sortInterfaces } from './neighbors-text.js';

export interface CountersOptions {
  socket: string;
  timeoutMs?: number;
  json: boolean;
  watch: boolean;
  /** seconds between readings with watch */
  interval: number;
}

export interface InterfaceCounters {
  ifname: string;
  up: boolean;
  open: number;
  opening: number;
  hopeless: number;
  down: number;
  flaps: number;
}

export interface CountersReading {
  time: string;
  /** the daemon's answer as it is (per-reason maps nested, e.g. malformedBy.checksum) */
  daemon: Record<string, unknown>;
  interfaces: InterfaceCounters[];
}

/** `{malformedBy: {checksum: 2}}` → `{'malformedBy.checksum': 2}`: one row per number. */
export function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'number') out[prefix + k] = v;
    else if (typeof v === 'object' && v !== null) Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
  }
  return out;
}

export function perInterface(list: readonly InterfaceNeighbors[]): InterfaceCounters[] {
  return sortInterfaces(list).map((i) => {
    const n = (state: string) => i.neighbors.filter((x) => x.state === state).length;
    return {
      ifname: i.ifname,
      up: i.up,
      open: n('open'),
      opening: n('opening'),
      hopeless: n('hopeless'),
      down: n('down'),
      flaps: i.neighbors.reduce((a, x) => a + x.flaps, 0),
    };
  });
}

async function read(c: ControlClient): Promise<CountersReading> {
  const [daemon, neighbors] = await Promise.all([
    c.request<Record<string, unknown>>('counters'),
    c.request<InterfaceNeighbors[]>('neighbors'),
  ]);
  return { time: new Date().toISOString(), daemon, interfaces: perInterface(neighbors) };
}

function delta(now: number, before: number | undefined): string {
  if (before === undefined || now === before) return '';
  return now > before ? `+${now - before}` : String(now - before);
}

function print(out: Output, r: CountersReading, prev: CountersReading | null): void {
  const now = flatten(r.daemon);
  const before = prev === null ? null : flatten(prev.daemon);
  const keys = Object.keys(now).sort();
  const head = before === null ? ['Counter', 'Value'] : ['Counter', 'Value', 'Change'];
  out.table(
    head,
    keys.map((k) => {
      const row = [k, String(now[k])];
      if (before !== null) row.push(delta(now[k]!, before[k]));
      return row;
    }),
  );
  if (r.interfaces.length > 0) {
    out.line('');
    out.table(
      ['Interface', 'Link', 'Open', 'Opening', 'Hopeless', 'Down', 'Flaps'],
      r.interfaces.map((i) => [i.ifname, i.up ? 'up' : 'down', ...[i.open, i.opening, i.hopeless, i.down, i.flaps].map(String)]),
    );
  }
}

export async function runCounters(opts: CountersOptions): Promise<number> {
  const out = createOutput({ json: opts.json });
  const client = await openDaemon(opts.socket, opts.timeoutMs);
  try {
    let prev: CountersReading | null = null;
    for (;;) {
      const r = await read(client);
      if (out.json) out.record(r);
      else {
        // on a terminal each reading replaces the last; in a pipe they follow each other
        if (opts.watch && process.stdout.isTTY === true) out.line('\u001b[H\u001b[2J' + `lsoe counters every ${opts.interval}s (Ctrl-C stops)  ${r.time}`);
        else if (opts.watch) out.line(`# ${r.time}`);
        print(out, r, prev);
      }
      if (!opts.watch) return 0;
      prev = r;
      await new Promise((resolve) => setTimeout(resolve, opts.interval * 1000));
    }
  } catch (err) {
    throw toCliError(err);
  } finally {
    client.close();
  }
}
