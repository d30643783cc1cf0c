// `lsoe lab up --bgp` end to end on a 1 x 2 fabric: gobgpd in its own namespace takes
// every switch as a dynamic neighbour over the management network; `lab status --bgp`
// reads gobgpd's MRT dump back with lsoe's decoders, pairs the half-links and holds
// the result against gobgpd's own Accepted counts; the page (headless Chromium) shows a
// badge per link and each switch's session; a link set down leaves BGP-LS and the page;
// `lab down` leaves no gobgpd and no namespace. Deadlines are guards, not timings: the
// figures are t.comment()ed here and measured in bench/lab-bgp.mjs.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import type { BgpLinkStatus, BgpPeerStatus } from '../../src/lab/bgp-links.js';
import { labDown } from '../../src/lab/down.js';
import { setLink } from '../../src/lab/netns.js';
import { stateDirOf } from '../../src/lab/plan.js';
import { rootOrSkip } from '../helpers/netns.js';
import { freePort, labNamespaces, lsoe, parseJsonLines, processesMentioning, uniqueLabName } from '../lab/lab-helpers.js';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const noTools = ['gobgpd', 'gobgp'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0);

async function bgpStatus(name: string): Promise<{ code: number | null; links: BgpLinkStatus[]; peers: BgpPeerStatus[] }> {
  const r = await lsoe(['lab', 'status', '--bgp', '--name', name, '--json']);
  const records = parseJsonLines<BgpLinkStatus | BgpPeerStatus>(r.stdout);
  return {
    code: r.code,
    links: records.filter((x): x is BgpLinkStatus => 'paired' in x),
    peers: records.filter((x): x is BgpPeerStatus => 'agrees' in x),
  };
}

