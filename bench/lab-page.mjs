// Benchmark section "lab-page": the lab's page against a real lab at fabric scale.
//  1. `lsoe lab up --spines 8 --leaves 32 --wait` (40 switches, 256 links, 512 session ends).
//  2. Its page in headless Chromium (a 1280 x 800 window): does the drawing fit the window
//     (the SVG inside the window's width, every switch inside the drawing, no sideways
//     scrolling), are the switch tables collapsed to their summaries, does a click open one.
//  3. Update cost while nothing happens (the views still change: every keepalive moves a
//     peer's "heard" time), then one link set down at its leaf's end (`ip link set down`
//     in the leaf's namespace) and up again: seconds until the page showed it down and
//     back up (and until the collector's stream said so), and per event (whole views,
//     "change" events that carry the parts of the view that changed, and "heard" events that
//     carry only the heard times) the time in the page's handler (parse + draw), the DOM nodes
//     it inserted and attributes it set (test/helpers/page-probe.ts), long tasks, the
//     renderer's script/layout/style time (CDP Performance.getMetrics), and the CPU
//     seconds of Chromium and of the lab's collector.
//  4. `lab down`, then checks nothing is left: namespaces, the processes that were in
//     them, the collector, the state directory, Chromium.
// Reports figures, never fails on speed; fails only when something is broken (the lab
// does not come up, the page never shows the flap, `lab down` leaves something). Cleans
// up on failure and on SIGINT/SIGTERM too. Needs root and /usr/bin/chromium.
//
//   node bench/run.mjs --only lab-page
//   node bench/lab-page.mjs [--size 8x32] [--steady 10]     (alone; sizes SxL)

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, printTable, skipUnlessRoot } from './lib.mjs';
import { cpuTicks, followPage, freePort, runLsoe, sleep, TICKS_PER_S } from './proc.mjs';

const benchFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(benchFile), '..');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const WINDOW = { width: 1280, height: 800 };
const WAIT_SECONDS = 180;
/** how long the page may take to show the flap before the bench calls it broken */
const SHOW_TIMEOUT_MS = 60_000;
const dist = (p) => import(pathToFileURL(path.join(repoRoot, 'dist', p)).href);

/** PIDs whose command line mentions `needle` (a lab's state directory, a browser profile). */
function pidsMentioning(needle) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const ticksOf = (pids) => pids.reduce((sum, pid) => {
  try {
    return sum + cpuTicks(pid);
  } catch {
    return sum;
  }
}, 0);

function summarise(events, longTasks, from, to) {
  const es = events.filter((e) => e.at >= from && e.at <= to);
  const lt = longTasks.filter((t) => t.at >= from && t.at <= to);
  const pick = (k) => es.map((e) => e[k]);
  const max = (xs) => (xs.length === 0 ? null : Math.max(...xs));
  const kib = (kind) => {
    const xs = es.filter((e) => e.kind === kind).map((e) => e.bytes);
    return xs.length ? median(xs) / 1024 : null;
  };
  return {
    events: es.length,
    wholeViews: es.filter((e) => e.kind === 'message').length,
    changeEvents: es.filter((e) => e.kind === 'change').length,
    heardEvents: es.filter((e) => e.kind === 'heard').length,
    seconds: (to - from) / 1000,
    viewKiB: kib('message'),
    changeKiB: kib('change'),
    heardKiB: kib('heard'),
    kibPerSecond: es.reduce((a, e) => a + e.bytes, 0) / 1024 / ((to - from) / 1000),
    handlerMsMedian: es.length ? median(pick('ms')) : null,
    handlerMsMax: max(pick('ms')),
    nodesAddedMedian: es.length ? median(pick('added')) : null,
    nodesAddedMax: max(pick('added')),
    attributesMedian: es.length ? median(pick('attributes')) : null,
    attributesMax: max(pick('attributes')),
    longTasks: lt.length,
    longTaskMs: lt.reduce((a, t) => a + t.ms, 0),
  };
}

/**
 * Where a flap's time went in the two daemons: from their logs (JSON lines, lab daemons log
 * at info), the first line after `from` (ms) of each step on the link's interface in each
 * daemon, as seconds after `from`: the interface monitor saw the link change, the session
 * started (our OPEN sent), it opened or closed.
 */
