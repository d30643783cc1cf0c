// The lab's collector, wired from its parts: the reports the daemons send (on a
// Unix socket, as HTTP POSTs or JSON lines; and on the web port at /mutate like
// the reference collector, so an lsoe daemon or an lsoed can report too) go to the
// ReportStore; the SessionFeed holds one subscribed control connection per daemon, and
// each session event makes the SessionPoller read that daemon's sessions at once (on the
// same connection); the poller also reads every daemon once per resync period on the
// injected clock (heard times, states no event announces: opening, hopeless, held-down).
// The view built from both goes to the page through the EventHub: the parts that changed
// ("change"), only its heard times when only they moved ("heard"), whole when its shape
// changed (view-change.ts). collector-routes.ts serves the web port, on 127.0.0.1 only.
// The report socket is 0600: only root's daemons report there.
import http from 'node:http';
import net from 'node:net';
import { chmodSync, renameSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { realClock, type Clock } from '../daemon/clock.js';
import { LineSplitter } from '../ctl/line-splitter.js';
import { answerReport, MAX_BODY, webHandler } from './collector-routes.js';
import { EventHub } from './event-hub.js';
import type { LabPlan } from './plan.js';
import { ReportStore } from './reports.js';
import { SessionFeed } from './session-feed.js';
import { SessionPoller } from './session-poller.js';
import { endStatuses, querySessions, type EndStatus } from './status.js';
import { buildView, bgpView, type LabView } from './view.js';
import { viewStep, viewText, type ViewText } from './view-change.js';
import { BgpLabWatcher } from './bgp-watch.js';
import type { GobgpNeighbor } from './gobgpd.js';
import { bgpOf } from './plan.js';

export { hostAllowed, isJsonContentType } from './collector-routes.js';
export { MAX_EVENTS_SKIPPED, MAX_EVENT_CLIENTS } from './event-hub.js';

export interface CollectorOptions {
  /** how often to read every daemon whatever its events said (and gobgpd with --bgp), ms */
  pollMs?: number;
  log?: (line: string) => void;
  /** timers of the poller and the refresh (default: real time) */
  clock?: Clock;
  /** with --bgp: how gobgpd's sessions are asked (default: gobgp neighbor -j in its namespace) */
  bgpNeighbors?: () => Promise<Map<string, GobgpNeighbor>>;
}

export interface Collector {
  view(): LabView;
  ends(): EndStatus[];
  close(): Promise<void>;
}

/**
 * How often the collector reads every daemon's sessions besides their events: the heard
 * times (every keepalive moves them, and no event says so) and the states no event
 * announces (opening, hopeless, held-down) are at most this old on the page.
 */
export const DEFAULT_POLL_MS = 5000;
/** With --bgp, how often gobgpd's sessions are asked (its dump is followed as it grows). */
const BGP_POLL_MS = 1000;

/** The first bytes of an HTTP request, as opposed to a JSON line. */
function looksLikeHttp(chunk: Buffer): boolean {
  return /^[A-Z]{3,7} \S/.test(chunk.toString('latin1', 0, 16));
}

export async function startCollector(plan: LabPlan, opts: CollectorOptions = {}): Promise<Collector> {
  const log = opts.log ?? (() => undefined);
  const clock = opts.clock ?? realClock();
  const store = new ReportStore();
  // a page that fell behind is brought up to date with the current view, whole
  const hub = new EventHub({ log, current: () => `data: ${viewJson()}\n\n` });
  const nodeNames = plan.nodes.map((n) => n.name);
  // With --bgp, the fabric as gobgpd received it: its dump read as it grows, its sessions once a period.
  const bgpWatch = bgpOf(plan) === null ? null : new BgpLabWatcher(plan, opts.bgpNeighbors);
  const bgpNow = () => (bgpWatch === null ? null : bgpView(plan, bgpWatch.status(), bgpWatch.problem));
  let current = buildView(plan, endStatuses(plan, new Map()), [], bgpNow());
  let currentJson: string | null = null;
  let currentText: ViewText | null = null;
  const viewJson = (): string => (currentJson ??= JSON.stringify(current));

  // Whole only when its shape changed; else the parts that changed (and the heard times,
  // when they moved besides), or (each keepalive moves them) only the heard times.
  const refresh = (): void => {
    const next = buildView(plan, endStatuses(plan, poller.current()), store.all(), bgpNow());
    const text = viewText(next);
    const step = viewStep(currentText, text, next);
    if (step.kind === 'same') return;
    current = next;
    currentJson = null;
    currentText = text;
    if (step.kind === 'whole') hub.broadcast(`data: ${viewJson()}\n\n`);
    else if (step.kind === 'heard') hub.broadcast(`event: heard\ndata: ${text.heard}\n\n`);
    else {
      const heard = step.heardToo ? `event: heard\ndata: ${text.heard}\n\n` : '';
      hub.broadcast(`event: change\ndata: ${JSON.stringify(step.change)}\n\n${heard}`);
    }
  };
  const resync = (opts.pollMs ?? DEFAULT_POLL_MS) / 1000;
  const feed = new SessionFeed(plan.nodes, { clock, changed: (node) => void poller.poll([node]) });
  const poller = new SessionPoller(nodeNames, (nodes) => querySessions(plan, nodes, false, (n) => feed.client(n)), clock, resync, refresh);
  // Reports come in bursts (four per session as a fabric converges): redraw once per burst.
  let refreshTimer: ReturnType<Clock['setTimer']> | null = null;
  const refreshSoon = (): void => {
    refreshTimer ??= clock.setTimer(0.1, () => {
      refreshTimer = null;
      refresh();
    });
  };

  const accept = (value: unknown, source: string): string | null => {
    const added = store.add(value, source, new Date());
    if (!added.ok) {
      log(`report from ${source} refused: ${added.error}`);
      return added.error;
    }
    refreshSoon();
    return null;
  };

  const web = http.createServer(
    webHandler({
      port: plan.port,
      hub,
      viewJson,
      statusJson: () => JSON.stringify(endStatuses(plan, poller.current())),
      accept,
    }),
  );

  // The daemons' side: any path, HTTP POST (what a report URL means) or JSON lines.
  const reportHttp = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    answerReport(req, res, (v) => accept(v, 'unix'));
  });
  const reportSockets = new Set<net.Socket>();
  const reportServer = net.createServer((sock) => {
    reportSockets.add(sock);
    sock.on('close', () => reportSockets.delete(sock));
    sock.on('error', () => undefined);
    sock.once('data', (first: Buffer) => {
      if (looksLikeHttp(first)) {
        reportHttp.emit('connection', sock);
        sock.emit('data', first); // the HTTP parser missed the bytes we looked at
        return;
      }
      const lines = new LineSplitter(MAX_BODY, {
        onLine: (line) => {
          try {
            accept(JSON.parse(line) as unknown, 'unix');
          } catch {
            log('report line refused: not JSON');
          }
        },
        onOverlong: () => {
          log(`report line refused: longer than ${MAX_BODY} bytes`);
          sock.destroy();
        },
      });
      const take = (chunk: Buffer): void => lines.push(chunk);
      take(first);
      sock.on('data', take);
    });
  });

  // Bound under a temporary name, made 0600, then moved into place: there is no
  // moment at which the socket is at its real path with a wider mode.
  rmSync(plan.collector.socket, { force: true });
  const binding = `${plan.collector.socket}.${process.pid}.tmp`;
  rmSync(binding, { force: true });
  await new Promise<void>((resolve, reject) => {
    reportServer.once('error', reject);
    reportServer.listen(binding, () => resolve());
  });
  chmodSync(binding, 0o600);
  renameSync(binding, plan.collector.socket);
  await new Promise<void>((resolve, reject) => {
    web.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `port ${plan.port} is in use` : err.message)),
    );
    web.listen(plan.port, '127.0.0.1', () => resolve());
  }).catch((err: unknown) => {
    reportServer.close();
    throw err;
  });

  feed.start();
  poller.start();
  let dumpWatch: FSWatcher | null = null;
  let bgpTimer: ReturnType<Clock['setTimer']> | null = null;
  let bgpStopped = false;
  if (bgpWatch !== null) {
    const mrtFile = bgpOf(plan)!.mrtFile;
    // gobgpd appends (and syncs) each batch of UPDATEs as it takes them: read them at once
    try {
      // redrawn at once, not after refreshSoon's tenth of a second: a link leaving BGP-LS is
      // what the page is for (gobgpd writes a batch of UPDATEs in one append)
      dumpWatch = watch(plan.stateDir, (_type, file) => {
        if (file === mrtFile && bgpWatch.readDump()) refresh();
      });
      dumpWatch.on('error', (err) => log(`watching the BGP dump: ${err.message}`));
    } catch (err) {
      log(`cannot watch the BGP dump (read once a period instead): ${(err as Error).message}`);
    }
    const period = (opts.pollMs ?? BGP_POLL_MS) / 1000;
    const bgpRound = async (): Promise<void> => {
      bgpTimer = null;
      bgpWatch.readDump();
      await bgpWatch.pollNeighbors();
      refresh();
      if (!bgpStopped) bgpTimer = clock.setTimer(period, () => void bgpRound());
    };
    void bgpRound();
  }
  // Comments keep idle event streams from being dropped by anything in between.
  const heartbeat = setInterval(() => hub.broadcast(': keepalive\n\n'), 15000);
  log(`collector for lab ${plan.name} on ${plan.collector.url}, reports on ${plan.collector.socket}`);

  return {
    view: () => current,
    ends: () => endStatuses(plan, poller.current()),
    close: async () => {
      feed.stop();
      poller.stop();
      bgpStopped = true;
      if (bgpTimer !== null) clock.clearTimer(bgpTimer);
      dumpWatch?.close();
      clearInterval(heartbeat);
      if (refreshTimer) clock.clearTimer(refreshTimer);
      hub.close();
      web.closeAllConnections();
      for (const sock of reportSockets) sock.destroy();
      await Promise.all([
        new Promise<void>((r) => web.close(() => r())),
        new Promise<void>((r) => reportServer.close(() => r())),
      ]);
      rmSync(plan.collector.socket, { force: true });
    },
  };
}
