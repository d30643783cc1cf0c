// The metrics listener's life: started with the daemon when `metrics-listen` is set,
// moved or stopped by a reload, closed on exit. prom-client is loaded only when a
// listener starts, so a daemon without metrics never loads it.
import { createServer, type Server } from 'node:http';
import type { DaemonCore } from '../daemon/views.js';
import type { Exporter } from './exporter.js';
import { parseListenAddress } from './listen-address.js';
import { route } from './routes.js';
import type { ControlExtensions } from '../ctl/handlers.js';
import { systemErrorText } from '../cli-context.js';

export interface MetricsLog {
  info(message: string): void;
  error(message: string): void;
}

/** Concurrent connections one listener holds; Prometheus needs one. */
const MAX_CONNECTIONS = 32;

export class MetricsService {
  private server: Server | null = null;
  private address: string | null = null;
  private exporter: Promise<Exporter> | null = null;

  constructor(
    private readonly core: DaemonCore,
    private readonly log: MetricsLog,
    private readonly extensions: ControlExtensions = {},
  ) {}

  /** Listens on `listen` (null = nowhere). The new listener is up before the old one closes; rejects when it cannot listen. */
  async apply(listen: string | null): Promise<void> {
    if (listen === this.address) return;
    const old = this.server;
    if (listen !== null) {
      this.server = await this.listen(listen);
      this.log.info(`metrics on http://${listen}/metrics`);
    } else {
      this.server = null;
    }
    this.address = listen;
    if (old !== null) await closeServer(old);
  }

  async close(): Promise<void> {
    await this.apply(null);
  }

  private getExporter(): Promise<Exporter> {
    this.exporter ??= import('./exporter.js').then((m) => m.createExporter(this.core, this.extensions));
    return this.exporter;
  }

  private listen(listen: string): Promise<Server> {
    const { host, port } = parseListenAddress(listen);
    const ctx = {
      core: this.core,
      extensions: this.extensions,
      exporter: () => this.getExporter(),
      listenHost: host,
    };
    const server = createServer((req, res) => {
      route(ctx, req, res).catch((err: unknown) => {
        const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
        this.log.error(`metrics: ${req.method} ${req.url} failed: ${message}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`internal error: ${message}\n`);
      });
    });
    server.maxConnections = MAX_CONNECTIONS;
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`cannot listen on ${listen}: ${systemErrorText(err)}`)));
      server.listen({ host, port }, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.log.error(`metrics listener: ${err.message}`));
        resolve(server);
      });
    });
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
