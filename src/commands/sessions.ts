// `lsoe sessions`: the daemon's LSOE sessions, once, as counts, or live.
import { Command } from 'commander';

export interface SessionsFlags {
  socket?: string;
  timeout?: string;
  interface?: string;
  peer?: string;
  summary?: boolean;
  json?: boolean;
  watch?: boolean;
}

export function register(program: Command): void {
  program
    .command('sessions')
    .description("show the daemon's sessions with its neighbours (needs a running `lsoe daemon`)")
    .option('-i, --interface <IF>', 'only sessions on this interface')
    .option('--peer <MAC>', 'only sessions with this neighbour MAC')
    .option('--summary', 'counts per state and interface instead of each session')
    .option('--json', 'one JSON object per session (with --watch: one per event)')
    .option('-w, --watch', 'live view that follows the daemon (q quits); with --json: stream events')
    .option('--socket <PATH>', 'control socket (default $LSOE_SOCKET or /run/lsoe/lsoe.sock)')
    .option('--timeout <S>', 'seconds to wait for each answer from the daemon (default 10)')
    .addHelpText(
      'after',
      `
JSON keys: ifname, peerMac, peerId (hex or null), state (opening|open|hopeless|held-down),
since (ISO 8601), until (held-down only), lastHeard, counters {txPdus, rxPdus,
retransmits, errors}.
No sessions prints nothing with --json. --watch --json prints events such as
{"event":"session-up",...}, one per line, flushed; {"event":"events-dropped"}
means the reader was too slow and some were missed.

Exit status: 0 on success; 1 when the daemon cannot be reached (not running,
permission denied on the socket) or does not answer within --timeout seconds
(the --watch stream itself is never timed out); 2 for usage errors.

Examples:
  lsoe sessions
  lsoe sessions -i eth1 --json | jq -r .peerMac
  lsoe sessions --watch
  lsoe sessions --watch --json | grep --line-buffered session-down`,
    )
    .action(async (flags: SessionsFlags) => {
      const [{ resolveSocketPath }, { parseMacOption }, { parseTimeoutOption }, { runSessions }] = await Promise.all([
        import('../ctl/socket-path.js'),
        import('../views/peer-filter.js'),
        import('../views/daemon-client.js'),
        import('../views/sessions-run.js'),
      ]);
      process.exitCode = await runSessions({
        socket: resolveSocketPath(flags.socket),
        ...timeoutOf(parseTimeoutOption(flags.timeout)),
        filter: {
          ...(flags.interface !== undefined ? { ifname: flags.interface } : {}),
          ...(flags.peer !== undefined ? { peerMac: parseMacOption('--peer', flags.peer) } : {}),
        },
        summary: flags.summary === true,
        json: flags.json === true,
        watch: flags.watch === true,
      });
    });
}

function timeoutOf(ms: number | undefined): { timeoutMs?: number } {
  return ms === undefined ? {} : { timeoutMs: ms };
}
