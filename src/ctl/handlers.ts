// The table of control methods: each one a plain call on the daemon core, its answer
// rebuilt by the view functions. `subscribe`/`unsubscribe` need the connection, so the
// server handles them itself; they are listed here only so `METHODS` stays the one list.
import type { BgpStatus } from '../daemon/bgp-northbound.js';
import type { DaemonCore } from '../daemon/core.js';
import type { MethodName } from './protocol.js';
import { announcedToWire, bgpToWire, learnedToWire, sessionToWire } from './views.js';

export type QueryMethod = Exclude<MethodName, 'subscribe' | 'unsubscribe'>;

/** What the daemon runs beside the core; absent = not running (the answer says so). */
export interface ControlExtensions {
  bgp?: () => BgpStatus;
}

export const QUERY_HANDLERS: Readonly<Record<QueryMethod, (core: DaemonCore, ext: ControlExtensions) => unknown>> = {
  sessions: (core) => core.sessions().map(sessionToWire),
  'encaps.learned': (core) => core.learnedEncaps().map(learnedToWire),
  'encaps.announced': (core) => core.announcedEncaps().map(announcedToWire),
  counters: (core) => ({ ...core.counters() }),
  // Re-parsed so a config holding something odd (a Map, a function) cannot break the line.
  config: (core) => JSON.parse(JSON.stringify(core.config() ?? {})) as unknown,
  version: (core) => ({ version: core.version() }),
  bgp: (_core, ext) => bgpToWire(ext.bgp?.() ?? null),
};

export function isQueryMethod(method: string): method is QueryMethod {
  return Object.prototype.hasOwnProperty.call(QUERY_HANDLERS, method);
}
