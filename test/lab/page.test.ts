import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { makePlan } from '../../src/lab/plan.js';
import type { StoredReport } from '../../src/lab/reports.js';
import { endStatuses, type SessionsByNode } from '../../src/lab/status.js';
import { clos } from '../../src/lab/topology.js';
import { buildView, splitHeard, type LabView } from '../../src/lab/view.js';
import { viewStep, viewText, type ViewChange } from '../../src/lab/view-change.js';
import { PAGE_HTML } from '../../src/lab/web/page.js';
import { PAGE_PROBE_SCRIPT, type ProbeState } from '../helpers/page-probe.js';

const CHROMIUM = '/usr/bin/chromium';

t.test('the page is one document whose script parses', async (t) => {
  t.match(PAGE_HTML, /^<!doctype html>/);
  t.match(PAGE_HTML, /<svg id="fabric"/);
  t.match(PAGE_HTML, /<main id="switches">/);
  const scripts = PAGE_HTML.split('<script>').slice(1).map((s) => s.split('</script>')[0]!);
  t.equal(scripts.length, 1);
  t.doesNotThrow(() => new Function(scripts[0]!), 'script is valid JavaScript');
  t.notMatch(PAGE_HTML, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'loads nothing from elsewhere');
});

/**
 * A 1 x 3 fabric: spine0-leaf0 up, spine0-leaf1 down (leaf1's daemon gone), spine0-leaf2
 * given up (held down at spine0, hopeless at leaf2), one MPLS report.
 */
function sampleView(): LabView {
  const plan = makePlan({ name: 'pg', links: clos(1, 3), port: 1 });
  const [l0, l1, l2] = [plan.links[0]!, plan.links[1]!, plan.links[2]!];
  const heard = new Date(Date.now() - 5000).toISOString();
  const sessions: SessionsByNode = new Map([
    ['spine0', [
      { ifname: 'leaf0', peerMac: l0.lower.mac, peerId: plan.nodes[1]!.localId, state: 'open', lastHeard: heard },
      { ifname: 'leaf1', peerMac: l1.lower.mac, peerId: null, state: 'opening' },
      { ifname: 'leaf2', peerMac: l2.lower.mac, peerId: null, state: 'held-down' },
    ]],
    ['leaf0', [{ ifname: 'spine0', peerMac: l0.upper.mac, peerId: plan.nodes[0]!.localId, state: 'open', lastHeard: heard }]],
    ['leaf1', null],
    ['leaf2', [{ ifname: 'spine0', peerMac: l2.upper.mac, peerId: null, state: 'hopeless' }]],
  ]);
  const reports: StoredReport[] = [
    { source: 'unix', switchId: plan.nodes[0]!.localId, ifname: 'leaf0', peerMac: l0.lower.mac, peerId: plan.nodes[1]!.localId,
      type: 'MPLS_IPV4', pduType: 6, heard: '2026-01-01T00:00:00.000Z',
      encaps: [{ address: '198.18.0.1', prefixLength: 31, primary: true, loopback: false, labels: ['03e810'] }] },
    { source: '127.0.0.1', switchId: '0a0b', ifname: 'eth1', peerMac: 'aa:bb:cc:dd:ee:ff', peerId: null, type: 'IPV4', pduType: 4,
      heard: new Date(Date.now() - 2000).toISOString(),
      encaps: [{ address: '192.0.2.7', prefixLength: 32, primary: false, loopback: true, labels: null }] },
  ];
  return buildView(plan, endStatuses(plan, sessions), reports);
}

/** A page in headless Chromium with a fresh profile, closed and removed in teardown. */
async function newPage(t: { teardown(fn: () => unknown): void }, viewport?: { width: number; height: number }) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'lsoe-page-chromium-'));
  t.teardown(() => rmSync(profile, { recursive: true, force: true }));
  let context: BrowserContext | null = null;
  t.teardown(() => context?.close());
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ...(viewport ? { viewport } : {}),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  return context.newPage();
}

