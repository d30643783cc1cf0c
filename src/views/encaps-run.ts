// `lsoe encaps`: what peers told us (default) or what we announce (--local).
import { errorLine } from '../cli-context.js';
import type { AnnouncedEncaps, LearnedEncaps } from '../daemon/core.js';
import { connectControl, ControlError, type ControlClient } from '../ctl/client.js';
import { createOutput } from '../render/output.js';
import { toCliError, withDaemon } from './daemon-client.js';
import { matchesPeer, type PeerFilter } from './peer-filter.js';
import { LEARNED_HEAD, learnedRows, LOCAL_HEAD, localRows, sortEncaps } from './encaps-table.js';

export interface EncapsOptions {
  socket: string;
  local: boolean;
  filter: PeerFilter;
  json: boolean;
  /** lsoed INI file, used by --local only when no daemon answers */
  config?: string;
  /** per-request limit, ms (default 10 s) */
  timeoutMs?: number;
}

export async function runEncaps(opts: EncapsOptions): Promise<number> {
  const out = createOutput({ json: opts.json });
  if (!opts.local) {
    const all = await withDaemon(opts.socket, (c) => c.request<LearnedEncaps[]>('encaps.learned'), opts.timeoutMs);
    const list = sortEncaps(all.filter((l) => matchesPeer(opts.filter, l)));
    if (out.json) for (const l of list) out.record(l);
    else {
      const rows = learnedRows(list);
      if (rows.length === 0) out.line('no encapsulations learned');
      else out.table(LEARNED_HEAD, rows);
    }
    return 0;
  }

  const { list, source } = await announced(opts);
  const shown = sortEncaps(list.filter((a) => matchesPeer(opts.filter, a)));
  if (source === 'interfaces') {
    out.note(errorLine(`no daemon listening on ${opts.socket}: computed from the interfaces and ${opts.config ?? 'the default configuration'}`));
  }
  if (out.json) for (const a of shown) out.record({ ...a, source });
  else {
    const rows = localRows(shown);
    if (rows.length === 0) out.line('nothing announced');
    else out.table(LOCAL_HEAD, rows);
  }
  return 0;
}

/** The daemon's own answer when one listens; otherwise computed the way it would. */
async function announced(opts: EncapsOptions): Promise<{ list: AnnouncedEncaps[]; source: 'daemon' | 'interfaces' }> {
  let client: ControlClient;
  try {
    client = await connectControl(opts.socket, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
  } catch (err) {
    // Only "nobody listens" falls back: a daemon we may not ask is not the same as none.
    if (!(err instanceof ControlError && err.kind === 'no-daemon')) throw toCliError(err);
    const { announcedOffline } = await import('./encaps-local-offline.js');
    return { list: await announcedOffline(opts.config), source: 'interfaces' };
  }
  try {
    return { list: await client.request<AnnouncedEncaps[]>('encaps.announced'), source: 'daemon' };
  } catch (err) {
    throw toCliError(err);
  } finally {
    client.close();
  }
}
