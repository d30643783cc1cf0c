// The collector's web port: the page, its event stream, the state as JSON, and
// POST /mutate (reports, like the reference collector). Browsers are the threat
// model here: any page the user visits can make the browser talk to 127.0.0.1.
// So the Host header must name this port on 127.0.0.1 or localhost (a
// DNS-rebound name does not), and POST /mutate must say `Content-Type:
// application/json`, which a cross-site page cannot send without a CORS
// preflight that we never answer (lsoed and our daemon both send it).
import type http from 'node:http';
import type { EventHub } from './event-hub.js';
import { PAGE_HTML } from './web/page.js';

/** Largest report body, in bytes (HTTP or one JSON line). */
export const MAX_BODY = 1 << 20;

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

/** Reads a JSON body of at most MAX_BODY bytes (the rest is read and dropped, never kept). */
export function readJsonBody(req: http.IncomingMessage, done: (value: unknown, error: string | null) => void): void {
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
}

/** Answers a report POST: 200 ok, or 400 with why it was refused. */
export function answerReport(req: http.IncomingMessage, res: http.ServerResponse, accept: (value: unknown) => string | null): void {
  readJsonBody(req, (value, error) => {
    const refused = error ?? accept(value);
    res.writeHead(refused ? 400 : 200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(refused ? `${refused}\n` : 'ok\n');
  });
}

export interface WebState {
  port: number;
  hub: EventHub;
  /** the current view as JSON */
  viewJson(): string;
  /** the session ends as JSON */
  statusJson(): string;
  /** takes a report from `source`; null when kept, else why not */
  accept(value: unknown, source: string): string | null;
}

export function webHandler(state: WebState): http.RequestListener {
  return (req, res) => {
    if (!hostAllowed(req.headers.host, state.port)) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Host must be 127.0.0.1:${state.port} or localhost:${state.port}\n`);
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
      answerReport(req, res, (v) => state.accept(v, req.socket.remoteAddress ?? 'http'));
      return;
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
        state.hub.add(req, res, `data: ${state.viewJson()}\n\n`);
        return;
      case '/api/state':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(state.viewJson());
        return;
      case '/api/status':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(state.statusJson());
        return;
      default:
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    }
  };
}
