// The lab's collector, wired from its parts: the reports the daemons send (on a
// Unix socket, as HTTP POSTs or JSON lines; and on the web port at /mutate like
// the reference collector, so an lsoed can report too) go to the ReportStore;
// the SessionPoller asks every daemon's control socket for its sessions once a
// second on the injected clock (and at once when a report comes in); the view
// built from both goes to the page through the EventHub (whole when it changed,
// only its heard times when only they moved: see splitHeard); collector-routes.ts
// serves the web port, on 127.0.0.1 only. The report socket is 0600: only
// root's daemons report there.
import http from 'node:http';
import net from 'node:net';
import { chmodSync, renameSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { realClock, type Clock } from '../daemon/clock.js';
import { LineSplitter } from '../ctl/line-splitter.js';
import { answerReport, MAX_BODY, webHandler } from './collector-routes.js';
import { EventHub } from './event-hub.js';
import type { LabPlan } from './plan.js';
import { ReportStore } from './reports.js';
import { SessionPoller } from './session-poller.js';
import { endStatuses, querySessions, type EndStatus } from './status.js';
import { buildView, bgpView, splitHeard, type LabView } from './view.js';
import { BgpLabWatcher } from './bgp-watch.js';
import type { GobgpNeighbor } from './gobgpd.js';
import { bgpOf } from './plan.js';

export { hostAllowed, isJsonContentType } from './collector-routes.js';
export { MAX_EVENTS_SKIPPED, MAX_EVENT_CLIENTS } from './event-hub.js';

export interface CollectorOptions {
  /** how often to ask the daemons, ms */
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

/** How often the collector asks every daemon for its sessions (a report also triggers a poll). */
export const DEFAULT_POLL_MS = 1000;

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
  let restJson = JSON.stringify(splitHeard(current).rest);
  let heardJson = JSON.stringify(splitHeard(current).heard);
  const viewJson = (): string => (currentJson ??= JSON.stringify(current));

  // The whole view when anything but the heard times changed; else (each keepalive moves
  // them) only the heard times, as an event of their own ("heard").
  const refresh = (): void => {
    const next = buildView(plan, endStatuses(plan, poller.current()), store.all(), bgpNow());
    const parts = splitHeard(next);
    const rest = JSON.stringify(parts.rest);
    const heard = JSON.stringify(parts.heard);
    if (rest === restJson && heard === heardJson) return;
    const whole = rest !== restJson;
    current = next;
    currentJson = null;
    restJson = rest;
    heardJson = heard;
    hub.broadcast(whole ? `data: ${viewJson()}\n\n` : `event: heard\ndata: ${heard}\n\n`);
  };
  const poller = new SessionPoller(nodeNames, (nodes) => querySessions(plan, nodes), clock, (opts.pollMs ?? DEFAULT_POLL_MS) / 1000, refresh);
  const nodeById = new Map(plan.nodes.map((n) => [n.localId, n.name]));

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
    // A report often means a session changed: look at that daemon now rather than within a second.
    const node = nodeById.get(added.switchId);
    void poller.poll(node ? [node] : undefined);
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
    const period = (opts.pollMs ?? DEFAULT_POLL_MS) / 1000;
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
