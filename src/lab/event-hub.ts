// The page's live updates: server-sent-event clients and what is sent to them.
// Bounded both ways: at most `maxClients` streams (a page that opens streams in a
// loop cannot exhaust the collector), and at most one event waits for a client that
// reads slowly: while it is still taking one, later events are skipped for it, and
// once it has taken it, it gets the current view whole (`current`), so it always
// ends on the latest view (a 40-switch view is ~0.5 MB: queueing every one for a
// busy browser piled up megabytes). A client that skips `maxSkipped` events in a
// row has stopped reading and is dropped (its browser reconnects and starts afresh).
import type http from 'node:http';

/** Concurrent event streams; a lab page needs one per open tab. */
export const MAX_EVENT_CLIENTS = 32;
/** Events skipped in a row (about a minute of a live lab's updates) before a client is dropped. */
export const MAX_EVENTS_SKIPPED = 60;

export interface EventHubOptions {
  log?: (line: string) => void;
  maxClients?: number;
  maxSkipped?: number;
  /** the event that brings a client up to date (the current view, whole) */
  current?: () => string;
}

export class EventHub {
  /** each client, with the events it skipped since it fell behind (0: in step) */
  private readonly clients = new Map<http.ServerResponse, { skipped: number }>();
  /** clients refused (too many) and dropped (stopped reading); events skipped for slow clients */
  readonly counts = { refused: 0, dropped: 0, skipped: 0 };
  readonly maxClients: number;
  readonly maxSkipped: number;
  private readonly log: (line: string) => void;
  private readonly current: () => string;

  constructor(opts: EventHubOptions = {}) {
    this.log = opts.log ?? (() => undefined);
    this.maxClients = opts.maxClients ?? MAX_EVENT_CLIENTS;
    this.maxSkipped = opts.maxSkipped ?? MAX_EVENTS_SKIPPED;
    this.current = opts.current ?? (() => '');
  }

  get size(): number {
    return this.clients.size;
  }

  /** Opens the stream with `first` (the current view); false (503 sent) when full. */
  add(req: http.IncomingMessage, res: http.ServerResponse, first: string): boolean {
    if (this.clients.size >= this.maxClients) {
      this.counts.refused++;
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5' });
      res.end(`too many event streams (${this.maxClients}); close another page\n`);
      return false;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(`retry: 1000\n\n${first}`);
    this.clients.set(res, { skipped: 0 });
    req.on('close', () => this.clients.delete(res));
    return true;
  }

  /** Sends `text` (one or more complete events) to every client that has taken the last one. */
  broadcast(text: string): void {
    for (const [res, client] of this.clients) {
      if (client.skipped === 0 && !res.writableNeedDrain) {
        res.write(text);
        continue;
      }
      this.counts.skipped++;
      if (++client.skipped > this.maxSkipped) {
        this.clients.delete(res);
        this.counts.dropped++;
        this.log('event-stream client stopped reading; dropped');
        res.destroy();
        continue;
      }
      if (client.skipped > 1) continue; // already waiting for it to drain
      res.once('drain', () => {
        if (!this.clients.has(res)) return;
        client.skipped = 0;
        res.write(this.current());
      });
    }
  }

  close(): void {
    for (const res of this.clients.keys()) res.end();
    this.clients.clear();
  }
}
