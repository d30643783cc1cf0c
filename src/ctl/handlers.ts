// The table of control methods: each one a plain call on the daemon core, its answer
// rebuilt by the view functions. `subscribe`/`unsubscribe` need the connection, so the
// server handles them itself; they are listed here only so `METHODS` stays the one list.
import type { BgpEvent, BgpStatus } from '../daemon/bgp-northbound.js';
import type { DaemonCore, SessionFilter } from '../daemon/core.js';
import type { MethodName } from './protocol.js';
import { announcedToWire, bgpToWire, interfaceNeighborsToWire, learnedToWire, sessionToWire } from './views.js';

export type AdminMethod = 'clear';
export type QueryMethod = Exclude<MethodName, 'subscribe' | 'unsubscribe' | AdminMethod>;

/** Params that are not what a method takes; answered with a bad-params error. */
export class BadParams extends Error {}

/** What the daemon runs beside the core; absent = not running (the answer says so). */
export interface ControlExtensions {
  bgp?: () => BgpStatus;
  /** the `bgp` event topic: peers' state changes and UPDATEs sent */
  subscribeBgp?: (listener: (e: BgpEvent) => void) => () => void;
}

/** What `subscribe` takes in `topics`: session events (the default) and BGP events. */
export const EVENT_TOPICS = ['sessions', 'bgp'] as const;
export type EventTopic = (typeof EVENT_TOPICS)[number];

/** `subscribe`'s params: `{ topics?: [...] }`, default sessions only (what every client before BGP expects). */
export function subscribeTopics(params: Record<string, unknown>): Set<EventTopic> {
  const t = params.topics;
  if (t === undefined || t === null) return new Set(['sessions']);
  if (!Array.isArray(t) || t.length === 0 || !t.every((x): x is EventTopic => (EVENT_TOPICS as readonly unknown[]).includes(x))) {
    throw new BadParams(`topics must be a non-empty list of ${EVENT_TOPICS.join(', ')}`);
  }
  return new Set(t);
}

export const QUERY_HANDLERS: Readonly<Record<QueryMethod, (core: DaemonCore, ext: ControlExtensions) => unknown>> = {
  sessions: (core) => core.sessions().map(sessionToWire),
  'encaps.learned': (core) => core.learnedEncaps().map(learnedToWire),
  'encaps.announced': (core) => core.announcedEncaps().map(announcedToWire),
  counters: (core) => ({ ...core.counters() }),
  // Re-parsed so a config holding something odd (a Map, a function) cannot break the line.
  config: (core) => JSON.parse(JSON.stringify(core.config() ?? {})) as unknown,
  version: (core) => ({ version: core.version() }),
  neighbors: (core) => core.neighbors().map(interfaceNeighborsToWire),
  'interfaces.selection': (core) => {
    const s = core.interfaceSelection();
    return { patterns: [...s.patterns], unmatched: [...s.unmatched] };
  },
  bgp: (_core, ext) => bgpToWire(ext.bgp?.() ?? null),
};

function optionalString(params: Record<string, unknown>, key: string): string | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') throw new BadParams(`${key} must be a non-empty string`);
  return v;
}

/** Methods that change the daemon's state: only the admin socket answers them. */
export const ADMIN_HANDLERS: Readonly<Record<AdminMethod, (core: DaemonCore, params: Record<string, unknown>) => unknown>> = {
  clear: (core, params) => {
    const filter: SessionFilter = {};
    const ifname = optionalString(params, 'ifname');
    const peerMac = optionalString(params, 'peerMac')?.toLowerCase();
    if (ifname !== undefined) filter.ifname = ifname;
    if (peerMac !== undefined) filter.peerMac = peerMac;
    return { cleared: core.clearSessions(filter) };
  },
};

export function isAdminMethod(method: string): method is AdminMethod {
  return Object.prototype.hasOwnProperty.call(ADMIN_HANDLERS, method);
}

export function isQueryMethod(method: string): method is QueryMethod {
  return Object.prototype.hasOwnProperty.call(QUERY_HANDLERS, method);
}
