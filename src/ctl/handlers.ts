// The table of control methods: each one a plain call on the daemon core, its answer
// rebuilt by the view functions. `subscribe`/`unsubscribe` need the connection, so the
// server handles them itself; they are listed here only so `METHODS` stays the one list.
import type { DaemonCore } from '../daemon/core.js';
import type { MethodName } from './protocol.js';
import { announcedToWire, learnedToWire, sessionToWire } from './views.js';

export type QueryMethod = Exclude<MethodName, 'subscribe' | 'unsubscribe'>;

export const QUERY_HANDLERS: Readonly<Record<QueryMethod, (core: DaemonCore) => unknown>> = {
  sessions: (core) => core.sessions().map(sessionToWire),
  'encaps.learned': (core) => core.learnedEncaps().map(learnedToWire),
  'encaps.announced': (core) => core.announcedEncaps().map(announcedToWire),
  counters: (core) => ({ ...core.counters() }),
  // Re-parsed so a config holding something odd (a Map, a function) cannot break the line.
  config: (core) => JSON.parse(JSON.stringify(core.config() ?? {})) as unknown,
  version: (core) => ({ version: core.version() }),
};

export function isQueryMethod(method: string): method is QueryMethod {
  return Object.prototype.hasOwnProperty.call(QUERY_HANDLERS, method);
}
