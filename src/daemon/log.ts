// The daemon's logger: levelled, tagged by subsystem, text or one JSON object per line,
// to stderr (a service manager adds its own timestamps, we still print ours). Debug is
// off unless asked for per subsystem (`--debug fsm,io` or `--debug all`). Injected
// everywhere, so tests pass a silent or capturing one.
import { formatLocalId } from '../proto/local-id.js';

export type Level = 'debug' | 'info' | 'warning' | 'error';
export const SUBSYSTEMS = ['core', 'fsm', 'io', 'iface', 'config', 'report', 'plugin', 'bounds', 'ctl', 'bgp'] as const;
export type Subsystem = (typeof SUBSYSTEMS)[number];

export type Fields = Record<string, unknown>;

export interface Logger {
  log(level: Level, subsystem: Subsystem, message: string, fields?: Fields): void;
  /** whether a debug line for this subsystem would be printed (to skip building it) */
  debugEnabled(subsystem: Subsystem): boolean;
}

export interface LoggerOptions {
  format: 'text' | 'json';
  debug: ReadonlySet<Subsystem>;
  write: (line: string) => void;
  /** epoch milliseconds for the timestamp */
  now?: () => number;
}

/** Parses `--debug fsm,io` (or `all`); throws a plain Error naming a bad subsystem. */
export function parseDebugList(text: string): Set<Subsystem> {
  const out = new Set<Subsystem>();
  for (const word of text.split(',').map((w) => w.trim()).filter((w) => w !== '')) {
    if (word === 'all') for (const s of SUBSYSTEMS) out.add(s);
    else if ((SUBSYSTEMS as readonly string[]).includes(word)) out.add(word as Subsystem);
    else throw new Error(`--debug: unknown subsystem '${word}' (one of ${SUBSYSTEMS.join(', ')}, all)`);
  }
  return out;
}

/** Structured fields only JSON lines carry; text lines say them in the message. */
const TEXT_OMITS = new Set(['encaps', 'pdu', 'report', 'event']);

/** Fields that hold a Local ID: text lines spell it as every text output does (JSON keeps hex). */
const LOCAL_ID_FIELDS = new Set(['localId', 'peerId']);

function textValue(key: string, v: unknown): string {
  if (LOCAL_ID_FIELDS.has(key) && typeof v === 'string') return formatLocalId(v);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(s ?? '') ? JSON.stringify(s) : String(s);
}

export function createLogger(options: LoggerOptions): Logger {
  const now = options.now ?? Date.now;
  return {
    debugEnabled: (s) => options.debug.has(s),
    log(level, subsystem, message, fields = {}) {
      if (level === 'debug' && !options.debug.has(subsystem)) return;
      const time = new Date(now()).toISOString();
      if (options.format === 'json') {
        options.write(JSON.stringify({ time, level, subsystem, msg: message, ...fields }) + '\n');
        return;
      }
      const extra = Object.entries(fields)
        .filter(([k, v]) => v !== undefined && !TEXT_OMITS.has(k))
        .map(([k, v]) => `${k}=${textValue(k, v)}`)
        .join(' ');
      options.write(`${time} ${level} ${subsystem}: ${message}${extra ? ' ' + extra : ''}\n`);
    },
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { log() {}, debugEnabled: () => false };

/** A logger that keeps every line as an object (tests). */
export function memoryLogger(): Logger & { lines: Array<{ level: Level; subsystem: Subsystem; message: string; fields: Fields }> } {
  const lines: Array<{ level: Level; subsystem: Subsystem; message: string; fields: Fields }> = [];
  return {
    lines,
    debugEnabled: () => true,
    log(level, subsystem, message, fields = {}) {
      lines.push({ level, subsystem, message, fields });
    },
  };
}

/**
 * Says a thing at most once per `period` seconds per key (e.g. malformed frames, once a
 * minute per sender), counting what it held back. Keys are bounded: when `maxKeys` is
 * reached the oldest are forgotten, so a flood of senders cannot grow it.
 */
export class LogLimiter {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  constructor(
    private readonly period: number,
    private readonly maxKeys = 4096,
  ) {}

  /** Returns null to stay quiet, or how many were held back since the last time said. */
  allow(key: string, now: number): number | null {
    const seen = this.last.get(key);
    if (seen !== undefined && now - seen.at < this.period) {
      seen.suppressed++;
      return null;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.last.delete(key);
    this.last.set(key, { at: now, suppressed: 0 });
    if (this.last.size > this.maxKeys) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    return suppressed;
  }
}
