// `metrics` section: what one Prometheus scrape of `lsoe daemon --metrics` costs as the
// session table grows, side by side with the control socket's `sessions` answer for the
// same table (the JSON `lsoe sessions --json` reads), through the real HTTP listener and
// prom-client. The core is a stand-in holding N open sessions on 48 interfaces, each with
// 4 learned encapsulations: the listener, exporter and handlers are the daemon's own.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, printTable, fmtInt } from './lib.mjs';

function standInCore(n) {
  const sessions = [];
  const learned = [];
  for (let i = 0; i < n; i++) {
    const ifname = `swp${i % 48}`;
    const peerMac = `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    sessions.push({ ifname, peerMac, peerId: null, state: 'open', since: '2026-01-01T00:00:00.000Z', until: null, lastHeard: null, counters: { txPdus: i, rxPdus: i, retransmits: 0, errors: 0 } });
    learned.push({ ifname, peerMac, peerId: null, type: 'IPV4_ENCAPSULATION', encaps: Array.from({ length: 4 }, (_, k) => ({ address: `10.${i >> 8 & 255}.${i & 255}.${k}`, prefixLength: 31, primary: k === 0, loopback: false })) });
  }
  const counters = { framesReceived: n * 100, pdusSentBy: { HELLO: 10, OPEN: n }, malformedBy: { checksum: 1 } };
  return {
    sessions: () => sessions, learnedEncaps: () => learned, announcedEncaps: () => [],
    neighbors: () => Array.from({ length: 48 }, (_, i) => ({ ifname: `swp${i}`, mac: null, up: true, running: true, neighbors: [] })),
    counters: () => counters, config: () => ({ 'effective-local-id': '0a0a0a0a0a0a0a0a0a01', 'looking-glass': true }),
    version: () => 'bench', subscribe: () => () => undefined,
  };
}

async function timeGets(url, reps) {
  const times = [];
  let bytes = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    const body = await (await fetch(url, { headers: { Host: 'localhost' } })).text();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    bytes = body.length;
  }
  return { ms: median(times), bytes };
}

export async function run(ctx) {
  const { MetricsService } = await import(pathToFileURL(path.join(ctx.repoRoot, 'dist/src/metrics/service.js')).href);
  const { createServer } = await import('node:net');
  const results = [];
  for (const n of [10, 1000, 10000]) {
    const free = createServer();
    await new Promise((r) => free.listen(0, '127.0.0.1', r));
    const port = free.address().port;
    await new Promise((r) => free.close(r));
    const service = new MetricsService(standInCore(n), { info: () => undefined, error: (m) => ctx.log(m) });
    await service.apply(`127.0.0.1:${port}`);
    try {
      await timeGets(`http://127.0.0.1:${port}/metrics`, 2); // warm up (prom-client loads)
      const reps = Math.max(5, ctx.args.reps * 5);
      const scrape = await timeGets(`http://127.0.0.1:${port}/metrics`, reps);
      const sessions = await timeGets(`http://127.0.0.1:${port}/looking-glass/sessions`, reps);
      results.push({ sessions: n, scrapeMs: scrape.ms, scrapeBytes: scrape.bytes, sessionsJsonMs: sessions.ms, sessionsJsonBytes: sessions.bytes, ratio: scrape.ms / sessions.ms });
    } finally {
      await service.close();
    }
  }
  printTable(
    'metrics: one /metrics scrape vs the sessions answer (same table, same listener; median ms)',
    ['sessions', 'scrape ms', 'scrape bytes', 'sessions JSON ms', 'JSON bytes', 'scrape / JSON'],
    results.map((r) => [fmtInt(r.sessions), r.scrapeMs.toFixed(2), fmtInt(r.scrapeBytes), r.sessionsJsonMs.toFixed(2), fmtInt(r.sessionsJsonBytes), `${r.ratio.toFixed(2)}x`]),
  );
  return { results };
}
