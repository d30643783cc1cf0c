// Benchmark section "daemon-scale": one `lsoe daemon` on one end of a veth pair; on the
// other end one process simulating N peers with distinct MACs, each driven by the same
// session machine the daemon uses (src/proto/session). For N = 100 and 1,000 at 1 s
// keepalives it reports the seconds until all N sessions are open (read from the
// daemon's control socket), then the daemon's CPU share (of one core) and RSS at steady
// state. Needs root (network namespaces); reports only, never fails on speed.
//
//   node bench/run.mjs --only daemon-scale          (through the runner)
//   node bench/daemon-scale.mjs                     (alone)
//   node bench/daemon-scale.mjs --simulate IFNAME DAEMON_MAC N [--loopbacks]   (the peer simulator, internal)

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpuShare, ip, macOf, query, rssKiB, sleep, spawnDaemon, vethPairs, withNamespacePair } from './proc.mjs';
import { skipUnlessRoot } from './lib.mjs';

const SIZES = [100, 1000];
const STEADY_SECONDS = 10;
const OPEN_LIMIT_SECONDS = 60;
const benchFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(benchFile), '..');
const dist = (p) => pathToFileURL(path.join(repoRoot, 'dist/src', p)).href;

// ---- the peer simulator (runs inside the peers' namespace) -----------------------

