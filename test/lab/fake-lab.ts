// The collector's tests without namespaces: fake daemons on the lab's control sockets
// (they answer `sessions`, take `subscribe` and send events to their subscribers), and a
// reader of the page's event stream that keeps the view as the page does (whole views,
// "change" events laid over them, "heard" events).
import http from 'node:http';
import net from 'node:net';
import type { WireSession } from '../../src/lab/status.js';
import type { HeardTimes, LabView } from '../../src/lab/view.js';
import { applyChange, type ViewChange } from '../../src/lab/view-change.js';

export interface FakeDaemon {
  server: net.Server;
  /** requests received, by method */
  asked: Record<string, number>;
  /** sends an event line to every subscribed connection; how many got it */
  push(event: Record<string, unknown>): number;
  close(): void;
}

/** A control socket that answers `sessions` with whatever `sessions()` returns now; connections stay open. */
export function fakeDaemon(socket: string, sessions: () => WireSession[]): FakeDaemon {
  const subscribers = new Set<net.Socket>();
  const conns = new Set<net.Socket>();
  const asked: Record<string, number> = {};
  const server = net.createServer((c) => {
    conns.add(c);
    c.on('close', () => {
      conns.delete(c);
      subscribers.delete(c);
    });
    c.on('error', () => undefined);
    let buf = '';
    c.setEncoding('utf8');
    c.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const req = JSON.parse(buf.slice(0, nl)) as { id: number; method: string };
        buf = buf.slice(nl + 1);
        asked[req.method] = (asked[req.method] ?? 0) + 1;
        if (req.method === 'subscribe') subscribers.add(c);
        const result = req.method === 'sessions' ? sessions() : req.method === 'subscribe' ? { subscribed: true } : {};
        c.write(JSON.stringify({ id: req.id, result }) + '\n');
      }
    });
  });
  server.listen(socket);
  return {
    server,
    asked,
    push(event) {
      for (const c of subscribers) c.write(JSON.stringify(event) + '\n');
      return subscribers.size;
    },
    close() {
      for (const c of conns) c.destroy();
      server.close();
    },
  };
}

export interface PageEvent {
  /** '' for a whole view, else the event's name ('change', 'heard') */
  event: string;
  data: string;
}

/**
 * Every event of one stream, and the view as the page would have it after each; `next(pred)`
 * waits for an event, `view(pred)` for the view to be as `pred` wants.
 */
export function eventStream(url: string) {
  const seen: PageEvent[] = [];
  let view: LabView | null = null;
  const waiters: { pred: (e: PageEvent, v: LabView | null) => boolean; resolve: (e: PageEvent) => void }[] = [];
  const take = (e: PageEvent): void => {
    seen.push(e);
    if (e.event === '') view = JSON.parse(e.data) as LabView;
    else if (e.event === 'change' && view !== null) applyChange(view, JSON.parse(e.data) as ViewChange);
    else if (e.event === 'heard' && view !== null) {
      const times = JSON.parse(e.data) as HeardTimes;
      view.switches.forEach((s, i) => s.rows.forEach((r, j) => (r.heard = times[i]?.[j] ?? null)));
    }
    for (const w of [...waiters]) {
      if (w.pred(e, view)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(e);
    }
  };
  const req = http.get(url + 'events', (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => {
      buf += d;
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const lines = buf.slice(0, end).split('\n');
        buf = buf.slice(end + 2);
        const data = lines.find((l) => l.startsWith('data: '));
        if (!data) continue;
        take({ event: lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '', data: data.slice(6) });
      }
    });
  });
  req.on('error', () => undefined);
  return {
    close: () => req.destroy(),
    seen,
    /** the first event from now on that `pred` accepts */
    next: (pred: (e: PageEvent) => boolean) => new Promise<PageEvent>((resolve) => waiters.push({ pred: (e) => pred(e), resolve })),
    /** the view once `pred` accepts it (now, or after a later event); a copy */
    view: async (pred: (v: LabView) => boolean): Promise<LabView> => {
      if (view === null || !pred(view)) await new Promise<PageEvent>((resolve) => waiters.push({ pred: (_e, v) => v !== null && pred(v), resolve }));
      return structuredClone(view!);
    },
  };
}

/** Reads the page's event stream until the view is as `until` wants. */
export async function nextView(url: string, until: (v: LabView) => boolean): Promise<LabView> {
  const stream = eventStream(url);
  try {
    return await stream.view(until);
  } finally {
    stream.close();
  }
}
