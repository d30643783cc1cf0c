// The client side of the control socket: requests matched to answers by id, and the
// event stream after `subscribe`. Failures are ControlError with a kind a command can
// map to its message and exit code; nothing else is thrown.
import net from 'node:net';
import type { DaemonEvent } from '../daemon/core.js';
import type { BgpEvent } from '../daemon/bgp-northbound.js';
import { LineSplitter } from './line-splitter.js';
import { PieceCollector } from './pieces.js';
import { encodeLine, EVENTS_DROPPED, type ErrorBody, type MethodName } from './protocol.js';

export type ControlErrorKind =
  | 'no-daemon' // nothing listening (no file, or a stale one)
  | 'permission' // the socket exists but we may not connect
  | 'connect' // any other reason the connection failed
  | 'closed' // the daemon went away before answering
  | 'protocol' // the daemon sent something that is not our protocol
  | 'remote' // the daemon answered with an error
  | 'timeout'; // the daemon accepted the connection but did not answer in time

export class ControlError extends Error {
  override readonly name = 'ControlError';
  constructor(
    readonly kind: ControlErrorKind,
    message: string,
    /** the daemon's error code when kind is 'remote' */
    readonly remoteCode?: string,
  ) {
    super(message);
  }
}

/** The server's own marker in an event stream: events were lost because we read too slowly. */
export interface EventsDropped {
  event: typeof EVENTS_DROPPED;
  time: string;
  dropped: number;
}
export type StreamEvent = DaemonEvent | BgpEvent | EventsDropped;

export interface ControlClient {
  readonly path: string;
  request<T = unknown>(method: MethodName, params?: Record<string, unknown>): Promise<T>;
  /** Receives events once `request('subscribe')` has been answered. */
  onEvent(handler: (event: StreamEvent) => void): void;
  /** Called once when the connection ends (error set if it ended badly). */
  onClose(handler: (error?: ControlError) => void): void;
  close(): void;
}

export interface ConnectOptions {
  /**
   * How long one request (and the connect itself) may wait for the daemon, ms; default
   * 10 s. A daemon that accepts but never answers must not hang a command forever. The
   * event stream after `subscribe` has no such limit: silence there is normal.
   */
  timeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

function timeoutError(socketPath: string, ms: number): ControlError {
  return new ControlError('timeout', `daemon at ${socketPath} did not answer within ${ms / 1000} s`);
}

/** One line (a piece of an answer is ~256 KiB); this only guards against a runaway stream. */
const MAX_ANSWER_LINE = 16 * 1024 * 1024;
/** A whole answer, all pieces together. */
const MAX_ANSWER_BYTES = 512 * 1024 * 1024;

export function connectError(socketPath: string, err: NodeJS.ErrnoException): ControlError {
  switch (err.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
    case 'ENOTSOCK':
      return new ControlError('no-daemon', `no daemon listening on ${socketPath} (is lsoe daemon running?)`);
    case 'EACCES':
    case 'EPERM':
      return new ControlError(
        'permission',
        `permission denied on ${socketPath} (run as root or as a member of the socket's group)`,
      );
    default:
      return new ControlError('connect', `cannot connect to ${socketPath}: ${err.message}`);
  }
}

export function connectControl(socketPath: string, opts: ConnectOptions = {}): Promise<ControlClient> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(timeoutError(socketPath, timeoutMs));
    }, timeoutMs);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(connectError(socketPath, err));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(new SocketClient(socketPath, socket, timeoutMs));
    });
  });
}

interface Pending {
  method: string;
  timer: NodeJS.Timeout;
  /** the pieces so far of an answer that comes in several lines */
  pieces: PieceCollector | null;
  resolve(value: unknown): void;
  reject(err: ControlError): void;
}