const noChromium = existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed`;

t.test('the page draws a view it is sent: fabric, colours, tables, labels, heard', { skip: noChromium }, async (t) => {
  const page = await newPage(t);
  const view = sampleView();
  // Nothing leaves the browser: the page and its event stream are answered here.
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') return route.fulfill({ status: 200, contentType: 'text/html', body: PAGE_HTML });
    if (url.pathname === '/events') {
      return route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: `data: ${JSON.stringify(view)}\n\n` });
    }
    return route.fulfill({ status: 404, body: '' });
  });
  await page.goto('http://lab.invalid/');
  await page.waitForSelector('#fabric g.node[data-node="leaf1"]', { timeout: 60000 });

  t.equal(await page.textContent('#lab-name'), 'pg');
  t.equal(await page.textContent('#summary'), '4 switches, 3 links, 1 up');
  const nodes = await page.$$eval('#fabric g.node', (gs) => gs.map((g) => [g.getAttribute('data-node'), g.getAttribute('data-daemon')]));
  t.same(nodes, [['spine0', 'true'], ['leaf0', 'true'], ['leaf1', 'false'], ['leaf2', 'true']]);
  const links = await page.$$eval('#fabric g.link', (gs) => gs.map((g) => [g.getAttribute('data-link'), g.getAttribute('data-state')]));
  t.same(links.sort(), [['spine0--leaf0', 'up'], ['spine0--leaf1', 'partial'], ['spine0--leaf2', 'down']]);
  // Each half coloured by its end's session: green open, amber opening, red down,
  // purple hopeless, brown held down (not painted as down).
  const stroke = (sel: string): Promise<string[]> =>
    page.evaluate(`[...document.querySelectorAll('${sel}')].map((l) => getComputedStyle(l).stroke)`);
  t.same(await stroke('#fabric g.link[data-link="spine0--leaf0"] line.end'), ['rgb(46, 157, 58)', 'rgb(46, 157, 58)']);
  t.same(await stroke('#fabric g.link[data-link="spine0--leaf1"] line.end'), ['rgb(224, 168, 0)', 'rgb(208, 49, 45)']);
  t.same(await stroke('#fabric g.link[data-link="spine0--leaf2"] line.end'), ['rgb(160, 82, 45)', 'rgb(126, 63, 166)']);
  t.match(await page.textContent('#fabric g.link[data-link="spine0--leaf2"] title'), 'spine0 leaf2: held-down / leaf2 spine0: hopeless');
  // The tables and summaries name the state.
  const stateCell = (node: string, ifname: string): Promise<string> =>
    page.$eval(`section.switch[data-node="${node}"] tbody tr[data-ifname="${ifname}"] td:nth-child(5)`, (td) => td.textContent ?? '');
  t.equal(await stateCell('spine0', 'leaf2'), 'held-down');
  t.equal(await stateCell('leaf2', 'spine0'), 'hopeless');
  t.match(await page.textContent('section.switch[data-node="spine0"] .counts'), '3 sessions: 1 open 1 opening 1 held-down');
  t.match(await page.textContent('section.switch[data-node="leaf2"] .counts'), '1 session: 1 hopeless');
  // Spines above leaves.
  const y = await page.$$eval('#fabric g.node rect', (rs) => rs.map((r) => Number(r.getAttribute('y'))));
  t.ok(y[0]! < y[1]! && y[1] === y[2] && y[2] === y[3], 'spine row above the leaf row');

  // spine0's table: the MPLS prefix with its label as the CLI shows it, heard from the session.
  const row = await page.$eval('section.switch[data-node="spine0"] tbody tr[data-ifname="leaf0"]', (r) =>
    [...r.querySelectorAll('td')].map((td) => td.textContent ?? ''));
  t.equal(row[0], 'leaf0');
  t.equal(row[4], 'open');
  t.equal(row[5], 'MPLS_IPV4');
  t.equal(row[6], '198.18.0.1/31');
  t.equal(row[7], 'P');
  t.equal(row[8], '16001 (03e810)', 'labels as the CLI shows them');
  t.match(row[9], /\(\d+ s ago\)$/, 'heard: the session\'s lastHeard, seconds ago');
  t.notMatch(row[9], /report/);
  t.match(await page.textContent('section.switch[data-node="leaf1"] h2'), /daemon not answering/);
  // A switch outside the lab: its report's time, said to be one.
  const outside = await page.$eval('section.switch[data-id="0a0b"] td.heard', (td) => td.textContent ?? '');
  t.match(outside, /^report .*\(\d+ s ago\)$/);
});

/**
 * An 8 x 32 fabric with every session open, heard at `heard`, or with the sessions of
 * `down` (a link index) gone.
 */
function fabricView(down: number | null, heard: string): LabView {
  const plan = makePlan({ name: 'big', links: clos(8, 32), port: 1 });
  const sessions: SessionsByNode = new Map(plan.nodes.map((n) => [n.name, [] as Array<{ ifname: string; peerMac: string; peerId: string | null; state: string; lastHeard: string }>]));
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  for (const [i, l] of plan.links.entries()) {
    if (i === down) continue;
    sessions.get(l.upper.node)!.push({ ifname: l.upper.ifname, peerMac: l.lower.mac, peerId: byName.get(l.lower.node)!.localId, state: 'open', lastHeard: heard });
    sessions.get(l.lower.node)!.push({ ifname: l.lower.ifname, peerMac: l.upper.mac, peerId: byName.get(l.upper.node)!.localId, state: 'open', lastHeard: heard });
  }
  return buildView(plan, endStatuses(plan, sessions), []);
}

t.test('40 switches: the drawing fits, tables are summaries, updates touch only what changed', { skip: noChromium }, async (t) => {
  const page = await newPage(t, { width: 1280, height: 800 });
  await page.addInitScript(PAGE_PROBE_SCRIPT);
  // Each event stream sends one view and ends, so the browser reconnects (retry: 300 ms):
  // the converged fabric until the test has checked it, then the same followed by a
  // "heard" event with every peer heard a second later (what a real lab's collector
  // sends on each keepalive), then with link
  // 229 (spine7--leaf5) down. (Switching on a stage the test sets, not on the stream's
  // number: a slow browser may reconnect before the test has seen a view drawn.)
  const FLAPPED = 7 * 32 + 5;
  const t0 = new Date(Date.now() - 3000).toISOString();
  const t1 = new Date(Date.now() - 2000).toISOString();
  const converged = `data: ${JSON.stringify(fabricView(null, t0))}\n\n`;
  const stages = {
    converged,
    // as the collector sends it when nothing but the heard times moved
    heard: `${converged}event: heard\ndata: ${JSON.stringify(splitHeard(fabricView(null, t1)).heard)}\n\n`,
    // as the collector sends it now: the parts that changed (the link, its two switches)
    flapped: `data: ${JSON.stringify(fabricView(null, t1))}\n\nevent: change\ndata: ${JSON.stringify(flapChange())}\n\n`,
  };
  function flapChange(): ViewChange {
    const after = fabricView(FLAPPED, t1);
    const step = viewStep(viewText(fabricView(null, t1)), viewText(after), after);
    if (step.kind !== 'change') throw new Error(`a flap is a change, not ${step.kind}`);
    return step.change;
  }
  let stage: keyof typeof stages = 'converged';
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') return route.fulfill({ status: 200, contentType: 'text/html', body: PAGE_HTML });
    if (url.pathname === '/events') {
      return route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: `retry: 300\n${stages[stage]}` });
    }
    return route.fulfill({ status: 404, body: '' });
  });
  await page.goto('http://lab.invalid/');
  await page.waitForFunction(`document.querySelectorAll('#fabric g.link[data-state="up"]').length === 256`, null, { timeout: 60000 });
  const box = await page.$eval('#fabric', (svg) => {
    const r = svg.getBoundingClientRect();
    return { width: r.width, height: r.height, vb: svg.getAttribute('viewBox') };
  });
  t.ok(box.width <= 1280, `the drawing fits the window's width (${Math.round(box.width)} px)`);
  const vb = box.vb!.split(' ').map(Number);
  t.ok(vb[2]! <= 16 * 116, `the 32 leaves wrap: at most 16 switches a row (viewBox width ${vb[2]})`);
  t.equal(await page.locator('section.switch').count(), 40);
  t.equal(await page.locator('section.switch details[open]').count(), 0, 'tables collapsed at this size');
  t.equal(await page.locator('section.switch tbody tr').count(), 0, 'a collapsed table\'s rows are not built');
  t.match(await page.textContent('section.switch[data-node="spine7"] summary'), /32 sessions: 32 open/, 'the summary says how the switch is doing');
  await page.click('section.switch[data-node="spine0"] summary');
  t.equal(await page.locator('section.switch[data-node="spine0"] details[open]').count(), 1, 'a click opens the details');
  await page.waitForFunction(`document.querySelectorAll('section.switch[data-node="spine0"] tbody tr').length === 32`, null, { timeout: 30000 });
  t.pass('the opened table has its 32 sessions');
  // Mark what is drawn now: in-place updates keep these elements.
  await page.evaluate(`document.querySelector('#fabric g.link[data-index="0"]').__mark = 1; document.querySelector('section.switch[data-node="spine6"] summary h2').__mark = 1;`);
  const probe = (): Promise<ProbeState> => page.evaluate('window.__lsoeProbe') as Promise<ProbeState>;

  // Only the heard times move: set on the open table's 32 cells, nothing else inserted.
  let from = (await probe()).events.length;
  stage = 'heard';
  await page.waitForFunction(`[...document.querySelectorAll('section.switch[data-node="spine0"] td.heard')].every((td) => td.getAttribute('data-heard') === '${t1}')`, null, { timeout: 60000 });
  const heardEvents = (await probe()).events.slice(from).filter((e) => e.kind === 'heard');
  t.ok(heardEvents.length > 0, 'set by the "heard" event');
  const heardMax = Math.max(...heardEvents.map((e) => e.added));
  t.ok(heardMax <= 32, `a "heard" event inserts at most the open table's 32 heard texts (${heardMax} nodes; the collapsed tables, ~500 rows, are not touched)`);

  // One link down: its link, its two switches' summary lines.
  from = (await probe()).events.length;
  await page.evaluate(`window.__lsoeProbe.watch = '#fabric g.link[data-index="${FLAPPED}"]'`);
  const waitedAt = Date.now();
  stage = 'flapped';
  await page.waitForSelector(`#fabric g.link[data-index="${FLAPPED}"][data-state="down"]`, { timeout: 60000 });
  t.comment(`the flapped link was shown ${Date.now() - waitedAt} ms after the test started waiting (includes the reconnect)`);
  const flapEvent = (await probe()).events.slice(from).find((e) => e.watched === 'down')!;
  t.ok(flapEvent, 'the event that showed the link down');
  t.equal(flapEvent.kind, 'change', 'a "change" event');
  const wholeBytes = JSON.stringify(fabricView(FLAPPED, t1)).length;
  t.ok(flapEvent.bytes * 10 < wholeBytes, `it carries the link and its two switches only (${flapEvent.bytes} of the view's ${wholeBytes} bytes)`);
  t.comment(`that event: ${flapEvent.ms.toFixed(1)} ms in the page's handler, ${flapEvent.added} nodes inserted, ${flapEvent.attributes} attributes set`);
  t.ok(flapEvent.added <= 60, `it inserted only the two switches' summary lines (${flapEvent.added} nodes)`);
  t.equal(await page.locator('#fabric g.link[data-state="up"]').count(), 255, 'only that link changed');
  t.match(await page.textContent('section.switch[data-node="spine7"] summary'), /32 sessions: 31 open 1 down/, "spine7's summary counts the link's session down");
  t.match(await page.textContent('section.switch[data-node="leaf5"] summary'), /8 sessions: 7 open 1 down/, "and leaf5's");
  t.equal(await page.evaluate(`document.querySelector('#fabric g.link[data-index="0"]').__mark`), 1, 'the fabric was updated in place, not redrawn');
  t.equal(await page.evaluate(`document.querySelector('section.switch[data-node="spine6"] summary h2').__mark`), 1, 'an unchanged switch section was not touched');
  t.equal(await page.locator('section.switch[data-node="spine0"] details[open]').count(), 1, 'an opened table stays open across updates');
  t.equal(await page.locator('section.switch[data-node="spine0"] tbody tr').count(), 32, 'and keeps its rows');
  // Closed again, its rows go.
  await page.click('section.switch[data-node="spine0"] summary');
  await page.waitForFunction(`document.querySelectorAll('section.switch tbody tr').length === 0`, null, { timeout: 30000 });
  t.pass('a closed table\'s rows are dropped');
  await page.screenshot({ path: path.join(os.tmpdir(), 'lsoe-lab-40.png'), fullPage: false });
});
