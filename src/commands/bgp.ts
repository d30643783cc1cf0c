// `lsoe bgp`: the daemon's BGP-LS peers, like `gobgp neighbor`.
import { Command } from 'commander';
import { CliError } from '../cli-error.js';

export interface BgpFlags {
  socket?: string;
  timeout?: string;
  json?: boolean;
  watch?: boolean;
  interval?: string;
}

export function register(program: Command): void {
  program
    .command('bgp')
    .description("show the daemon's BGP-LS peers and what it sent them (needs a running `lsoe daemon` with bgp-peer)")
    .option('--json', 'one JSON object per peer')
    .option('-w, --watch', "follow the daemon's BGP events: redraw at each change (with --json: a line per peer whenever it changed)")
    .option('--interval <S>', 'with --watch on a terminal, seconds between two redraws for the Up/Down times (default 1)')
    .option('--socket <PATH>', 'control socket (default $LSOE_SOCKET or /run/lsoe/lsoe.sock)')
    .option('--timeout <S>', 'seconds to wait for each answer from the daemon (default 10)')
    .addHelpText(
      'after',
      `
Columns: Peer (ADDR:PORT), AS (the peer's), State (idle, connect, active,
open-sent, open-confirm, established), Up/Down (time in that state), Msgs tx/rx
(BGP messages), Announced and Withdrawn N/L/P (Node, Link, Prefix NLRI sent
since start), Held (NLRI the peer has from us now), Last error (why the last
session or attempt ended). The line above says our router-id and AS, how many
NLRI we announce, and which LSOE neighbours' links are held back because they
announced no loopback IPv4 (their router-id).

JSON keys: routerId, routes, heldBack, peer, asn, peerAsn, state, since,
peerRouterId, localAddress, linkState, messagesSent, messagesReceived
{OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH}, announced, withdrawn
{node, link, ipv4-prefix, ipv6-prefix}, held, connects, lastError.

Exit status: 0 on success; 1 when the daemon cannot be reached; 2 for usage errors.

Examples:
  lsoe bgp
  lsoe bgp --json | jq -r 'select(.state != "established") | .peer'
  lsoe bgp --watch`,
    )
    .action(async (flags: BgpFlags) => {
      const [{ resolveSocketPath }, { parseTimeoutOption }, { runBgp }] = await Promise.all([
        import('../ctl/socket-path.js'),
        import('../views/daemon-client.js'),
        import('../views/bgp-run.js'),
      ]);
      const interval = flags.interval === undefined ? 1 : Number(flags.interval);
      if (!Number.isFinite(interval) || interval <= 0) throw new CliError(`--interval: '${flags.interval}' is not a positive number of seconds`, 2);
      const timeoutMs = parseTimeoutOption(flags.timeout);
      process.exitCode = await runBgp({
        socket: resolveSocketPath(flags.socket),
        json: flags.json === true,
        watch: flags.watch === true,
        interval,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
    });
}
