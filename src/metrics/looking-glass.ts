// The read-only looking glass (`looking-glass = yes`), as BaGPipe BGP serves one on its
// REST port: the control socket's answers, through the same handlers and view
// functions, so every endpoint has the schema of the control method it names.
import { QUERY_HANDLERS } from '../ctl/handlers.js';
import type { DaemonCore } from '../daemon/views.js';

type Page = (core: DaemonCore) => unknown;

const learned = QUERY_HANDLERS['encaps.learned'];

export const LOOKING_GLASS: Readonly<Record<string, Page>> = {
  /** the `sessions` method's answer */
  sessions: QUERY_HANDLERS.sessions,
  /** each session with what its neighbour announced: `{ session, learned }` (`sessions` and `encaps.learned` answers) */
  neighbors: (core) => {
    const all = learned(core) as Array<{ ifname: string; peerMac: string }>;
    return (QUERY_HANDLERS.sessions(core) as Array<{ ifname: string; peerMac: string }>).map((session) => ({
      session,
      learned: all.filter((l) => l.ifname === session.ifname && l.peerMac === session.peerMac),
    }));
  },
  /** `{ learned, announced }`: the `encaps.learned` and `encaps.announced` answers */
  encaps: (core) => ({ learned: learned(core), announced: QUERY_HANDLERS['encaps.announced'](core) }),
  counters: QUERY_HANDLERS.counters,
  config: QUERY_HANDLERS.config,
};

/** `/looking-glass/`: what there is. */
export function lookingGlassIndex(core: DaemonCore): unknown {
  return { version: core.version(), pages: Object.keys(LOOKING_GLASS).map((p) => `/looking-glass/${p}`) };
}
