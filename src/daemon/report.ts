// Northbound reports compatible with lsoed (PROTOCOL.md section 7): each encapsulation
// PDU a peer sends, and an empty one per type when its session closes, is POSTed as the
// JSON lsoed builds in `Session.report_rfc7752` (same keys, same order, same separators
// as Python's json.dumps). The collector keys its table by `unique`, so only the latest
// report per `unique` matters: a report waiting to be sent is replaced by a newer one
// with the same key, which also bounds the queue. An unreachable collector is retried
// with backoff and logged; nothing here ever waits on the protocol's path.
import http from 'node:http';
import https from 'node:https';
import type { Encapsulation, EncapsulationTypeName } from '../proto/types.js';
import { PduType } from '../proto/types.js';
import type { Clock, TimerHandle } from './clock.js';
import { formatLocalId } from '../proto/local-id.js';
import type { Logger } from './log.js';

export interface ReportEncap {
  primary: boolean;
  loopback: boolean;
  ipaddr: string;
  prefixlen: number;
  labels: string[] | null;
}

export interface Rfc7752Report {
  my_switch_id: string;
  session_pyid: number;
  ifname: string;
  peer_macaddr: string;
  peer_switch_id: string | null;
  peer_attributes: number[];
  pdu_type: number;
  pdu_name: string;
  encaps: ReportEncap[];
  unique: [string, string, string, string | null, string];
}

export interface ReportInput {
  localId: string;
  /** a number per session instance, as lsoed's id(self) */
  sessionNumber: number;
  ifname: string;
  peerMac: string;
  peerId: string | null;
  /** hex, as in the OPEN */
  peerAttributes: string | null;
  type: EncapsulationTypeName;
  encaps: readonly Encapsulation[];
}

/** lsoed's class name without "PDU", upper-cased: IPv4EncapsulationPDU → IPV4ENCAPSULATION. */
export function pduName(type: EncapsulationTypeName): string {
  return type.replace(/_/g, '');
}

export function buildReport(r: ReportInput): Rfc7752Report {
  const mpls = r.type.startsWith('MPLS_');
  const report = {
    my_switch_id: formatLocalId(r.localId),
    session_pyid: r.sessionNumber,
    ifname: r.ifname,
    peer_macaddr: r.peerMac,
    peer_switch_id: r.peerId === null ? null : formatLocalId(r.peerId),
    peer_attributes: Array.from(Buffer.from(r.peerAttributes ?? '', 'hex')),
    pdu_type: PduType[r.type],
    pdu_name: pduName(r.type),
    encaps: r.encaps.map((e) => ({
      primary: e.primary,
      loopback: e.loopback,
      ipaddr: e.address,
      prefixlen: e.prefixLength,
      labels: mpls ? [...(e.labels ?? [])] : null,
    })),
  };
  return {
    ...report,
    unique: [report.my_switch_id, report.ifname, report.peer_macaddr, report.peer_switch_id, report.pdu_name],
  };
}

/** JSON as Python's json.dumps writes it: ", " and ": " separators, non-ASCII escaped. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  }
  if (Array.isArray(value)) return '[' + value.map(pythonJson).join(', ') + ']';
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return '{' + entries.map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(', ') + '}';
}

/** Sends one body; resolves with the HTTP status, rejects when the collector is unreachable. */
export type PostFunction = (url: string, body: string) => Promise<number>;

/** Idle limit on the connection, and a deadline for the whole request: a collector that trickles its answer cannot hold a slot forever. */
const POST_TIMEOUT_MS = 5000;
export const POST_DEADLINE_MS = 15_000;

/** POST over http(s), or HTTP over a Unix socket for `unix:/path/to.sock[:/urlpath]`. */
export const httpPost = (url: string, body: string, deadlineMs = POST_DEADLINE_MS): Promise<number> =>
  new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    let req: http.ClientRequest;
    const deadline = setTimeout(() => req.destroy(new Error(`no complete answer within ${deadlineMs / 1000} s`)), deadlineMs);
    deadline.unref();
    const onResponse = (res: http.IncomingMessage) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(deadline);
        resolve(res.statusCode ?? 0);
      });
      res.on('error', (err) => {
        clearTimeout(deadline);
        reject(err);
      });
    };
    if (url.startsWith('unix:')) {
      const rest = url.slice(5);
      const m = /^(.*?\.sock)(:(\/.*))?$/.exec(rest);
      const socketPath = m ? m[1]! : rest;
      const path = m?.[3] ?? '/';
      req = http.request({ socketPath, path, method: 'POST', headers, timeout: POST_TIMEOUT_MS }, onResponse);
    } else {
      const mod = url.startsWith('https:') ? https : http;
      req = mod.request(url, { method: 'POST', headers, timeout: POST_TIMEOUT_MS }, onResponse);
    }
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    req.end(body);
  });

export interface ReporterOptions {
  url: string;
  clock: Clock;
  log: Logger;
  post?: PostFunction;
  /** reports held at most; beyond, new keys are dropped and counted */
  maxQueued?: number;
  /** POSTs at the same time */
  concurrency?: number;
}

