// `lsoe sessions`: asks the daemon, prints a table, JSON lines, counts, or follows events.
import { CliError } from '../cli-error.js';
import type { EventsDropped } from '../ctl/client.js';
import { EVENTS_DROPPED } from '../ctl/protocol.js';
import type { DaemonEvent, SessionView } from '../daemon/core.js';
import { createOutput, type Output } from '../render/output.js';
import { openDaemon, withDaemon } from './daemon-client.js';
import { matchesPeer, type PeerFilter } from './peer-filter.js';
import { SESSION_HEAD, sessionRow, sortSessions, summarise, type StateCounts } from './sessions-table.js';

export interface SessionsOptions {
  socket: string;
  filter: PeerFilter;
  summary: boolean;
  json: boolean;
  watch: boolean;
  /** per-request limit, ms (default 10 s); not applied to the event stream itself */
  timeoutMs?: number;
}

/** Returns the exit code. */
export async function runSessions(opts: SessionsOptions): Promise<number> {
  if (opts.watch && opts.summary) throw new CliError('--summary and --watch do not go together', 2);
  if (opts.watch && opts.json) return watchJson(opts);
  if (opts.watch) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new CliError('--watch needs a terminal; for scripts use --watch --json', 2);
    }
    const client = await openDaemon(opts.socket, opts.timeoutMs);
    // ink reads CI / CONTINUOUS_INTEGRATION when it loads and then draws only
    // the final frame. Someone who asked for a live view on a terminal wants
    // it live, whatever their environment says.
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
    const { runWatchView } = await import('./watch.js');
    return runWatchView(client, opts.filter);
  }
  const all = await withDaemon(opts.socket, (c) => c.request<SessionView[]>('sessions'), opts.timeoutMs);
  const list = sortSessions(all.filter((s) => matchesPeer(opts.filter, s)));
  const out = createOutput({ json: opts.json });
  if (opts.summary) printSummary(out, list);
  else if (out.json) for (const s of list) out.record(s);
  else if (list.length === 0) out.line('no sessions');
  else out.table(SESSION_HEAD, list.map((s) => sessionRow(s, Date.now())));
  return 0;
}

function printSummary(out: Output, list: SessionView[]): void {
  const sum = summarise(list);
  if (out.json) {
    out.record(sum);
    return;
  }
  const rare = (c: StateCounts) => `${c.hopeless > 0 ? `, ${c.hopeless} hopeless` : ''}${c.heldDown > 0 ? `, ${c.heldDown} held down` : ''}`;
  out.line(`${sum.sessions} session${sum.sessions === 1 ? '' : 's'}: ${sum.open} open, ${sum.opening} opening${rare(sum)}`);
  if (sum.interfaces.length > 0) {
    out.table(
      ['Interface', 'Open', 'Opening', 'Hopeless', 'Held down'],
      sum.interfaces.map((i) => [i.ifname, String(i.open), String(i.opening), String(i.hopeless), String(i.heldDown)]),
    );
  }
}

/**
 * Events as JSON lines until the daemon goes or we are interrupted; written
 * out as soon as the process is idle. While the reader of our output lags
 * (more than 1 MiB queued), events are not queued but counted, and the reader
 * gets the server's own "events-dropped" marker (re-read the state) once it
 * catches up: memory stays flat whatever the reader does.
 */
async function watchJson(opts: SessionsOptions): Promise<number> {
  const client = await openDaemon(opts.socket, opts.timeoutMs);
  const out = createOutput({ json: true });
  let dropped = 0;
  client.onEvent((e) => {
    // The server's own "events-dropped" marker has no interface: always pass it on.
    if ('ifname' in e && !matchesPeer(opts.filter, e as DaemonEvent)) return;
    if (out.blocked) {
      dropped += e.event === EVENTS_DROPPED ? (e as EventsDropped).dropped : 1;
      return;
    }
    if (dropped > 0) {
      out.record({ event: EVENTS_DROPPED, time: new Date().toISOString(), dropped });
      dropped = 0;
    }
    out.record(e);
  });
  const ended = new Promise<number>((resolve) => {
    client.onClose((err) => {
      if (err) out.note(`lsoe: ${err.message}`);
      resolve(1);
    });
  });
  try {
    await client.request('subscribe');
  } catch (err) {
    client.close();
    throw new CliError((err as Error).message, 1);
  }
  return ended;
}