/** `loopbacks`: each peer also announces a loopback IPv4 (10.200.x.y/32), its BGP-LS router-id. */
async function simulate(ifname, daemonMac, n, loopbacks = false) {
  const { createSession, step } = await import(dist('proto/session/index.js'));
  const { encodePdu } = await import(dist('proto/pdu/index.js'));
  const { splitPdu } = await import(dist('proto/fragment.js'));
  const { buildEthernet } = await import(dist('proto/ethernet.js'));
  const { LsoeStream } = await import(dist('proto/stream.js'));
  const pcap = (await import('pcap')).default;
  const ethertype = 0x88b5;
  const capture = pcap.createSession(ifname, {
    filter: `ether proto 0x88b5 and ether src ${daemonMac}`,
    promiscuous: true,
    buffer_timeout: 0,
    buffer_size: 32 * 1024 * 1024,
  });
  const now = () => performance.now() / 1000;
  const macOf = (i) => `02:5e:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
  const peers = new Map();
  for (let i = 0; i < n; i++) {
    const mac = macOf(i);
    const localId = Buffer.alloc(10);
    localId.writeUInt32BE(0x5e000000 + i, 6);
    const announced = loopbacks
      ? { IPV4_ENCAPSULATION: [{ address: `10.200.${(i >> 8) & 0xff}.${i & 0xff}`, prefixLength: 32, primary: false, loopback: true }] }
      : undefined;
    const s = createSession({ ifname, peerMac: daemonMac, localId: localId.toString('hex'), nonceSeed: i + 1, ...(announced ? { announced } : {}) }, now());
    peers.set(mac, { mac, s, timers: new Map() });
  }
  const sendFrom = (mac, dst, pdu) => {
    for (const f of splitPdu(encodePdu(pdu))) capture.inject(buildEthernet(dst, mac, ethertype, f));
  };
  const feed = (p, event) => {
    const r = step(p.s, event, now());
    p.s = r.session;
    for (const a of r.actions) {
      if (a.type === 'send') sendFrom(p.mac, a.dst, a.pdu);
      else if (a.type === 'arm-timer') {
        clearTimeout(p.timers.get(a.name));
        p.timers.set(
          a.name,
          setTimeout(() => feed(p, { type: 'timer-fired', name: a.name }), Math.max(0, (a.at - now()) * 1000)),
        );
      } else if (a.type === 'cancel-timer') {
        clearTimeout(p.timers.get(a.name));
        p.timers.delete(a.name);
      }
    }
  };
  const stream = new LsoeStream({ maxSenders: 4 });
  capture.on('packet', (raw) => {
    const buf = Buffer.from(raw.buf.subarray(0, raw.header.readUInt32LE(8)));
    for (const rec of stream.pushEthernet(now(), buf)) {
      if (rec.kind !== 'pdu') continue;
      if (rec.dst === '01:80:c2:00:00:0e') {
        for (const p of peers.values()) feed(p, { type: 'pdu-received', pdu: rec.pdu });
        continue;
      }
      const p = peers.get(rec.dst);
      if (p) feed(p, { type: 'pdu-received', pdu: rec.pdu });
    }
  });
  // Every peer says HELLO, as a starting daemon does, and again each second while its
  // session has not started (a HELLO can be lost in the burst); the daemon answers each
  // with an OPEN.
  const hello = () => {
    for (const p of peers.values()) if (p.s.phase === 'idle') sendFrom(p.mac, daemonMac, { type: 'HELLO' });
  };
  hello();
  setInterval(hello, 1000);
}

// ---- the benchmark -------------------------------------------------------------

const counters = (socket) => query(socket, 'counters');

/** `max-new-sessions-per-second` when not given (src/daemon/config-keys.ts). */
const DEFAULT_NEW_SESSION_RATE = 100;


async function one(n, log) {
  return withNamespacePair(['lsoebd', 'lsoebp'], async ({ tag, nsA: nsD, nsB: nsP, dir, children }) => {
    const ifD = `bd${tag}`.slice(0, 15);
    const ifP = `bp${tag}`.slice(0, 15);
    vethPairs(nsD, nsP, [[ifD, ifP]]);
    ip(['-n', nsD, 'addr', 'add', '10.99.0.1/24', 'dev', ifD]);
    const daemonMac = macOf(nsD, ifD);
    const socket = path.join(dir, 'd.sock');
    const limit = String(n + 16);
    // The default admission rate (100 new sessions/s per interface) would by itself
    // stretch the opening of N peers to N/100 s; the bench measures the daemon, not that
    // bound, so it raises it, and says so in its output so nobody reads it as the default.
    const rate = Math.max(n, DEFAULT_NEW_SESSION_RATE);
    if (rate !== DEFAULT_NEW_SESSION_RATE) {
      log(
        `N=${n}: rate limit raised to ${rate}/s for this run (--max-new-sessions-per-second); ` +
          `the default ${DEFAULT_NEW_SESSION_RATE}/s would need ≥ ${(n / DEFAULT_NEW_SESSION_RATE).toFixed(0)} s to admit ${n} peers`,
      );
    }
    const daemon = spawnDaemon(nsD, ['-i', ifD, '--socket', socket,
      '--keepalive-send-interval', '1', '--max-sessions', limit, '--max-sessions-per-interface', limit,
      '--max-new-sessions-per-second', String(rate)]);
    children.push(daemon);
    for (let i = 0; ; i++) {
      try {
        await counters(socket);
        break;
      } catch {
        if (i > 100 || daemon.exitCode !== null) throw new Error(`daemon did not start: ${daemon.lastLines(1)}`);
        await sleep(100);
      }
    }
    const started = performance.now();
    const sim = spawn('ip', ['netns', 'exec', nsP, process.execPath, benchFile, '--simulate', ifP, daemonMac, String(n)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(sim);
    let simErr = '';
    sim.stderr.on('data', (d) => (simErr = (simErr + d).slice(-2000)));
    let openSeconds = null;
    while ((performance.now() - started) / 1000 < OPEN_LIMIT_SECONDS) {
      const c = await counters(socket);
      if (c.sessionsOpen >= n) {
        openSeconds = (performance.now() - started) / 1000;
        break;
      }
      if (sim.exitCode !== null) throw new Error(`simulator exited: ${simErr.trim()}`);
      await sleep(50);
    }
    await sleep(2000); // let the opening burst pass
    const cpu = await cpuShare([daemon.pid], STEADY_SECONDS);
    const rss = rssKiB(daemon.pid);
    const c = await counters(socket);
    const result = {
      peers: n,
      secondsUntilAllOpen: openSeconds === null ? null : Number(openSeconds.toFixed(2)),
      steadyCpuPercentOfOneCore: Number((cpu * 100).toFixed(1)),
      steadyRssMiB: rss === null ? null : Number((rss / 1024).toFixed(1)),
      maxNewSessionsPerSecond: rate,
      sessionsOpenAtEnd: c.sessionsOpen,
      sessionsDown: c.sessionsDown,
      captureDropped: c.captureDropped,
    };
    log(
      `N=${n}: all open after ${result.secondsUntilAllOpen ?? `more than ${OPEN_LIMIT_SECONDS}`} s; steady ${result.steadyCpuPercentOfOneCore}% of one core, ` +
        `${result.steadyRssMiB} MiB RSS; ${result.sessionsOpenAtEnd} open at the end, ${result.sessionsDown} went down`,
    );
    return result;
  });
}

export async function run(ctx) {
  const notRoot = skipUnlessRoot(ctx, 'daemon-scale');
  if (notRoot) return notRoot;
  const results = [];
  for (const n of SIZES) results.push(await one(n, ctx.log));
  ctx.log('targets: 1,000 sessions open within 5 s; steady state under 10% of one core and under 150 MB');
  return { keepaliveSendInterval: 1, steadySeconds: STEADY_SECONDS, results };
}

if (process.argv[1] === benchFile) {
  if (process.argv[2] === '--simulate') {
    const [ifname, mac, n, flag] = process.argv.slice(3);
    await simulate(ifname, mac, Number(n), flag === '--loopbacks');
  } else {
    const r = await run({ log: (t) => process.stdout.write(`${t}\n`) });
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  }
}
