// The control socket's wire format: one JSON object per line, both ways.
//
//   request   {"id": 1, "method": "sessions", "params": {}}
//   response  {"id": 1, "result": …}   or   {"id": 1, "error": {"code": "…", "message": "…"}}
//             a large answer comes in pieces: {"id": 1, "result": [...], "more": true} lines,
//             then a last one without "more"; the client concatenates the arrays (pieces.ts)
//   event     {"event": "session-up", "time": "…", "ifname": "…", …}   (after "subscribe")
//
// Responses carry the request's id (any JSON scalar the client chose); events carry no id,
// so a client tells them apart by the presence of "event". A line the server cannot
// understand is answered with an error whose id is null (or the id, when it could be read).

/** Where the daemon listens unless `--socket` or `LSOE_SOCKET` say otherwise. */
export const DEFAULT_SOCKET_PATH = '/run/lsoe/lsoe.sock';

/** The admin socket beside a control socket: /run/lsoe/lsoe.sock → /run/lsoe/lsoe-admin.sock. */
export function adminSocketPath(socket: string): string {
  return socket.endsWith('.sock') ? `${socket.slice(0, -5)}-admin.sock` : `${socket}-admin`;
}

/** The methods the daemon answers. Names are stable: scripts use them. */
export const METHODS = [
  'sessions',
  'encaps.learned',
  'encaps.announced',
  'counters',
  'config',
  'version',
  'neighbors',
  'interfaces.selection',
  'bgp',
  'subscribe',
  'unsubscribe',
  // changes state: answered on the admin socket only
  'clear',
] as const;
export type MethodName = (typeof METHODS)[number];

export const ERROR_CODES = {
  /** the line is not JSON, or not an object */
  PARSE: 'parse-error',
  /** JSON, but not a request (no method, bad id, params not an object) */
  INVALID: 'invalid-request',
  UNKNOWN_METHOD: 'unknown-method',
  /** the line exceeded MAX_REQUEST_LINE bytes and was discarded */
  TOO_LONG: 'request-too-long',
  /** a method that changes state, asked on the socket that only reads */
  FORBIDDEN: 'forbidden',
  /** the method's params are wrong */
  BAD_PARAMS: 'bad-params',
  /** the daemon failed while answering; the message says how */
  INTERNAL: 'internal-error',
  /** max-control-connections reached: the connection is closed after this line (id null) */
  TOO_MANY: 'too-many-connections',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Requests are small; anything longer is a confused or hostile client. */
export const MAX_REQUEST_LINE = 64 * 1024;

/**
 * Event lines the server itself adds to a subscription stream (beside DaemonEvent's).
 * `events-dropped` says that `dropped` events were not delivered because the client
 * did not read fast enough; a client should re-read the state it shows.
 */
export const EVENTS_DROPPED = 'events-dropped';

export type RequestId = string | number | null;

export interface Request {
  id: RequestId;
  method: string;
  params: Record<string, unknown>;
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

export type Response =
  | { id: RequestId; result: unknown }
  | { id: RequestId; error: ErrorBody };

export type ParsedRequest = { ok: true; request: Request } | { ok: false; id: RequestId; error: ErrorBody };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRequestId(v: unknown): v is RequestId {
  return v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

/** Reads one request line; never throws, a bad line becomes an error to send back. */
export function parseRequest(line: string): ParsedRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, id: null, error: { code: ERROR_CODES.PARSE, message: `not JSON: ${(err as Error).message}` } };
  }
  if (!isPlainObject(value)) {
    return { ok: false, id: null, error: { code: ERROR_CODES.PARSE, message: 'a request must be a JSON object' } };
  }
  const id = value.id === undefined ? null : value.id;
  if (!isRequestId(id)) {
    return { ok: false, id: null, error: { code: ERROR_CODES.INVALID, message: '"id" must be a string, a number or null' } };
  }
  if (typeof value.method !== 'string' || value.method === '') {
    return { ok: false, id, error: { code: ERROR_CODES.INVALID, message: '"method" must be a non-empty string' } };
  }
  const params = value.params === undefined ? {} : value.params;
  if (!isPlainObject(params)) {
    return { ok: false, id, error: { code: ERROR_CODES.INVALID, message: '"params" must be an object' } };
  }
  return { ok: true, request: { id, method: value.method, params } };
}

/** One message as it goes on the wire, newline included. */
export function encodeLine(message: unknown): string {
  return JSON.stringify(message) + '\n';
}
