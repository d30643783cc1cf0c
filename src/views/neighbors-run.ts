// `lsoe neighbors`: asks the daemon and prints the table, the details or JSON lines.
import type { InterfaceNeighbors } from '../daemon/core.js';
import { createOutput } from '../render/output.js';
import { withDaemon } from './daemon-client.js';
import { NEIGHBORS_HEAD, NEIGHBORS_OPTIONAL, neighborDetails, neighborRows, sortInterfaces } from './neighbors-text.js';

export interface NeighborsOptions {
  socket: string;
  timeoutMs?: number;
  ifname?: string;
  details: boolean;
  json: boolean;
}

export async function runNeighbors(opts: NeighborsOptions): Promise<number> {
  const all = await withDaemon(opts.socket, (c) => c.request<InterfaceNeighbors[]>('neighbors'), opts.timeoutMs);
  const list = sortInterfaces(all.filter((i) => opts.ifname === undefined || i.ifname === opts.ifname));
  const out = createOutput({ json: opts.json });
  if (out.json) for (const i of list) out.record(i);
  else if (list.length === 0) out.line(opts.ifname === undefined ? 'the daemon runs on no interface' : `the daemon does not run on ${opts.ifname}`);
  else if (opts.details) out.line(neighborDetails(list, Date.now()));
  else out.table(NEIGHBORS_HEAD, neighborRows(list, Date.now()), { optional: NEIGHBORS_OPTIONAL });
  return 0;
}