class SocketClient implements ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private eventHandlers: Array<(e: StreamEvent) => void> = [];
  private closeHandlers: Array<(e?: ControlError) => void> = [];
  private ended = false;
  private endError: ControlError | undefined;

  constructor(
    readonly path: string,
    private readonly socket: net.Socket,
    private readonly timeoutMs: number,
  ) {
    const lines = new LineSplitter(MAX_ANSWER_LINE, {
      onLine: (line) => this.handleLine(line),
      onOverlong: () => this.fail(new ControlError('protocol', `answer from ${path} too long`)),
    });
    socket.on('data', (chunk: Buffer) => lines.push(chunk));
    socket.on('error', (err) =>
      this.fail(new ControlError('closed', `connection to the daemon on ${path} failed: ${err.message}`)),
    );
    socket.on('close', () => this.finish());
  }

  request<T>(method: MethodName, params: Record<string, unknown> = {}): Promise<T> {
    if (this.ended) {
      return Promise.reject(this.endError ?? new ControlError('closed', `the daemon on ${this.path} closed the connection`));
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      // A silent daemon fails this request and ends the connection: a late answer would
      // only confuse whatever the caller does next.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(timeoutError(this.path, this.timeoutMs));
        this.fail(timeoutError(this.path, this.timeoutMs));
      }, this.timeoutMs);
      this.pending.set(id, { method, timer, pieces: null, resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(encodeLine({ id, method, params }));
    });
  }

  onEvent(handler: (event: StreamEvent) => void): void {
    this.eventHandlers.push(handler);
  }

  onClose(handler: (error?: ControlError) => void): void {
    this.closeHandlers.push(handler);
  }

  close(): void {
    this.ended = true;
    this.socket.destroy();
  }

  private handleLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.fail(new ControlError('protocol', `the daemon on ${this.path} sent a line that is not JSON`));
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.fail(new ControlError('protocol', `the daemon on ${this.path} sent a line that is not an object`));
      return;
    }
    const m = msg as Record<string, unknown>;
    if (typeof m.event === 'string' && !('id' in m)) {
      for (const h of this.eventHandlers) h(m as unknown as StreamEvent);
      return;
    }
    if (m.id === null && m.error !== undefined) {
      // about the connection, not one request (e.g. too many connections): it ends here
      const e = m.error as Partial<ErrorBody>;
      this.fail(new ControlError('remote', `daemon on ${this.path} refused the connection: ${String(e.message ?? 'error')}`, String(e.code ?? '')));
      return;
    }
    const waiting = typeof m.id === 'number' ? this.pending.get(m.id) : undefined;
    if (waiting === undefined) return; // an answer to nobody (e.g. an error about a line we never sent)
    if (m.error === undefined && (m.more === true || waiting.pieces !== null)) {
      waiting.pieces ??= new PieceCollector(MAX_ANSWER_BYTES);
      let r;
      try {
        r = waiting.pieces.add(m.result, m.more === true, line.length);
      } catch (err) {
        this.fail(new ControlError('protocol', `the daemon on ${this.path} sent a bad answer: ${(err as Error).message}`));
        return;
      }
      // a long answer that keeps coming is progress, not silence
      waiting.timer.refresh();
      if (!r.done) return;
      m.result = r.result;
    }
    this.pending.delete(m.id as number);
    clearTimeout(waiting.timer);
    if (m.error !== undefined) {
      const e = m.error as Partial<ErrorBody>;
      waiting.reject(
        new ControlError('remote', `daemon refused ${waiting.method}: ${String(e.message ?? 'error')}`, String(e.code ?? '')),
      );
    } else {
      waiting.resolve(m.result);
    }
  }

  private fail(err: ControlError): void {
    this.endError ??= err;
    this.socket.destroy();
  }

  private finish(): void {
    const wasClosedByUs = this.ended && this.endError === undefined;
    this.ended = true;
    const err = this.endError ?? new ControlError('closed', `the daemon on ${this.path} closed the connection`);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    for (const h of this.closeHandlers) h(wasClosedByUs ? undefined : err);
    this.closeHandlers = [];
  }
}

/**
 * One request on a connection of its own: connect, ask, hang up. Throws
 * ControlError like request() does (the lab asks dozens of daemons this way).
 */
export async function askOnce<T = unknown>(socketPath: string, method: MethodName, opts: ConnectOptions = {}): Promise<T> {
  const client = await connectControl(socketPath, opts);
  try {
    return await client.request<T>(method);
  } finally {
    client.close();
  }
}
