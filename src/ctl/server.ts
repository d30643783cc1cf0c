// The control socket: a thin line-delimited JSON adapter over DaemonCore (see
// protocol.ts for the format, handlers.ts for the methods).
//
// Slow clients. The daemon never waits for a client. Per connection:
//  - events: while more than `eventBacklogBytes` (256 KiB) are waiting to be written to a
//    subscriber, further events are dropped and counted; once the backlog drains the
//    client gets one `{"event":"events-dropped","dropped":N,…}` line and the stream goes
//    on. A subscriber can therefore always tell that it missed something and re-read.
//  - requests: answers go in pieces (pieces.ts), written as the client reads them; while
//    an answer is still being written, or the backlog is over that bound, we stop reading
//    the client's requests (kernel backpressure does the rest); if lines already written
//    still pile up past `maxBacklogBytes` (8 MiB) the client is disconnected.
// Connections: at most `maxConnections` (default 64) at once; one more is told so in one
// error line and closed.
import net from 'node:net';
import { promises as fs } from 'node:fs';
import type { DaemonCore, DaemonEvent } from '../daemon/core.js';
import { ADMIN_HANDLERS, BadParams, isAdminMethod, isQueryMethod, QUERY_HANDLERS, subscribeTopics, type ControlExtensions, type EventTopic } from './handlers.js';
import { answerLines } from './pieces.js';
import { LineSplitter } from './line-splitter.js';
import {
  encodeLine,
  ERROR_CODES,
  EVENTS_DROPPED,
  MAX_REQUEST_LINE,
  parseRequest,
  type ErrorBody,
  type Request,
  type RequestId,
} from './protocol.js';
import { listenOnSocketFile, prepareSocketPath, resolveGroup } from './socket-file.js';
import { eventToWire } from './views.js';

/** The little the server needs from the daemon's logger (messages are tagged `ctl` by the caller). */
export interface ControlLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export interface ControlServerOptions {
  /** socket file, e.g. /run/lsoe/lsoe.sock */
  path: string;
  /** group (name or gid) given read/write access to the socket; default: the daemon's */
  group?: string;
  /**
   * The admin socket: also answers the methods that change state (`clear`), and is mode
   * 0600 unless a group is given (then 0660). Node cannot read a Unix socket peer's
   * credentials, so who may change state is decided by who may open the file.
   */
  admin?: boolean;
  log?: ControlLog;
  /** events beyond this many unsent bytes are dropped (with a marker); default 256 KiB */
  eventBacklogBytes?: number;
  /** a client whose unsent answers exceed this is disconnected; default 8 MiB */
  maxBacklogBytes?: number;
  /** what lives beside the core (the BGP-LS northbound), for the methods that show it */
  extensions?: ControlExtensions;
  /** concurrent connections (default 64); read at each new connection */
  maxConnections?: number | (() => number);
}

export const DEFAULT_MAX_CONNECTIONS = 64;

export interface ControlServer {
  readonly path: string;
  /** Stops listening, disconnects every client, removes the socket file. */
  close(): Promise<void>;
}

const SILENT: ControlLog = { debug() {}, info() {}, warn() {} };

