// `lsoe bgp`: the BGP-LS northbound's peers, once, or followed (--watch): subscribed to
// the daemon's `bgp` events (a peer's state changed, UPDATEs went out), the status is
// read again at each one, so a change shows at once; on a terminal the table is also
// redrawn every --interval seconds, for the Up/Down times.
import type { BgpStatus } from '../daemon/bgp-northbound.js';
import type { ControlClient } from '../ctl/client.js';
import { createOutput, type Output } from '../render/output.js';
import { errorLine } from '../cli-context.js';
import { openDaemon, toCliError } from './daemon-client.js';
import { oneAtATime } from './one-at-a-time.js';
import { BGP_HEAD, bgpHeadline, bgpRow } from './bgp-table.js';

export interface BgpOptions {
  socket: string;
  json: boolean;
  watch: boolean;
  /** --watch: seconds between two redraws on a terminal */
  interval: number;
  timeoutMs?: number;
}

/** Prints a status: every peer (people), or the peers that changed since `last` (JSON). */
class BgpPrinter {
  private last = new Map<string, string>();
  constructor(
    private readonly out: Output,
    private readonly opts: BgpOptions,
    private readonly clear: boolean,
  ) {}

  print(s: BgpStatus): void {
    if (this.opts.json) {
      // with --watch, a line per peer whenever it changed
      for (const p of s.peers) {
        const line = JSON.stringify(p);
        if (this.last.get(p.peer) === line) continue;
        this.last.set(p.peer, line);
        this.out.record({ routerId: s.routerId, routes: s.routes, heldBack: s.heldBack.length, ...p });
      }
      return;
    }
    if (this.clear) process.stdout.write('\x1b[H\x1b[2J');
    this.out.line(bgpHeadline(s));
    if (s.peers.length > 0) this.out.table(BGP_HEAD, s.peers.map((p) => bgpRow(p, Date.now())));
  }
}

async function ask(client: ControlClient): Promise<BgpStatus> {
  return client.request<BgpStatus>('bgp').catch((err: unknown) => {
    throw toCliError(err);
  });
}

/** Returns the exit code. */
export async function runBgp(opts: BgpOptions): Promise<number> {
  const client = await openDaemon(opts.socket, opts.timeoutMs);
  const out = createOutput({ json: opts.json });
  const tty = process.stdout.isTTY === true && !opts.json;
  const printer = new BgpPrinter(out, opts, tty && opts.watch);
  if (!opts.watch) {
    try {
      printer.print(await ask(client));
      return 0;
    } finally {
      client.close();
    }
  }
  return follow(client, printer, out, opts, tty);
}

/** --watch: read again at every event (one read at a time, the events meanwhile folded into one more). */
function follow(client: ControlClient, printer: BgpPrinter, out: Output, opts: BgpOptions, tty: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    let tick: NodeJS.Timeout | null = null;
    const done = (code: number, err?: Error) => {
      if (tick !== null) clearInterval(tick);
      client.close();
      if (err) reject(err);
      else resolve(code);
    };
    const reread = oneAtATime(
      async () => printer.print(await ask(client)),
      (err) => done(1, err),
    );
    // any bgp event, and the server's events-dropped marker alike: read the whole status again
    client.onEvent(() => void reread());
    client.onClose((err) => {
      if (err) out.note(errorLine(err.message));
      done(1);
    });
    // subscribed before the first read, so no change falls between the two
    client.request('subscribe', { topics: ['bgp'] }).then(
      () => {
        void reread();
        if (tty) tick = setInterval(() => void reread(), opts.interval * 1000);
      },
      (err: unknown) => done(1, toCliError(err) as Error),
    );
  });
}