function daemonTimeline(stateDir, link, from, steps) {
  const out = {};
  for (const [end, side] of [['upper', link.upper], ['lower', link.lower]]) {
    let lines = [];
    try {
      lines = readFileSync(path.join(stateDir, `${side.node}.log`), 'utf8').split('\n');
    } catch {
      // no log: nothing to say
    }
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      let j;
      try {
        j = JSON.parse(line);
      } catch {
        continue;
      }
      const at = Date.parse(j.time);
      if (!(at >= from) || j.ifname !== side.ifname || typeof j.msg !== 'string') continue;
      for (const [step, re] of Object.entries(steps)) {
        const key = `${end}.${step}`;
        if (!(key in out) && re.test(j.msg)) out[key] = (at - from) / 1000;
      }
    }
  }
  return out;
}

/** The renderer's own accounting (seconds): script, layout, style, all tasks. */
async function rendererMetrics(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  return { script: m.ScriptDuration, layout: m.LayoutDuration, style: m.RecalcStyleDuration, task: m.TaskDuration, nodes: m.Nodes };
}

const diffMetrics = (a, b, n) => Object.fromEntries(['script', 'layout', 'style', 'task'].map((k) => [`${k}MsPerEvent`, n > 0 ? ((b[k] - a[k]) * 1000) / n : null]));

