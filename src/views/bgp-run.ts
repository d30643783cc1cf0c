// `lsoe bgp`: the BGP-LS northbound's peers, once or every second (--watch).
import type { BgpStatus } from '../daemon/bgp-northbound.js';
import { createOutput } from '../render/output.js';
import { openDaemon, toCliError } from './daemon-client.js';
import { BGP_HEAD, bgpHeadline, bgpRow } from './bgp-table.js';

export interface BgpOptions {
  socket: string;
  json: boolean;
  watch: boolean;
  /** --watch period, seconds */
  interval: number;
  timeoutMs?: number;
}

/** Returns the exit code. */
export async function runBgp(opts: BgpOptions): Promise<number> {
  const client = await openDaemon(opts.socket, opts.timeoutMs);
  const out = createOutput({ json: opts.json });
  const tty = process.stdout.isTTY === true && !opts.json;
  let last = '';
  try {
    for (;;) {
      const s = await client.request<BgpStatus>('bgp').catch((err: unknown) => {
        throw toCliError(err);
      });
      if (opts.json) {
        // --watch --json: a line per peer whenever it changed
        const text = JSON.stringify(s.peers);
        if (text !== last) for (const p of s.peers) out.record({ routerId: s.routerId, routes: s.routes, heldBack: s.heldBack.length, ...p });
        last = text;
      } else {
        if (tty && opts.watch) process.stdout.write('\x1b[H\x1b[2J');
        out.line(bgpHeadline(s));
        if (s.peers.length > 0) out.table(BGP_HEAD, s.peers.map((p) => bgpRow(p, Date.now())));
      }
      if (!opts.watch) return 0;
      await new Promise((r) => setTimeout(r, opts.interval * 1000));
    }
  } finally {
    client.close();
  }
}
