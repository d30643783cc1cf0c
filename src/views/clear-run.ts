// `lsoe clear` over the admin socket.
import { CliError } from '../cli-error.js';
import type { SessionFilter } from '../daemon/core.js';
import { createOutput } from '../render/output.js';
import { plural } from '../render/plural.js';
import { withDaemon } from './daemon-client.js';

export interface ClearOptions {
  /** the admin socket */
  socket: string;
  timeoutMs?: number;
  filter: SessionFilter;
  json: boolean;
}

export async function runClear(opts: ClearOptions): Promise<number> {
  let answer: { cleared: number };
  try {
    answer = await withDaemon(opts.socket, (c) => c.request<{ cleared: number }>('clear', { ...opts.filter }), opts.timeoutMs);
  } catch (err) {
    if (err instanceof CliError && /^permission denied/.test(err.message)) {
      throw new CliError(`permission denied on the admin socket ${opts.socket} (clearing sessions needs root, or the daemon's --admin-socket-group)`, 1);
    }
    throw err;
  }
  const out = createOutput({ json: opts.json });
  if (out.json) out.record({ cleared: answer.cleared });
  else {
    const where = [opts.filter.ifname ? `on ${opts.filter.ifname}` : '', opts.filter.peerMac ? `with ${opts.filter.peerMac}` : ''].filter((w) => w).join(' ');
    out.line(`${plural(answer.cleared, 'session')} cleared${where ? ` ${where}` : ''}`);
  }
  return 0;
}