export async function startControlServer(core: DaemonCore, opts: ControlServerOptions): Promise<ControlServer> {
  const log = opts.log ?? SILENT;
  const eventBacklog = opts.eventBacklogBytes ?? 256 * 1024;
  const maxBacklog = opts.maxBacklogBytes ?? 8 * 1024 * 1024;
  const gid = opts.group === undefined ? undefined : await resolveGroup(opts.group);
  await prepareSocketPath(opts.path);

  const clients = new Set<Connection>();
  let nextClient = 1;
  let refusedLogged = 0;
  const maxConnections = () => {
    const m = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    return typeof m === 'function' ? m() : m;
  };
  const server = net.createServer((socket) => {
    if (clients.size >= maxConnections()) {
      // Told why in one line, then closed; logged at most once a minute.
      socket.on('error', () => undefined);
      socket.resume(); // read (and drop) to the client's end, so the socket closes
      socket.setTimeout(1000, () => socket.destroy());
      socket.end(encodeLine({ id: null, error: { code: ERROR_CODES.TOO_MANY, message: `more than ${maxConnections()} control connections` } }));
      if (Date.now() - refusedLogged > 60_000) {
        refusedLogged = Date.now();
        log.warn(`control connection refused: ${clients.size} open (max-control-connections ${maxConnections()})`);
      }
      return;
    }
    const conn = new Connection(socket, nextClient++, core, log, eventBacklog, maxBacklog, opts.admin === true, opts.extensions ?? {});
    clients.add(conn);
    socket.once('close', () => clients.delete(conn));
  });
  server.on('error', (err) => log.warn(`control socket error: ${err.message}`));
  try {
    await listenOnSocketFile(server, opts.path, gid, opts.admin === true && gid === undefined ? 0o600 : 0o660);
  } catch (err) {
    // e.g. chown refused (not root): do not leave a half-set-up socket behind.
    if (server.listening) {
      server.close();
      await fs.unlink(opts.path).catch(() => undefined);
    }
    throw err;
  }
  log.info(`${opts.admin === true ? 'admin' : 'control'} socket listening on ${opts.path}`);

  // One subscription to the core, fanned out: the core's listener never blocks on I/O.
  const unsubscribe = core.subscribe((event) => {
    let wire: DaemonEvent;
    try {
      wire = eventToWire(event);
    } catch (err) {
      log.warn(`unserialisable daemon event dropped: ${(err as Error).message}`);
      return;
    }
    const line = encodeLine(wire);
    for (const c of clients) c.deliverEvent(line, 'sessions');
  });
  const unsubscribeBgp = opts.extensions?.subscribeBgp?.((event) => {
    const line = encodeLine(event);
    for (const c of clients) c.deliverEvent(line, 'bgp');
  });

  let closing: Promise<void> | undefined;
  return {
    path: opts.path,
    close() {
      closing ??= (async () => {
        unsubscribe();
        unsubscribeBgp?.();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const c of clients) c.destroy();
        await closed;
        await fs.unlink(opts.path).catch(() => undefined);
        log.info('control socket closed');
      })();
      return closing;
    },
  };
}

/** One client connection: reads requests, writes answers and (when subscribed) events. */
class Connection {
  private subscribed = false;
  private topics: ReadonlySet<EventTopic> = new Set();
  private dropped = 0;
  private readonly lines: LineSplitter;
  /** answers (their lines) not yet written, oldest first: a large answer goes as the client reads */
  private readonly queue: string[][] = [];

  constructor(
    private readonly socket: net.Socket,
    private readonly num: number,
    private readonly core: DaemonCore,
    private readonly log: ControlLog,
    private readonly eventBacklog: number,
    private readonly maxBacklog: number,
    private readonly admin: boolean,
    private readonly extensions: ControlExtensions,
  ) {
    this.lines = new LineSplitter(MAX_REQUEST_LINE, {
      onLine: (line) => this.handleLine(line),
      onOverlong: () =>
        this.replyError(null, {
          code: ERROR_CODES.TOO_LONG,
          message: `request longer than ${MAX_REQUEST_LINE} bytes; discarded`,
        }),
    });
    socket.on('data', (chunk: Buffer) => this.lines.push(chunk));
    socket.on('drain', () => this.onDrain());
    // A client that vanishes mid-write is normal; never let it reach the daemon.
    socket.on('error', (err) => this.log.debug(`control client ${num}: ${err.message}`));
    log.debug(`control client ${num} connected`);
    socket.once('close', () => log.debug(`control client ${num} disconnected`));
  }

  destroy(): void {
    this.socket.destroy();
  }

  deliverEvent(line: string, topic: EventTopic): void {
    if (!this.subscribed || !this.topics.has(topic) || !this.writable()) return;
    if (this.socket.writableLength > this.eventBacklog) {
      this.dropped++;
      return;
    }
    this.flushDropMarker();
    this.socket.write(line);
  }

