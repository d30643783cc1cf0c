// The daemon core's cost per KEEPALIVE, in process (issue 10): two cores (a build's
// dist/src) joined by in-memory links on N interfaces under a manual clock with the real
// clock's quarter-second slots, sessions opened, then idle seconds of KEEPALIVEs only.
// Reports, per session and second (one KEEPALIVE sent and one received by a daemon), the
// heap bytes allocated (no scavenge during the count) and ns (noisy on a shared machine).
// Run without TurboFan (--no-opt): an idle daemon's 16 frames a second leave its code
// unoptimised, so bytecodes and allocations are what it pays. Instructions: run the child
// under `valgrind --tool=callgrind` with 0 and N seconds and subtract. With --against DIR
// (another checkout, e.g. main), both builds side by side. Runs alone; not a section of
// `npm run bench`.
//
//   node bench/daemon-keepalive.mjs [--against /work/main] [--links 8] [--seconds 2000]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);

/** Timers on the daemon's grid (0.25 s from 0.5 s, as DAEMON_TIMER_SLACK), fired when told. */
class SlotClock {
  t = 1_700_000_000.1;
  seq = 1;
  buckets = new Map();
  atOf = new Map();
  constructor(pump) {
    this.pump = pump;
  }
  now() {
    return this.t;
  }
  setTimer(delay, fn) {
    const id = this.seq++;
    const at = delay >= 0.5 ? Math.ceil((this.t + delay) / 0.25) * 0.25 : this.t + Math.max(0, delay);
    let b = this.buckets.get(at);
    if (b === undefined) this.buckets.set(at, (b = new Map()));
    b.set(id, fn);
    this.atOf.set(id, at);
    return { id };
  }
  clearTimer(h) {
    const at = this.atOf.get(h.id);
    if (at === undefined) return;
    this.atOf.delete(h.id);
    const b = this.buckets.get(at);
    b.delete(h.id);
    if (b.size === 0) this.buckets.delete(at);
  }
  advanceTo(end) {
    for (;;) {
      let first = Infinity;
      for (const at of this.buckets.keys()) if (at < first) first = at;
      if (first > end) break;
      const b = this.buckets.get(first);
      this.buckets.delete(first);
      if (first > this.t) this.t = first;
      for (const [id, fn] of b) {
        this.atOf.delete(id);
        fn();
      }
      this.pump();
    }
    this.t = end;
  }
}

async function child(repo, links, seconds) {
  const imp = (p) => import(path.join(repo, 'dist/src', p));
  const { Daemon } = await imp('daemon/core.js');
  const { guardedClock } = await imp('daemon/clock.js');
  const { buildConfig } = await imp('daemon/config.js');
  const queue = [];
  const pump = () => {
    for (let i = 0; i < queue.length; i++) queue[i][0].deliver(queue[i][1]);
    queue.length = 0;
  };
  const clock = new SlotClock(pump);
  const padded = new WeakMap();
  const link = (ifname, mac) => {
    const handlers = [];
    const l = {
      ifname, mac, ethertype: 0x88b5, peer: null,
      send(dst, payload) {
        // (what a NIC pads; the same payload object is sent every time, so padded once)
        let p = padded.get(payload);
        if (p === undefined) padded.set(payload, (p = Buffer.alloc(Math.max(46, payload.length))), payload.copy(p));
        if (dst !== l.peer.mac && dst !== '01:80:c2:00:00:0e') return;
        queue.push([l.peer, { ifname: l.peer.ifname, time: clock.t, dst, src: mac, ethertype: 0x88b5, payload: p }]);
      },
      onFrame: (h) => handlers.push(h),
      onError() {},
      stats: () => ({ received: 0, dropped: 0, ifDropped: 0 }),
      close() {},
      deliver: (f) => handlers.forEach((h) => h(f)),
    };
    return l;
  };
  const hex = (i) => (i + 16).toString(16);
  const sides = [new Map(), new Map()];
  for (let i = 0; i < links; i++) {
    const a = link(`a${i}`, `02:00:00:00:0a:${hex(i)}`);
    const b = link(`b${i}`, `02:00:00:00:0b:${hex(i)}`);
    a.peer = b;
    b.peer = a;
    sides[0].set(a.ifname, a);
    sides[1].set(b.ifname, b);
  }
  const iface = (l, i) => ({
    name: l.ifname, index: i + 2, mac: l.mac, adminUp: true, lowerUp: true, up: true, loopback: false, mtu: 1500, linkType: 'ether',
    addresses: [{ family: 'inet', address: `10.${i}.0.${l.ifname[0] === 'a' ? 1 : 2}`, prefixLength: 24, scope: 'global', secondary: false, tentative: false }],
  });
  const flags = { 'keepalive-send-interval': '1', 'keepalive-receive-timeout': '60', 'hello-interval': '60' };
  const cores = sides.map((m, n) => {
    const localId = (n === 0 ? '0a' : '0b').repeat(10);
    let seed = n + 1;
    const core = new Daemon({
      config: buildConfig({ flags: { 'local-id': localId, ...flags } }),
      localId,
      clock: guardedClock(clock, (e) => {
        throw e;
      }),
      random: () => (seed = (seed * 1103515245 + 12345) >>> 0),
      openLink: async (ifname) => m.get(ifname),
    });
    core.start([...m.values()].map(iface));
    return core;
  });
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  for (let t = 0; t < 40; t += 0.05) clock.advanceTo(clock.t + 0.05), pump();
  const open = cores[0].sessions().filter((s) => s.state === 'open').length;
  if (open !== links) throw new Error(`${open} of ${links} sessions open`);
  const start = Math.ceil(clock.t) + 0.5;
  clock.advanceTo(start);
  globalThis.gc?.();
  const h0 = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  for (let i = 1; i <= seconds; i++) clock.advanceTo(start + i);
  const t1 = process.hrtime.bigint();
  const h1 = process.memoryUsage().heapUsed;
  const n = Math.max(1, seconds * links * 2);
  for (const c of cores) c.stop();
  return { bytes: Math.round((h1 - h0) / n), ns: Math.round(Number(t1 - t0) / n) };
}

if (args[0] === '--child') {
  process.stdout.write(JSON.stringify(await child(args[1], Number(args[2]), Number(args[3]))));
} else {
  const links = Number(opt('--links', '8'));
  const seconds = Number(opt('--seconds', '2000'));
  const builds = [['this build', path.resolve(path.dirname(here), '..')]];
  if (opt('--against')) builds.push([opt('--against'), path.resolve(opt('--against'))]);
  const semi = '256'; // MiB: no scavenge during the count
  const rows = builds.map(([label, repo]) => {
    const out = execFileSync(process.execPath, ['--no-opt', '--expose-gc', `--max-semi-space-size=${semi}`, `--min-semi-space-size=${semi}`, here, '--child', repo, String(links), String(seconds)], { encoding: 'utf8' });
    return { build: label, ...JSON.parse(out) };
  });
  process.stdout.write(`daemon core, ${links} idle open sessions, ${seconds} s: per session and second (one KEEPALIVE sent, one received)\n`);
  for (const r of rows) process.stdout.write(`  ${r.build.padEnd(14)} ${String(r.bytes).padStart(6)} heap bytes ${String(r.ns).padStart(8)} ns\n`);
  if (rows.length === 2) process.stdout.write(`  bytes: ${(rows[0].bytes / rows[1].bytes).toFixed(2)}× of ${rows[1].build}\n`);
  process.stdout.write(`${JSON.stringify({ links, seconds, results: rows })}\n`);
}