t.test('lab up --bgp 1 x 2: gobgpd collects the fabric, status pairs it, the page shows it', { skip: noTools ? `${noTools} is not installed` : false }, async (t) => {
  if (!rootOrSkip(t)) return;
  const name = uniqueLabName('g');
  const port = await freePort();
  const stateDir = stateDirOf(name);
  t.teardown(() => labDown(name));

  const up = await lsoe(['lab', 'up', '--bgp', '--spines', '1', '--leaves', '2', '--name', name, '--port', String(port), '--wait', '--timeout', '60', '--json']);
  t.equal(up.code, 0, `lab up: ${up.stderr}`);
  const [result] = parseJsonLines<{ url: string; bgp: { convergedSeconds: number | null; established: number; switches: number; paired: number; links: number; netns: string } }>(up.stdout);
  t.match(result.bgp, { established: 3, switches: 3, paired: 2, links: 2, netns: `lsoe-${name}-gobgpd` }, 'every switch established, every link paired');
  t.not(result.bgp.convergedSeconds, null);
  t.comment(`BGP-LS converged ${result.bgp.convergedSeconds} s after lab up started (1 x 2)`);
  t.ok((await labNamespaces(name)).includes(`lsoe-${name}-gobgpd`), 'gobgpd has a namespace of its own');

  // Read back from gobgpd's dump with our decoder; section 8's arithmetic per switch:
  // node + loopback v4 + v6, per open link its Link NLRI and its v4 and v6 prefixes.
  const s = await bgpStatus(name);
  t.equal(s.code, 0, 'status --bgp: dump and gobgpd agree');
  t.same(s.links.map((l) => [l.link, l.upper.node, l.lower.node, l.upper.inBgp, l.lower.inBgp, l.paired]), [
    [0, 'spine0', 'leaf0', true, true, true],
    [1, 'spine0', 'leaf1', true, true, true],
  ]);
  t.same(s.peers.map((p) => [p.node, p.state, p.accepted, p.dumped]), [
    ['spine0', 'established', 9, 9],
    ['leaf0', 'established', 6, 6],
    ['leaf1', 'established', 6, 6],
  ], 'gobgpd accepted what its dump holds: 3 + 3 per link on the spine, 3 + 3 on each leaf');
  const human = await lsoe(['lab', 'status', '--bgp', '--name', name]);
  t.match(human.stdout, new RegExp(`lab ${name}: 2 of 2 links paired in BGP-LS; 3 of 3 switches established with gobgpd`));

  // The page: a badge per link, each switch's session.
  const profile = mkdtempSync(path.join(os.tmpdir(), 'lsoe-lab-bgp-chromium-'));
  t.teardown(() => rmSync(profile, { recursive: true, force: true }));
  let context: BrowserContext | null = null;
  t.teardown(() => context?.close());
  context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(result.url);
  await page.waitForFunction(`document.querySelectorAll('#fabric circle.bgp[data-bgp="paired"]').length === 2`, null, { timeout: 20000 });
  t.pass('both links badged as in BGP-LS');
  t.same(
    await page.$$eval('#fabric text.bgp-state', (ts) => ts.map((x) => `${x.getAttribute('data-bgp-state')} ${x.textContent}`)),
    ['established BGP up 9', 'established BGP up 6', 'established BGP up 6'],
    'each switch shows its session and what gobgpd accepted',
  );
  t.ok(await page.isVisible('#bgp-legend'), 'the BGP-LS legend is shown');

  // A link set down leaves BGP-LS (both halves withdrawn) and the page, without a reload.
  const badge = '#fabric g.link[data-link="spine0--leaf0"] circle.bgp';
  const downAt = Date.now();
  await setLink(`lsoe-${name}-leaf0`, 'spine0', false);
  await page.waitForSelector(`${badge}[data-bgp="none"]`, { timeout: 20000 });
  t.comment(`link 0 out of BGP-LS on the page ${Date.now() - downAt} ms after it was set down (figure: bench/lab-bgp.mjs)`);
  t.equal(await page.locator('#fabric circle.bgp[data-bgp="paired"]').count(), 1, 'the other link stays in BGP-LS');
  const after = await bgpStatus(name);
  t.same(after.links.map((l) => l.paired), [false, true], 'status --bgp: link 0 no longer paired');
  // each end withdraws its Link NLRI and that interface's two prefixes: the prefixes
  // follow the interface, down at leaf0 and without carrier at spine0
  t.same(after.peers.map((p) => p.accepted), [6, 3, 6], 'both ends withdrew their half and that link\'s prefixes');
  t.equal(after.code, 0, 'the dump still agrees with gobgpd');

  // Up again: back in BGP-LS (the IPv6 address goes with admin down on Linux: put it back).
  await setLink(`lsoe-${name}-leaf0`, 'spine0', true);
  spawnSync('ip', ['-n', `lsoe-${name}-leaf0`, 'addr', 'replace', '2001:db8:1::2/64', 'dev', 'spine0', 'nodad']);
  await page.waitForSelector(`${badge}[data-bgp="paired"]`, { timeout: 30000 });
  t.pass('link 0 back in BGP-LS');
  await context.close();
  context = null;

  const down = await lsoe(['lab', 'down', '--name', name]);
  t.equal(down.code, 0, down.stderr);
  t.match(down.stdout, `lab ${name}: stopped 3 daemons, the collector and gobgpd, removed 4 namespaces and its files`);
  t.same(await labNamespaces(name), [], 'no namespace left, gobgpd\'s included');
  t.same(processesMentioning(stateDir), [], 'no process left (gobgpd named the state directory)');
  t.notOk(existsSync(stateDir), 'no files left');
});

t.test('lab status --bgp on a lab without it says so', { skip: noTools ? `${noTools} is not installed` : false }, async (t) => {
  if (!rootOrSkip(t)) return;
  const name = uniqueLabName('n');
  t.teardown(() => labDown(name));
  const up = await lsoe(['lab', 'up', '--spines', '1', '--leaves', '1', '--name', name, '--port', String(await freePort())]);
  t.equal(up.code, 0, up.stderr);
  const r = await lsoe(['lab', 'status', '--bgp', '--name', name]);
  t.equal(r.code, 1);
  t.equal(r.stderr, `lsoe: lab status: lab ${name} runs without BGP (start it with: lsoe lab up --bgp)\n`);
});
