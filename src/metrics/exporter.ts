// The Prometheus side: a prom-client registry whose metrics are the FAMILIES, filled at
// scrape time from one Snapshot of the core, plus prom-client's standard process metrics
// (process_resident_memory_bytes, process_cpu_seconds_total, nodejs_*). prom-client
// writes the text format (escaping, HELP/TYPE, content type), so we do not.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ControlExtensions } from '../ctl/handlers.js';
import type { DaemonCore } from '../daemon/views.js';
import { FAMILIES, type FamilyDef } from './families.js';
import { takeSnapshot, type Snapshot } from './snapshot.js';

export interface Exporter {
  readonly contentType: string;
  /** the exposition text, computed now */
  scrape(): Promise<string>;
}

/** `ext` is what the control socket's handlers get besides the core (the BGP northbound). */
export function createExporter(core: DaemonCore, ext: ControlExtensions = {}): Exporter {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client names a few gauges `nodejs_active_*_total`, which promtool's lint (rightly)
  // refuses: a gauge must not end in _total. The un-suffixed gauges say the same.
  for (const m of registry.getMetricsAsArray() as unknown as Array<{ name: string; type: string }>) {
    if (m.type === 'gauge' && m.name.endsWith('_total')) registry.removeSingleMetric(m.name);
  }
  let current: Snapshot | null = null;
  const fill = (metric: Counter<string> | Gauge<string>, def: FamilyDef) => {
    metric.reset();
    if (current === null) return;
    for (const { labels, value } of def.samples(current)) {
      if (metric instanceof Counter) metric.inc(labels, value);
      else metric.set(labels, value);
    }
  };
  for (const def of FAMILIES) {
    const config = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry] };
    if (def.type === 'counter') {
      new Counter({ ...config, collect(this: Counter<string>) { fill(this, def); } });
    } else {
      new Gauge({ ...config, collect(this: Gauge<string>) { fill(this, def); } });
    }
  }
  // prom-client awaits between metrics: scrapes run one after the other, so one
  // scrape's snapshot is never replaced by another's halfway.
  let queue: Promise<unknown> = Promise.resolve();
  const scrapeNow = async () => {
    current = takeSnapshot(core, ext);
    try {
      return await registry.metrics();
    } finally {
      current = null;
    }
  };
  return {
    contentType: registry.contentType,
    scrape() {
      const run = queue.then(scrapeNow);
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
