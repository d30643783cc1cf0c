// `lsoe lab` end to end: a 2 x 3 fabric in namespaces with real daemons, its
// status, the page in headless Chromium (all links up, then one set down
// turns red, then a stopped daemon's links too), and `lab down` leaving
// nothing behind.
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { spawn } from 'node:child_process';
import { labDown, labNamespacePids } from '../../src/lab/down.js';
import { readPlan } from '../../src/lab/state.js';
import { createTempAccounts } from '../ctl/temp-account.js';
import { setLink } from '../../src/lab/netns.js';
import { stateDirOf } from '../../src/lab/plan.js';
import { isAlive, isLabProcess, readPid } from '../../src/lab/processes.js';
import type { EndStatus } from '../../src/lab/status.js';
import { repoRoot } from '../helpers/vectors.js';
import { LSOE_BIN_PATH, rootOrSkip } from '../helpers/netns.js';
import { freePort, labNamespaces, lsoe, parseJsonLines, processesMentioning, uniqueLabName } from '../lab/lab-helpers.js';
import { PAGE_PROBE_SCRIPT, type ProbeState } from '../helpers/page-probe.js';

/** bin/lsoe as another user, with none of the test runner's environment. */
function runAs(user: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('runuser', ['-u', user, '--', 'env', '-i', 'NO_COLOR=1', process.execPath, LSOE_BIN_PATH, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

t.test('lab up 2 x 3: sessions, status, page, link down, lab down', async (t) => {
  if (!rootOrSkip(t)) return;
  const name = uniqueLabName('e');
  const port = await freePort();
  const stateDir = stateDirOf(name);
  t.teardown(() => labDown(name));

  const up = await lsoe(['lab', 'up', '--spines', '2', '--leaves', '3', '--name', name, '--port', String(port), '--wait', '--timeout', '60', '--json']);
  t.equal(up.code, 0, `lab up: ${up.stderr}`);
  const [result] = parseJsonLines<{ url: string; openEnds: number; totalEnds: number; convergedSeconds: number | null; nodes: { name: string; socket: string }[] }>(up.stdout);
  t.equal(result.url, `http://127.0.0.1:${port}/`);
  t.equal(result.totalEnds, 12);
  t.equal(result.openEnds, 12, 'every session end open');
  t.not(result.convergedSeconds, null);
  t.same(result.nodes.map((n) => n.name), ['spine0', 'spine1', 'leaf0', 'leaf1', 'leaf2']);
  t.same((await labNamespaces(name)).sort(), result.nodes.map((n) => `lsoe-${name}-${n.name}`).sort());

  // Status: one record per session end, each the mirror of its peer's.
  const status = await lsoe(['lab', 'status', '--name', name, '--json']);
  t.equal(status.code, 0, status.stderr);
  const ends = parseJsonLines<EndStatus>(status.stdout);
  t.equal(ends.length, 12);
  const spines = ['spine0', 'spine1'];
  const leaves = ['leaf0', 'leaf1', 'leaf2'];
  const expected = spines.flatMap((s) => leaves.flatMap((l) => [`${s}>${l}`, `${l}>${s}`])).sort();
  t.same(ends.map((e) => `${e.node}>${e.peerNode}`).sort(), expected, 'every spine-leaf pair, both ways');
  for (const e of ends) {
    t.equal(e.state, 'open', `${e.node} ${e.ifname} open`);
    t.equal(e.ifname, e.peerNode, 'interfaces are named after the peer');
    const mirror = ends.find((x) => x.node === e.peerNode && x.peerNode === e.node)!;
    t.equal(e.peerMac, mirror.mac, `${e.node} sees ${e.peerNode}'s MAC`);
    t.equal(e.peerId, Buffer.from(e.peerNode.padEnd(10, '\0')).toString('hex'), 'peer ID is the peer name');
  }
  const human = await lsoe(['lab', 'status', '--name', name]);
  t.match(human.stdout, new RegExp(`lab ${name}: 12 of 12 session ends open`));

  // The page, in headless Chromium with a fresh profile.
  const profile = mkdtempSync(path.join(os.tmpdir(), 'lsoe-lab-chromium-'));
  t.teardown(() => rmSync(profile, { recursive: true, force: true }));
  let context: BrowserContext | null = null;
  t.teardown(() => context?.close());
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  // the page's update cost, measured in it (test/helpers/page-probe.ts)
  await context.addInitScript(PAGE_PROBE_SCRIPT);
  const page = await context.newPage();
  await page.goto(result.url);
  await page.waitForFunction(`document.querySelectorAll('#fabric g.link[data-state="up"]').length === 6`, null, { timeout: 20000 });
  const drawn = await page.$$eval('#fabric g.node', (gs) => gs.map((g) => g.getAttribute('data-node')));
  t.same(drawn.sort(), [...leaves, ...spines].sort(), 'every switch drawn');
  const sections = await page.$$eval('section.switch', (ss) => ss.map((s) => s.getAttribute('data-node')));
  t.same(sections.sort(), [...leaves, ...spines].sort(), 'a table per switch');
  const spineRows = await page.$$eval('section.switch[data-node="spine0"] tbody tr', (rs) => rs.map((r) => r.textContent ?? ''));
  t.ok(spineRows.some((r) => r.includes('198.18.0.1/31') && r.includes('IPV4')), 'spine0 learned leaf0 link address');
  t.ok(spineRows.some((r) => /198\.19\.0\.3\/32/.test(r)), 'and leaf0 loopback');

  // A link set down turns red, without a reload, within the daemons' keepalive receive
  // timeout (the lab runs them with a short one; both ends see the carrier go at once, so
  // it is only the worst case) plus a little slack for a loaded machine: the collector
  // follows the daemons' session events and needs no poll for it. The issue asks for
  // this bound, so it is asserted (bench lab-page measures the time).
  const plan = readPlan(stateDir)!;
  const boundMs = plan.timers.keepaliveReceive * 1000 + 4000;
  const link = '#fabric g.link[data-link="spine0--leaf0"]';
  // Mark what is drawn now: a real lab's views change with every keepalive (when each peer
  // was last heard), yet the page updates in place and rewrites only what changed.
  const untouchedLink = '#fabric g.link[data-link="spine1--leaf1"]';
  const untouchedTable = 'section.switch[data-node="leaf1"] table';
  await page.evaluate(`document.querySelector('${untouchedLink}').__mark = 1; document.querySelector('${untouchedTable}').__mark = 1;`);
  const downAt = Date.now();
  await setLink(`lsoe-${name}-leaf0`, 'spine0', false);
  await page.waitForSelector(`${link}[data-state="down"]`, { timeout: 30000 });
  const tookMs = Date.now() - downAt;
  const probe = (await page.evaluate('window.__lsoeProbe')) as ProbeState;
  t.comment(`page events so far: ${probe.events.filter((e) => e.kind === 'message').length} whole views, ${probe.events.filter((e) => e.kind === 'change').length} changes, ${probe.events.filter((e) => e.kind === 'heard').length} heard-only; ` +
    `after the link went down: ${probe.events.filter((e) => e.at >= downAt).map((e) => `${e.kind} ${e.ms.toFixed(1)} ms +${e.added} nodes`).join(', ')}`);
  // every keepalive moves the heard times: with nothing else changing, only they are sent
  const heardOnly = await page.waitForFunction(`window.__lsoeProbe.events.some((e) => e.kind === 'heard')`, null, { timeout: 30000 }).then(() => true, () => false);
  t.ok(heardOnly, 'the collector sent heard-only events');
  t.ok(tookMs <= boundMs, `link red after ${tookMs} ms (bound ${boundMs} ms: keepalive ${plan.timers.keepaliveReceive} s + slack)`);
  t.ok(probe.events.some((e) => e.at >= downAt && e.kind === 'change'), 'the link went down in a "change" event (the parts that changed), not a whole view');
  const colours = await page.evaluate(
    `[...document.querySelectorAll('${link} line.end')].map((l) => getComputedStyle(l).stroke)`,
  );
  t.same(colours, ['rgb(208, 49, 45)', 'rgb(208, 49, 45)'], 'both halves red');
  t.equal(await page.locator('#fabric g.link[data-state="up"]').count(), 5, 'the other links stay up');
  t.equal(await page.evaluate(`document.querySelector('${untouchedLink}').__mark`), 1, 'the fabric was updated in place, not redrawn');
  t.equal(await page.evaluate(`document.querySelector('${untouchedTable}').__mark`), 1, "leaf1's table (only its heard times moved) was not rewritten");
  const heard = await page.$$eval(`${untouchedTable} td.heard`, (tds) => tds.map((td) => [td.getAttribute('data-heard'), td.textContent]));
  t.ok(heard.length >= 2, "leaf1's rows");
  for (const [iso, text] of heard) {
    // the lab's keepalives come every second; the bound is generous for a loaded machine
    t.ok(iso !== null && Date.now() - Date.parse(iso) < 15000, `leaf1's heard time is current (${iso}), set in place`);
    t.match(text, /\(\d+ s ago\)$/);
  }

  // Back up: both ends' session-up events bring it back, again as the parts that changed.
  const upAt = Date.now();
  await setLink(`lsoe-${name}-leaf0`, 'spine0', true);
  await page.waitForSelector(`${link}[data-state="up"]`, { timeout: 30000 });
  t.comment(`link back up on the page ${Date.now() - upAt} ms after ip link set up`);
  const sinceUp = ((await page.evaluate('window.__lsoeProbe')) as ProbeState).events.filter((e) => e.at >= upAt);
  t.ok(sinceUp.some((e) => e.kind === 'change'), 'back up in a "change" event');
  t.same(sinceUp.filter((e) => e.kind === 'message').map((e) => e.bytes), [], 'no whole view sent for it');

  // A daemon stopped: its switch greys out and its links go red once the peers' keepalives time out.
  const leaf2 = readPid(path.join(stateDir, 'leaf2.pid'));
  t.ok(leaf2 !== null && isLabProcess(leaf2, stateDir), 'leaf2 daemon PID recorded');
  process.kill(leaf2!, 'SIGKILL');
  await page.waitForSelector('#fabric g.node[data-node="leaf2"][data-daemon="false"]', { timeout: 20000 });
  await page.waitForSelector('#fabric g.link[data-link="spine0--leaf2"][data-state="down"]', { timeout: 20000 });
  await page.waitForSelector('#fabric g.link[data-link="spine1--leaf2"][data-state="down"]', { timeout: 20000 });
  t.equal(await page.locator('#fabric g.link[data-state="up"]').count(), 4, 'the links of leaf2 are down too');
  const artifacts = path.join(repoRoot(), 'test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, 'lab-link-down.png'), fullPage: true });
  const after = parseJsonLines<EndStatus>((await lsoe(['lab', 'status', '--name', name, '--json'])).stdout);
  t.same(after.filter((e) => e.state !== 'open').map((e) => `${e.node}:${e.ifname}`).sort(), [
    'leaf2:spine0', 'leaf2:spine1', 'spine0:leaf2', 'spine1:leaf2',
  ]);
  t.same(after.filter((e) => !e.daemon).map((e) => e.node), ['leaf2', 'leaf2']);
  await context.close();
  context = null;

  // Not root: told so, not shown a lab with every daemon down.
  const acc = createTempAccounts(t);
  const denied = await runAs(acc.outsider, ['lab', 'status', '--name', name]);
  t.equal(denied.code, 1, 'lab status without root fails');
  t.equal(denied.stdout, '');
  t.match(denied.stderr, new RegExp(`^lsoe: lab status: permission denied on ${stateDir}/\\w+\\.sock and \\d+ other sockets \\(run lsoe lab status as root\\)\\n$`));

  // Everything inside the namespaces before down: the daemons and their children.
  const before = [...(await labNamespacePids(name)).values()].flat();
  t.ok(before.length > 4, `${before.length} processes inside the 4 remaining daemons' namespaces (daemons and their children)`);
  const down = await lsoe(['lab', 'down', '--name', name]);
  t.equal(down.code, 0, down.stderr);
  t.match(down.stdout, `lab ${name}: stopped 4 daemons and the collector, removed 5 namespaces and its files`);
  t.same(await labNamespaces(name), [], 'no namespace left');
  t.same(before.filter(isAlive), [], 'no process that was inside a namespace is left (children included)');
  t.same(processesMentioning(stateDir), [], 'no process left');
  t.notOk(existsSync(stateDir), 'no files left');
  await t.rejects(fetch(result.url), 'collector gone');
  const again = await lsoe(['lab', 'status', '--name', name]);
  t.equal(again.code, 1);
  t.match(again.stderr, new RegExp(`^lsoe: lab status: no lab '${name}'`));
});
