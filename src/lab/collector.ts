// The lab's collector: receives the daemons' reports (on a Unix socket, as
// HTTP POSTs or JSON lines; and on its HTTP port at /mutate like the reference
// collector, so an lsoed can report too), asks every daemon's control socket
// for its sessions once a second (and at once when a report comes in), and
// serves the page, its live updates (server-sent events) and the state as JSON.
// HTTP listens on 127.0.0.1 only.
//
// Browsers are the threat model of the web port: any page the user visits can
// make the browser talk to 127.0.0.1. So: the Host header must name this port
// on 127.0.0.1 or localhost (a DNS-rebound name does not), and POST /mutate
// must say `Content-Type: application/json`, which a cross-site page cannot
// send without a CORS preflight that we never answer (lsoed and our daemon both
// send it). The report socket is 0600: only root's daemons report there.
import http from 'node:http';
import net from 'node:net';
import { chmodSync, renameSync, rmSync } from 'node:fs';
import type { LabPlan } from './plan.js';
import { ReportStore } from './reports.js';
import { endStatuses, querySessions, type EndStatus, type SessionsByNode } from './status.js';
import { buildView, type LabView } from './view.js';
import { PAGE_HTML } from './web/page.js';

export interface CollectorOptions {
  /** how often to ask the daemons, ms */
  pollMs?: number;
  log?: (line: string) => void;
}

export interface Collector {
  view(): LabView;
  ends(): EndStatus[];
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;
/** How often the collector asks every daemon for its sessions (a report also triggers a poll). */
export const DEFAULT_POLL_MS = 1000;
/** An event-stream client with more than this unsent is dropped; its browser reconnects and starts afresh. */
export const MAX_EVENT_BACKLOG = 1 << 20;

/** Only our own names: a DNS-rebinding page arrives with its own host name here. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const h = host.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}`;
}

/** `application/json`, parameters (charset) allowed. */
export function isJsonContentType(value: string | undefined): boolean {
  return (value ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** The first bytes of an HTTP request, as opposed to a JSON line. */
function looksLikeHttp(chunk: Buffer): boolean {
  return /^[A-Z]{3,7} \S/.test(chunk.toString('latin1', 0, 16));
}

export async function startCollector(plan: LabPlan, opts: CollectorOptions = {}): Promise<Collector> {
  const log = opts.log ?? (() => undefined);
  const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
  const store = new ReportStore();
  let sessions: SessionsByNode = new Map();
  let current = buildView(plan, endStatuses(plan, sessions), []);
  let currentJson = JSON.stringify(current);
  const listeners = new Set<http.ServerResponse>();
  // A page that stopped reading (a suspended tab, a stuck proxy) must not make us
  // buffer every later view for it.
  const send = (res: http.ServerResponse, text: string): void => {
    if (res.writableLength > MAX_EVENT_BACKLOG) {
      listeners.delete(res);
      log('event-stream client too far behind; dropped');
      res.destroy();
      return;
    }
    res.write(text);
  };

  const refresh = (): void => {
    const next = buildView(plan, endStatuses(plan, sessions), store.all());
    const json = JSON.stringify(next);
    if (json === currentJson) return;
    current = next;
    currentJson = json;
    for (const res of listeners) send(res, `data: ${json}\n\n`);
  };

  // One poll at a time; asks made meanwhile are merged into one more poll.
  let polling = false;
  let wanted: Set<string> | null = null;
  const poll = async (nodes?: string[]): Promise<void> => {
    const ask = nodes ?? plan.nodes.map((n) => n.name);
    if (polling) {
      wanted = new Set([...(wanted ?? []), ...ask]);
      return;
    }
    polling = true;
    try {
      const fresh = await querySessions(plan, ask);
      sessions = new Map([...sessions, ...fresh]);
      refresh();
    } finally {
      polling = false;
    }
    if (wanted) {
      const again = [...wanted];
      wanted = null;
      await poll(again);
    }
  };
  const nodeById = new Map(plan.nodes.map((n) => [n.localId, n.name]));

  // Reports come in bursts (four per session as a fabric converges): redraw once per burst.
  let refreshTimer: NodeJS.Timeout | null = null;
  const refreshSoon = (): void => {
    refreshTimer ??= setTimeout(() => {
      refreshTimer = null;
      refresh();
    }, 100);
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
    void poll(node ? [node] : undefined);
    return null;
  };

  const readJsonBody = (req: http.IncomingMessage, done: (value: unknown, error: string | null) => void): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return done(null, 'report too large');
      try {
        done(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown, null);
      } catch (err) {
        done(null, `not JSON: ${(err as Error).message}`);
      }
    });
  };

  const mutate = (req: http.IncomingMessage, res: http.ServerResponse, source: string): void => {
    readJsonBody(req, (value, error) => {
      const refused = error ?? accept(value, source);
      res.writeHead(refused ? 400 : 200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(refused ? `${refused}\n` : 'ok\n');
    });
  };

  const web = http.createServer((req, res) => {
    if (!hostAllowed(req.headers.host, plan.port)) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Host must be 127.0.0.1:${plan.port} or localhost:${plan.port}\n`);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/mutate') {
      if (!isJsonContentType(req.headers['content-type'])) {
        req.resume();
        res.writeHead(415, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('reports must be sent as Content-Type: application/json\n');
        return;
      }
      return mutate(req, res, req.socket.remoteAddress ?? 'http');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    switch (url.pathname) {
      case '/':
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(PAGE_HTML);
        return;
      case '/events':
        res.writeHead(200, {
          'Content-Type': 'text/event-stream',
          'Cache-Control': 'no-store',
          Connection: 'keep-alive',
        });
        res.write(`retry: 1000\n\ndata: ${currentJson}\n\n`);
        listeners.add(res);
        req.on('close', () => listeners.delete(res));
        return;
      case '/api/state':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(currentJson);
        return;
      case '/api/status':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(endStatuses(plan, sessions)));
        return;
      default:
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    }
  });

  // The daemons' side: any path, HTTP POST (what a report URL means) or JSON lines.
  const reportHttp = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    mutate(req, res, 'unix');
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
      let buffer = '';
      const take = (chunk: Buffer): void => {
        buffer += chunk.toString('utf8');
        if (buffer.length > MAX_BODY) return void sock.destroy();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line === '') continue;
          try {
            accept(JSON.parse(line) as unknown, 'unix');
          } catch {
            log('report line refused: not JSON');
          }
        }
      };
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

  void poll();
  const timer = setInterval(() => void poll(), pollMs);
  // Comments keep idle event streams from being dropped by anything in between.
  const heartbeat = setInterval(() => {
    for (const res of listeners) send(res, ': keepalive\n\n');
  }, 15000);
  log(`collector for lab ${plan.name} on ${plan.collector.url}, reports on ${plan.collector.socket}`);

  return {
    view: () => current,
    ends: () => endStatuses(plan, sessions),
    close: async () => {
      clearInterval(timer);
      clearInterval(heartbeat);
      if (refreshTimer) clearTimeout(refreshTimer);
      for (const res of listeners) res.end();
      listeners.clear();
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
