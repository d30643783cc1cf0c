// The page's live updates: server-sent-event clients and what is sent to them.
// Bounded both ways: at most `maxClients` streams (a page that opens streams in a
// loop cannot exhaust the collector), and a client that stops reading is dropped
// once `maxBacklog` bytes wait for it (its browser reconnects and starts afresh).
import type http from 'node:http';

/** Concurrent event streams; a lab page needs one per open tab. */
export const MAX_EVENT_CLIENTS = 32;
/** An event-stream client with more than this unsent is dropped. */
export const MAX_EVENT_BACKLOG = 1 << 20;

export class EventHub {
  private readonly clients = new Set<http.ServerResponse>();
  /** clients refused (too many) and dropped (too far behind) */
  readonly counts = { refused: 0, dropped: 0 };

  constructor(
    private readonly log: (line: string) => void = () => undefined,
    readonly maxClients = MAX_EVENT_CLIENTS,
    readonly maxBacklog = MAX_EVENT_BACKLOG,
  ) {}

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
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
    return true;
  }

  /** Sends `text` (one or more complete events) to every client. */
  broadcast(text: string): void {
    for (const res of this.clients) {
      if (res.writableLength > this.maxBacklog) {
        this.clients.delete(res);
        this.counts.dropped++;
        this.log('event-stream client too far behind; dropped');
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }

  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