  private writable(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  private onDrain(): void {
    if (this.subscribed) this.flushDropMarker();
    this.pump();
  }

  /** Writes queued answer lines up to the backlog bound; reads requests again once all are out. */
  private pump(): void {
    while (this.queue.length > 0 && this.writable() && this.socket.writableLength <= this.eventBacklog) {
      const answer = this.queue[0]!;
      this.send(answer.shift()!);
      if (answer.length === 0) this.queue.shift();
    }
    if (this.queue.length === 0 && this.socket.writableLength <= this.eventBacklog && this.socket.isPaused()) this.socket.resume();
  }

  private flushDropMarker(): void {
    if (this.dropped === 0) return;
    const marker = { event: EVENTS_DROPPED, time: new Date().toISOString(), dropped: this.dropped };
    this.log.warn(`control client ${this.num} too slow: ${this.dropped} events dropped`);
    this.dropped = 0;
    this.socket.write(encodeLine(marker));
  }

  private handleLine(line: string): void {
    if (!this.writable()) return;
    const parsed = parseRequest(line);
    if (!parsed.ok) {
      this.log.debug(`control client ${this.num}: bad request: ${parsed.error.message}`);
      this.replyError(parsed.id, parsed.error);
      return;
    }
    this.dispatch(parsed.request);
  }

  private dispatch(req: Request): void {
    if (req.method === 'subscribe') {
      try {
        this.topics = subscribeTopics(req.params);
      } catch (err) {
        if (!(err instanceof BadParams)) throw err;
        this.replyError(req.id, { code: ERROR_CODES.BAD_PARAMS, message: `subscribe: ${err.message}` });
        return;
      }
      this.subscribed = true;
      this.log.debug(`control client ${this.num} subscribed to events (${[...this.topics].join(', ')})`);
      this.reply(req.id, { subscribed: true });
      return;
    }
    if (req.method === 'unsubscribe') {
      this.subscribed = false;
      this.dropped = 0;
      this.reply(req.id, { subscribed: false });
      return;
    }
    let run: () => unknown;
    if (isAdminMethod(req.method)) {
      if (!this.admin) {
        this.replyError(req.id, {
          code: ERROR_CODES.FORBIDDEN,
          message: `'${req.method}' changes the daemon's state: it is answered on the admin socket only`,
        });
        return;
      }
      const method = req.method;
      this.log.info(`control client ${this.num}: ${method} ${JSON.stringify(req.params)}`);
      run = () => ADMIN_HANDLERS[method](this.core, req.params);
    } else if (isQueryMethod(req.method)) {
      const method = req.method;
      run = () => QUERY_HANDLERS[method](this.core, this.extensions);
    } else {
      this.replyError(req.id, { code: ERROR_CODES.UNKNOWN_METHOD, message: `unknown method '${req.method}'` });
      return;
    }
    // The answer and its serialisation both inside: whatever fails is an error line.
    let lines: string[];
    try {
      lines = answerLines(req.id, run());
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof BadParams) {
        this.replyError(req.id, { code: ERROR_CODES.BAD_PARAMS, message: `${req.method}: ${message}` });
        return;
      }
      this.log.warn(`control method ${req.method} failed: ${message}`);
      this.replyError(req.id, { code: ERROR_CODES.INTERNAL, message: `${req.method} failed: ${message}` });
      return;
    }
    this.enqueue(lines);
  }

  /** Every answer goes through the queue, so answers stay in the order of the requests. */
  private enqueue(lines: string[]): void {
    if (!this.writable()) return;
    // The answer being written may have any size (it goes as the client reads); a client
    // that asks again and again without reading is cut off when the answers waiting
    // behind it pass maxBacklog.
    if (this.queue.length > 0) {
      let waiting = this.socket.writableLength;
      for (const answer of this.queue.slice(1)) for (const l of answer) waiting += l.length;
      for (const l of lines) waiting += l.length;
      if (waiting > this.maxBacklog) {
        this.log.warn(`control client ${this.num} not reading its answers (${waiting} bytes waiting); disconnected`);
        this.queue.length = 0;
        this.socket.destroy();
        return;
      }
    }
    this.queue.push([...lines]);
    // later requests wait until this answer is out
    if (this.queue.length > 1 || lines.length > 1) this.socket.pause();
    this.pump();
  }

  private reply(id: RequestId, result: unknown): void {
    this.enqueue([encodeLine({ id, result })]);
  }

  private replyError(id: RequestId, error: ErrorBody): void {
    this.enqueue([encodeLine({ id, error })]);
  }

  private send(line: string): void {
    if (!this.writable()) return;
    this.socket.write(line);
    const backlog = this.socket.writableLength;
    if (backlog > this.maxBacklog) {
      this.log.warn(`control client ${this.num} not reading its answers (${backlog} bytes waiting); disconnected`);
      this.socket.destroy();
    } else if (backlog > this.eventBacklog) {
      this.socket.pause();
    }
  }
}
