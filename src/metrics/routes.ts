// What the metrics listener answers: GET /metrics (Prometheus text format) and, when
// `looking-glass = yes`, GET /looking-glass/[page] (JSON). Nothing else, and GET only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ControlExtensions } from '../ctl/handlers.js';
import type { DaemonCore } from '../daemon/views.js';
import type { Exporter } from './exporter.js';
import { hostAllowed } from './host-check.js';
import { LOOKING_GLASS, lookingGlassIndex } from './looking-glass.js';

export interface RouteContext {
  core: DaemonCore;
  /** what the control socket's handlers get besides the core (the BGP northbound) */
  extensions: ControlExtensions;
  exporter: () => Promise<Exporter>;
  /** the address the listener is bound to (for the Host check) */
  listenHost: string;
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

const text = (res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}) =>
  send(res, status, 'text/plain; charset=utf-8', `${message}\n`, extra);

export async function route(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET') return text(res, 405, 'only GET', { Allow: 'GET' });
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === '/metrics') {
    const exporter = await ctx.exporter();
    return send(res, 200, exporter.contentType, await exporter.scrape());
  }
  if (path === '/looking-glass' || path.startsWith('/looking-glass/')) {
    if (ctx.core.config()['looking-glass'] !== true) return text(res, 404, 'the looking glass is off (looking-glass = yes turns it on)');
    if (!hostAllowed(req.headers.host, ctx.listenHost)) {
      return text(res, 403, "the Host header must name this daemon's listen address or localhost");
    }
    const page = path.slice('/looking-glass/'.length).replace(/\/$/, '');
    if (path === '/looking-glass') return text(res, 301, 'see /looking-glass/', { Location: '/looking-glass/' });
    const body = page === '' ? lookingGlassIndex(ctx.core) : Object.hasOwn(LOOKING_GLASS, page) ? LOOKING_GLASS[page]!(ctx.core, ctx.extensions) : undefined;
    if (body === undefined) return text(res, 404, `no page ${page} (pages: ${Object.keys(LOOKING_GLASS).join(', ')})`);
    return send(res, 200, 'application/json', `${JSON.stringify(body)}\n`);
  }
  return text(res, 404, 'not found: /metrics' + (ctx.core.config()['looking-glass'] === true ? ' and /looking-glass/' : ''));
}