async function once([spines, leaves], steadySeconds, log) {
  const { chromium } = await import('playwright-core');
  const { PAGE_PROBE_SCRIPT } = await dist('test/helpers/page-probe.js');
  const { listNamespaces } = await dist('src/lab/netns.js');
  const { labNamespacePids } = await dist('src/lab/down.js');
  const { isAlive } = await dist('src/lab/processes.js');
  const name = `page${process.pid}_${randomBytes(2).toString('hex')}`;
  const port = await freePort();
  const profile = mkdtempSync(path.join(os.tmpdir(), 'lsoe-bench-page-'));
  let context = null;
  let stream = null;
  let labUp = false;
  let cleaned = null;
  // Everything this run started goes, whatever happened, exactly once (also on a signal).
  const cleanup = () => (cleaned ??= (async () => {
    stream?.close();
    if (context !== null) await context.close().catch(() => undefined);
    for (const pid of pidsMentioning(profile)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(profile, { recursive: true, force: true });
    if (labUp) {
      const down = await runLsoe(['lab', 'down', '--name', name]);
      if (down.code !== 0) log(`  lab down: ${down.stderr.trim()}`);
    }
  })());
  const onSignal = (sig) => {
    log(`  ${sig}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  };
  const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of SIGNALS) process.on(sig, onSignal);
  const load = os.loadavg()[0];
  try {
    labUp = true; // from here on a half-built lab is taken down too
    const up = await runLsoe(['lab', 'up', '--spines', String(spines), '--leaves', String(leaves), '--name', name, '--port', String(port), '--wait', '--timeout', String(WAIT_SECONDS), '--json']);
    if (up.stdout.trim() === '') throw new Error(`lab up failed: ${up.stderr.trim().split('\n').at(-1)}`);
    const r = JSON.parse(up.stdout);
    if (r.convergedSeconds === null) throw new Error(`lab up: ${r.openEnds} of ${r.totalEnds} session ends open after ${WAIT_SECONDS} s`);
    const plan = JSON.parse(readFileSync(path.join(r.stateDir, 'lab.json'), 'utf8'));
    const collectorPid = Number(readFileSync(path.join(r.stateDir, 'collector.pid'), 'utf8'));
    log(`  ${spines}x${leaves}: lab converged in ${r.convergedSeconds.toFixed(1)} s (${r.openEnds}/${r.totalEnds} ends open); load average ${load.toFixed(1)} before`);

    // Playwright's own signal handlers close the browser and exit at once: ours take the lab down too.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: WINDOW, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
    await context.addInitScript(PAGE_PROBE_SCRIPT);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const t0 = Date.now();
    await page.goto(r.url);
    const links = plan.links.length;
    await page.waitForFunction(`document.querySelectorAll('#fabric g.link[data-state="up"]').length === ${links}`, null, { timeout: SHOW_TIMEOUT_MS });
    const firstDrawMs = Date.now() - t0;
    const firstEvent = await page.evaluate(() => window.__lsoeProbe.events[0]);

    // Fits the window: the drawing within its width and the page never scrolls sideways;
    // every switch box inside the drawing; the label size it ends up at.
    const fit = await page.evaluate(() => {
      const svg = document.getElementById('fabric').getBoundingClientRect();
      const boxes = [...document.querySelectorAll('#fabric g.node rect')].map((r) => r.getBoundingClientRect());
      const inside = boxes.filter((b) => b.left >= svg.left - 0.5 && b.right <= svg.right + 0.5 && b.top >= svg.top - 0.5 && b.bottom <= svg.bottom + 0.5).length;
      const label = document.querySelector('#fabric g.node text').getBoundingClientRect().height;
      return {
        windowWidth: innerWidth, windowHeight: innerHeight, svgWidth: svg.width, svgHeight: svg.height,
        switchesInside: inside, switches: boxes.length, labelPx: label,
        pageScrollWidth: document.documentElement.scrollWidth, pageHeight: document.documentElement.scrollHeight,
        domNodes: document.getElementsByTagName('*').length,
      };
    });
    const sections = await page.locator('section.switch').count();
    const openTables = await page.locator('section.switch details[open]').count();
    const fits = fit.svgWidth <= fit.windowWidth && fit.svgHeight <= fit.windowHeight && fit.pageScrollWidth <= fit.windowWidth && fit.switchesInside === fit.switches;
    log(`  page: every link drawn up ${(firstDrawMs / 1000).toFixed(1)} s after it was asked for (first event ${((firstEvent.at - t0) / 1000).toFixed(1)} s, drawn in ${firstEvent.ms.toFixed(0)} ms); drawing ${Math.round(fit.svgWidth)} x ${Math.round(fit.svgHeight)} px in a ${fit.windowWidth} x ${fit.windowHeight} window, ${fit.switchesInside}/${fit.switches} switches inside it, labels ${fit.labelPx.toFixed(1)} px, page ${fit.pageScrollWidth} px wide and ${fit.pageHeight} px tall, ${fit.domNodes} elements; ${openTables} of ${sections} tables open`);
    // A click opens a switch's details (closes them in a small lab, where they start open), a second click undoes it.
    const spine = plan.nodes.find((n) => n.layer === 0).name;
    const isOpen = async () => (await page.locator(`section.switch[data-node="${spine}"] details[open]`).count()) === 1;
    // an open table's rows (built when it opens: wait for them)
    const openRows = () => page.waitForFunction((n) => document.querySelectorAll(`section.switch[data-node="${n}"] tbody tr.first`).length, spine, { timeout: 10_000 })
      .then((h) => h.jsonValue(), () => 0);
    const wasOpen = await isOpen();
    let openedRows = wasOpen ? await openRows() : 0;
    await page.click(`section.switch[data-node="${spine}"] summary`);
    const clickOpens = (await isOpen()) !== wasOpen;
    if (!wasOpen) openedRows = await openRows();
    await page.click(`section.switch[data-node="${spine}"] summary`);

    // What each view said, as a second reader of the stream (this process) saw it:
    // why the view changed (links not up, daemons not answering, table rows).
    const seen = [];
    stream = await followPage(r.url, (v, at) => seen.push({
      at, linksNotUp: v.links.filter((l) => l.state !== 'up').length, daemonsDown: v.nodes.filter((n) => !n.daemon).length,
      rows: v.switches.reduce((a, s) => a + s.rows.length, 0),
    }));
    // `lab up --wait` returns once every session is open; the daemons' reports (four per
    // session) may still be arriving, each changing the view. Wait until no whole view or
    // change came for 5 s (at most 2 min) before measuring the steady state.
    const quiet = await page.waitForFunction(() => {
      const views = window.__lsoeProbe.events.filter((e) => e.kind === 'message' || e.kind === 'change');
      return views.length > 0 && Date.now() - views[views.length - 1].at > 5000;
    }, null, { timeout: 120_000, polling: 250 }).then(() => true, () => false);
    const lastWhole = await page.evaluate(() => window.__lsoeProbe.events.filter((e) => e.kind === 'message' || e.kind === 'change').at(-1).at);
    const settledSeconds = quiet ? (lastWhole - t0) / 1000 : null;
    log(`  the view stopped changing (reports all in) ${settledSeconds === null ? 'never, within 2 min' : `${settledSeconds.toFixed(1)} s after the page was opened (its last whole view or change)`}`);

    // Steady state: nothing changes in the fabric, the heard times do.
    const pids = { chromium: pidsMentioning(profile), collector: [collectorPid] };
    const cpu0 = { chromium: ticksOf(pids.chromium), collector: ticksOf(pids.collector), m: await rendererMetrics(cdp), at: Date.now() };
    await sleep(steadySeconds * 1000);
    const cpu1 = { chromium: ticksOf(pids.chromium), collector: ticksOf(pids.collector), m: await rendererMetrics(cdp), at: Date.now() };

    // One link flapped at its leaf's end, in the middle of the fabric.
    const link = plan.links[Math.floor(links / 2) + Math.floor(spines / 2)];
    const leafNs = plan.nodes.find((n) => n.name === link.lower.node).netns;
    const selector = `#fabric g.link[data-index="${link.index}"]`;
    await page.evaluate((sel) => { window.__lsoeProbe.watch = sel; }, selector);
    const shown = (state, after) => page.waitForFunction(([s, t]) => window.__lsoeProbe.events.some((e) => e.at >= t && e.watched === s), [state, after], { timeout: SHOW_TIMEOUT_MS, polling: 100 })
      .then(() => true, () => false);
    const firstAt = (state, after) => page.evaluate(([s, t]) => window.__lsoeProbe.events.find((e) => e.at >= t && e.watched === s)?.at ?? null, [state, after]);
    // The collector's side, for where the time goes: when its event stream said so.
    await stream.until((v) => v.links[link.index].state === 'up');
    const sentDownP = stream.until((v) => v.links[link.index].state === 'down', SHOW_TIMEOUT_MS);
    const downAt = Date.now();
    const ipDown = spawnSync('ip', ['-n', leafNs, 'link', 'set', 'dev', link.lower.ifname, 'down'], { encoding: 'utf8' });
    if (ipDown.status !== 0) throw new Error(`ip link set down: ${ipDown.stderr.trim()}`);
    if (!(await shown('down', downAt))) throw new Error(`the page never showed ${link.upper.node}--${link.lower.node} down (${SHOW_TIMEOUT_MS / 1000} s)`);
    const shownDown = await firstAt('down', downAt);
    const sentDown = await sentDownP;
    const sentUpP = stream.until((v) => v.links[link.index].state === 'up', SHOW_TIMEOUT_MS);
    const upAt = Date.now();
    const ipUp = spawnSync('ip', ['-n', leafNs, 'link', 'set', 'dev', link.lower.ifname, 'up'], { encoding: 'utf8' });
    if (ipUp.status !== 0) throw new Error(`ip link set up: ${ipUp.stderr.trim()}`);
    // The kernel drops IPv6 addresses on link down: give it back, as the lab made it.
    spawnSync('ip', ['-n', leafNs, 'addr', 'replace', link.lower.address6, 'dev', link.lower.ifname, 'nodad']);
    if (!(await shown('up', upAt))) throw new Error(`the page never showed ${link.upper.node}--${link.lower.node} up again (${SHOW_TIMEOUT_MS / 1000} s)`);
    const shownUp = await firstAt('up', upAt);
    const sentUp = await sentUpP;
    const timeline = {
      down: daemonTimeline(r.stateDir, link, downAt, { linkDown: /^link down on /, sessionDown: /^session down with / }),
      up: daemonTimeline(r.stateDir, link, upAt, { linkUp: /^link up on /, sessionStarting: /session starting/, sessionUp: /^session up with / }),
    };
    stream.close();
    const flapEnd = Date.now();
    const cpu2 = { chromium: ticksOf(pids.chromium), collector: ticksOf(pids.collector), m: await rendererMetrics(cdp), at: flapEnd };

    const { events, longTasks, opens } = await page.evaluate(() => window.__lsoeProbe);
    const steady = summarise(events, longTasks, cpu0.at, cpu1.at);
    const churn = seen.filter((x) => x.at >= cpu0.at && x.at <= cpu1.at);
    const span = (k) => (churn.length ? `${Math.min(...churn.map((x) => x[k]))}–${Math.max(...churn.map((x) => x[k]))}` : 'n/a');
    steady.why = churn.length ? `links not up ${span('linksNotUp')}, daemons not answering ${span('daemonsDown')}, rows ${span('rows')}` : null;
    const flap = summarise(events, longTasks, downAt, flapEnd);
    const flapEvent = events.find((e) => e.at >= downAt && e.watched === 'down');
    const cpuShare = (a, b, k) => (b[k] - a[k]) / TICKS_PER_S / ((b.at - a.at) / 1000);
    const windows = [
      ['steady', steady, cpu0, cpu1],
      ['flap', flap, cpu1, cpu2],
    ].map(([label, s, a, b]) => ({ label, ...s, ...diffMetrics(a.m, b.m, s.events), chromiumCore: cpuShare(a, b, 'chromium'), collectorCore: cpuShare(a, b, 'collector') }));
    await context.close();
    context = null;

    // lab down leaves nothing: namespaces, processes that were in them, collector, files.
    const inside = [...(await labNamespacePids(name)).values()].flat();
    const down = await runLsoe(['lab', 'down', '--name', name]);
    labUp = down.code !== 0;
    const left = {
      namespaces: (await listNamespaces()).filter((n) => n.startsWith(`lsoe-${name}-`)),
      processes: [...inside.filter(isAlive), ...pidsMentioning(r.stateDir)],
      stateDir: existsSync(r.stateDir),
      chromium: pidsMentioning(profile).filter(isAlive),
    };
    const clean = down.code === 0 && left.namespaces.length === 0 && left.processes.length === 0 && !left.stateDir && left.chromium.length === 0;
    log(`  lab down: ${down.code === 0 ? down.stdout.trim() : down.stderr.trim()}; left: ${left.namespaces.length} namespaces, ${left.processes.length} processes (of ${inside.length} inside before), state dir ${left.stateDir ? 'still there' : 'gone'}, ${left.chromium.length} Chromium processes`);

    return {
      size: `${spines}x${leaves}`, switches: plan.nodes.length, links, sessionEnds: r.totalEnds,
      convergedSeconds: r.convergedSeconds, loadAverageBefore: load, loadAverageAfter: os.loadavg()[0],
      firstDrawSeconds: firstDrawMs / 1000, viewSettledSeconds: settledSeconds, firstEventSeconds: (firstEvent.at - t0) / 1000, firstEventMs: firstEvent.ms,
      streamOpens: opens,
      // the page collapses the tables of a lab of more than 12 switches (OPEN_UP_TO in src/lab/web/script.ts)
      fit: { ...fit, fits, sections, openTables, shouldCollapse: plan.nodes.length > 12, clickOpens, openedSessionRows: openedRows },
      flap: {
        link: `${link.upper.node}--${link.lower.node}`, setDownAt: `${link.lower.node} ${link.lower.ifname}`,
        shownDownSeconds: (shownDown - downAt) / 1000, shownUpSeconds: (shownUp - upAt) / 1000,
        // when a second reader of the collector's stream (this process) had it: the rest is the page
        sentDownSeconds: sentDown === null ? null : (sentDown - downAt) / 1000, sentUpSeconds: sentUp === null ? null : (sentUp - upAt) / 1000,
        // seconds after \`ip link set\`, in each daemon's log: upper (the spine's end), lower (the leaf's)
        timeline,
        downEvent: flapEvent ?? null,
      },
      windows,
      down: { ...left, clean, summary: down.stdout.trim() },
    };
  } finally {
    for (const sig of SIGNALS) process.removeListener(sig, onSignal);
    await cleanup();
  }
}

export async function run(ctx) {
  const notRoot = skipUnlessRoot(ctx, 'lab-page');
  if (notRoot) return notRoot;
  if (!existsSync(CHROMIUM)) {
    ctx.log(`lab-page: skipped (${CHROMIUM} not installed)`);
    return { skipped: `${CHROMIUM} not installed` };
  }
  const arg = (flag, fallback) => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const size = arg('--size', '8x32').split('x').map(Number);
  const steadySeconds = Number(arg('--steady', '10'));
  const r = await once(size, steadySeconds, ctx.log);
  const f = (x, d = 1) => (x == null ? 'n/a' : x.toFixed(d));
  printTable(
    `lab page, ${r.size} lab (${r.switches} switches, ${r.links} links), ${WINDOW.width} x ${WINDOW.height} window: per event from the collector`,
    ['Window', 'Events (views / changes / heard)', 'KiB (view / change / heard; per s)', 'Handler ms (median / max)', 'Nodes inserted (median / max)', 'Attributes set (median / max)', 'Long tasks (n / ms)', 'Renderer script / layout / style ms', 'Chromium core', 'Collector core'],
    r.windows.map((w) => [
      w.label, `${w.wholeViews} / ${w.changeEvents} / ${w.heardEvents}`, `${f(w.viewKiB, 0)} / ${f(w.changeKiB, 0)} / ${f(w.heardKiB, 0)}; ${f(w.kibPerSecond, 0)}`, `${f(w.handlerMsMedian)} / ${f(w.handlerMsMax)}`, `${w.nodesAddedMedian ?? 'n/a'} / ${w.nodesAddedMax ?? 'n/a'}`,
      `${w.attributesMedian ?? 'n/a'} / ${w.attributesMax ?? 'n/a'}`, `${w.longTasks} / ${f(w.longTaskMs, 0)}`,
      `${f(w.scriptMsPerEvent)} / ${f(w.layoutMsPerEvent)} / ${f(w.styleMsPerEvent)}`, `${f(w.chromiumCore * 100)}%`, `${f(w.collectorCore * 100)}%`,
    ]),
  );
  if (r.windows[0].why) ctx.log(`  views changed in the steady window (${r.windows[0].wholeViews} whole, ${r.windows[0].changeEvents} changes): ${r.windows[0].why}`);
  ctx.log(`  flap of ${r.flap.link} (set down at ${r.flap.setDownAt}): shown down after ${f(r.flap.shownDownSeconds, 2)} s (the collector sent it at ${f(r.flap.sentDownSeconds, 2)} s), up again after ${f(r.flap.shownUpSeconds, 2)} s (sent at ${f(r.flap.sentUpSeconds, 2)} s; goal 2 s); the page's event stream opened ${r.streamOpens} time(s); the event that showed it: ${r.flap.downEvent ? `${f(r.flap.downEvent.ms)} ms, ${r.flap.downEvent.added} nodes inserted, ${r.flap.downEvent.attributes} attributes` : 'n/a'}`);
  const tl = (t, keys) => keys.map((k) => `${k} ${f(t[k], 3)}`).join(', ');
  ctx.log(`  where the time went (s after \`ip link set\`, from the daemons' logs): down: ${tl(r.flap.timeline.down, ['lower.linkDown', 'upper.linkDown', 'lower.sessionDown', 'upper.sessionDown'])}; collector ${f(r.flap.sentDownSeconds, 3)}; page ${f(r.flap.shownDownSeconds, 3)}`);
  ctx.log(`    up: ${tl(r.flap.timeline.up, ['lower.linkUp', 'upper.linkUp', 'upper.sessionStarting', 'lower.sessionStarting', 'upper.sessionUp', 'lower.sessionUp'])}; collector ${f(r.flap.sentUpSeconds, 3)}; page ${f(r.flap.shownUpSeconds, 3)}`);
  ctx.log(`  fits the window: ${r.fit.fits ? 'yes' : 'NO'}; tables collapsed: ${r.fit.openTables === 0 ? 'yes' : r.fit.shouldCollapse ? 'NO' : `no (${r.fit.openTables} open: a small lab)`}; a click opens/closes one: ${r.fit.clickOpens ? 'yes' : 'NO'} (${r.fit.openedSessionRows} sessions); lab down clean: ${r.down.clean ? 'yes' : 'NO'}; load average ${f(r.loadAverageBefore)} before, ${f(r.loadAverageAfter)} after`);
  // Broken, not slow: these fail the section (run.mjs exits non-zero).
  const broken = [
    !r.fit.fits && 'the drawing does not fit the window',
    r.fit.shouldCollapse && r.fit.openTables !== 0 && 'tables not collapsed',
    !r.fit.clickOpens && 'a click does not open a table',
    !r.down.clean && 'lab down left something behind',
  ].filter(Boolean);
  if (broken.length > 0) throw Object.assign(new Error(broken.join('; ')), { result: r });
  return r;
}

if (process.argv[1] === benchFile) {
  try {
    const r = await run({ log: (t) => process.stdout.write(`${t}\n`) });
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  } catch (err) {
    process.stderr.write(`lab-page: ${err.message}\n`);
    process.exit(1);
  }
}