export interface ReporterCounters {
  reportsQueued: number;
  reportsSent: number;
  reportsFailed: number;
  reportsReplaced: number;
  reportsDropped: number;
}

/** Delivers reports in the background; `submit` never blocks and never throws. */
export class Reporter {
  private url: string;
  private readonly post: PostFunction;
  private readonly maxQueued: number;
  private readonly concurrency: number;
  /** waiting reports by unique key, oldest first */
  private readonly pending = new Map<string, string>();
  private readonly inFlight = new Set<string>();
  private retryTimer: TimerHandle | null = null;
  private backoff = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  readonly counters: ReporterCounters = {
    reportsQueued: 0,
    reportsSent: 0,
    reportsFailed: 0,
    reportsReplaced: 0,
    reportsDropped: 0,
  };

  constructor(private readonly options: ReporterOptions) {
    this.url = options.url;
    this.post = options.post ?? httpPost;
    this.maxQueued = options.maxQueued ?? 100_000;
    this.concurrency = options.concurrency ?? 4;
  }

  setUrl(url: string): void {
    this.url = url;
  }

  submit(report: Rfc7752Report): void {
    if (this.closed) return;
    const key = JSON.stringify(report.unique);
    if (this.pending.has(key)) {
      this.counters.reportsReplaced++;
      this.pending.delete(key); // re-inserted below: keeps the queue in order of last change
    } else if (this.pending.size >= this.maxQueued) {
      this.counters.reportsDropped++;
      this.options.log.log('warning', 'report', 'report queue full, dropping a report', { unique: report.unique });
      return;
    }
    this.counters.reportsQueued++;
    this.pending.set(key, pythonJson(report));
    this.pump();
  }

  /** Reports not yet delivered (waiting or in flight). */
  backlog(): number {
    return this.pending.size + this.inFlight.size;
  }

  /** Resolves when nothing is waiting or in flight, or after `timeout` seconds. */
  flush(timeout: number): Promise<void> {
    if (this.backlog() === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimer(timeout, () => done());
      const done = () => {
        this.options.clock.clearTimer(timer);
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve();
      };
      this.idleWaiters.push(done);
      if (this.retryTimer !== null) {
        // a shutdown flush tries once more at once instead of waiting for the backoff
        this.options.clock.clearTimer(this.retryTimer);
        this.retryTimer = null;
        this.pump();
      }
    });
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) this.options.clock.clearTimer(this.retryTimer);
    this.retryTimer = null;
  }

  private pump(): void {
    if (this.retryTimer !== null) return; // backing off: the timer pumps again
    for (const [key, body] of this.pending) {
      if (this.inFlight.size >= this.concurrency) return;
      // one POST per key at a time, so a collector never sees two versions out of order
      if (this.inFlight.has(key)) continue;
      this.pending.delete(key);
      this.inFlight.add(key);
      this.send(key, body);
    }
  }

  private send(key: string, body: string): void {
    let outcome: Promise<number>;
    try {
      outcome = this.post(this.url, body);
    } catch (err) {
      outcome = Promise.reject(err);
    }
    outcome.then(
      (status) => {
        this.inFlight.delete(key);
        // 5xx, and anything that is not an answer to a POST (1xx, a 3xx redirect we do not
        // follow): not delivered, retried
        if (status >= 500 || status < 200 || (status >= 300 && status < 400)) {
          this.failed(key, body, `HTTP ${status}`);
          return;
        }
        if (status >= 400) {
          // the collector refused this report: retrying would be refused again
          this.counters.reportsFailed++;
          this.options.log.log('warning', 'report', `collector answered HTTP ${status}, report dropped`, { url: this.url });
        } else {
          this.counters.reportsSent++;
        }
        if (this.backoff !== 0) this.options.log.log('info', 'report', 'collector reachable again', { url: this.url });
        this.backoff = 0;
        this.afterSettle();
      },
      (err: unknown) => {
        this.inFlight.delete(key);
        this.failed(key, body, err instanceof Error ? err.message : String(err));
      },
    );
  }

  private failed(key: string, body: string, why: string): void {
    this.counters.reportsFailed++;
    // a newer report for this key may have come in meanwhile: it wins
    if (!this.pending.has(key) && !this.closed) this.pending.set(key, body);
    if (this.closed) {
      this.afterSettle();
      return;
    }
    const first = this.backoff === 0;
    this.backoff = first ? 1 : Math.min(this.backoff * 2, 30);
    if (first || this.backoff === 30) {
      this.options.log.log('warning', 'report', `collector unreachable (${why}), retrying in ${this.backoff} s`, {
        url: this.url,
        backlog: this.backlog(),
      });
    }
    if (this.retryTimer === null) {
      this.retryTimer = this.options.clock.setTimer(this.backoff, () => {
        this.retryTimer = null;
        this.pump();
      });
    }
    this.afterSettle();
  }

  private afterSettle(): void {
    this.pump();
    if (this.backlog() === 0 || this.closed) for (const w of [...this.idleWaiters]) w();
  }
}
