// The read-only looking glass (`looking-glass = yes`), as BaGPipe BGP serves one on its
// REST port: the control socket's answers, through the same handlers and view
// functions, so every endpoint has the schema of the control method it names.
import { QUERY_HANDLERS, type ControlExtensions } from '../ctl/handlers.js';
import type { DaemonCore } from '../daemon/views.js';

type Page = (core: DaemonCore, ext: ControlExtensions) => unknown;

export const LOOKING_GLASS: Readonly<Record<string, Page>> = {
  /** the `sessions` method's answer */
  sessions: QUERY_HANDLERS.sessions,
  /** the `neighbors` method's answer: every interface with its neighbours */
  neighbors: QUERY_HANDLERS.neighbors,
  /** `{ learned, announced }`: the `encaps.learned` and `encaps.announced` answers */
  encaps: (core, ext) => ({ learned: QUERY_HANDLERS['encaps.learned'](core, ext), announced: QUERY_HANDLERS['encaps.announced'](core, ext) }),
  counters: QUERY_HANDLERS.counters,
  config: QUERY_HANDLERS.config,
  /** the `bgp` method's answer: the BGP-LS northbound's peers */
  bgp: QUERY_HANDLERS.bgp,
};

/** `/looking-glass/`: what there is. */
export function lookingGlassIndex(core: DaemonCore): unknown {
  return { version: core.version(), pages: Object.keys(LOOKING_GLASS).map((p) => `/looking-glass/${p}`) };
}
