// The session machine's cost per KEEPALIVE step, in process (issue 10): two sessions
// opened against each other, then the steady state of an idle session, per second a
// keepalive-send timer step and a received KEEPALIVE step. Heap bytes allocated per step
// (no scavenge during the count: the young generation is made large enough) and ns per
// step (noisy on a shared machine; the bytes are the figure). With --against DIR (another
// build's checkout, e.g. main), both builds side by side in one run. Runs alone; not a
// section of `npm run bench`.
//
//   node bench/session-step.mjs [--against /work/main] [--steps 50000]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);

if (args[0] === '--child') {
  const [, repo, steps] = args;
  const { createSession, step } = await import(path.join(repo, 'dist/src/proto/session/index.js'));
  const timing = { keepaliveSendInterval: 1, keepaliveReceiveTimeout: 60, helloInterval: 60 };
  const mk = (peerMac, localId, nonceSeed) => createSession({ ifname: 'eth0', peerMac, localId, nonceSeed, timing }, 1000);
  const ends = { a: mk('02:00:00:00:00:02', '0a'.repeat(10), 1), b: mk('02:00:00:00:00:01', '0b'.repeat(10), 2) };
  // the handshake: each end's sends are the other's input
  let now = 1000;
  const queue = [['a', { type: 'HELLO' }]];
  while (queue.length > 0) {
    const [who, pdu] = queue.shift();
    const r = step(ends[who], { type: 'pdu-received', pdu }, now);
    ends[who] = r.session;
    for (const act of r.actions) if (act.type === 'send') queue.push([who === 'a' ? 'b' : 'a', act.pdu]);
    now += 0.001;
  }
  if (ends.a.phase !== 'open') throw new Error(`session not open: ${ends.a.phase}`);
  let s = ends.a;
  const fire = { type: 'timer-fired', name: 'keepalive-send' };
  const heard = { type: 'pdu-received', pdu: { type: 'KEEPALIVE' } };
  const second = () => {
    const due = s.timers['keepalive-send'];
    s = step(s, fire, due).session;
    s = step(s, heard, due + 0.002).session;
  };
  const n = Number(steps) / 2;
  for (let i = 0; i < 20_000; i++) second(); // optimised
  globalThis.gc();
  const h0 = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) second();
  const t1 = process.hrtime.bigint();
  const h1 = process.memoryUsage().heapUsed;
  process.stdout.write(JSON.stringify({ bytesPerStep: Math.round((h1 - h0) / (2 * n)), nsPerStep: Math.round(Number(t1 - t0) / (2 * n)) }));
} else {
  const steps = Number(opt('--steps', '50000'));
  const builds = [['this build', path.resolve(path.dirname(here), '..')]];
  if (opt('--against')) builds.push([opt('--against'), path.resolve(opt('--against'))]);
  const semi = String(Math.max(64, Math.ceil((steps * 2048) / 2 ** 20)));
  const rows = builds.map(([label, repo]) => {
    const out = execFileSync(process.execPath, ['--expose-gc', `--max-semi-space-size=${semi}`, `--min-semi-space-size=${semi}`, here, '--child', repo, String(steps)], { encoding: 'utf8' });
    return { build: label, ...JSON.parse(out) };
  });
  process.stdout.write(`session machine, idle open session: ${steps} KEEPALIVE steps (timer + received, alternating)\n`);
  for (const r of rows) process.stdout.write(`  ${r.build.padEnd(14)} ${String(r.bytesPerStep).padStart(6)} B/step ${String(r.nsPerStep).padStart(7)} ns/step\n`);
  if (rows.length === 2) process.stdout.write(`  bytes: ${(rows[0].bytesPerStep / rows[1].bytesPerStep).toFixed(2)}× of ${rows[1].build}\n`);
  process.stdout.write(`${JSON.stringify({ steps, results: rows })}\n`);
}
