// `lsoe neighbors` (or `neighbours`): every interface the daemon runs on and who is on
// the other end, like `lldpcli show neighbors`.
import { Command } from 'commander';
import { addDaemonFlags, daemonTarget, type DaemonFlags } from './daemon-flags.js';

interface NeighborsFlags extends DaemonFlags {
  interface?: string;
  details?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('neighbors')
    .alias('neighbours')
    .description("every interface the daemon runs on, up or down, and the neighbour on each (needs a running daemon)")
    .option('-i, --interface <IF>', 'only this interface')
    .option('--details', 'one block per interface: every address, times, flaps and why the session last went down')
    .option('--json', 'one JSON object per interface, with its neighbours');
  addDaemonFlags(cmd)
    .addHelpText(
      'after',
      `
State is open, opening, hopeless (the neighbour said it cannot talk to us;
lsoe clear releases it) or down (no session now; the last one went down for
the reason shown). "For" is how long the session has been in that state.
Flaps count the times an open session went down.

JSON: {"ifname","mac","up","running","neighbors":[{"peerMac","peerId",
"state","since","lastHeard","ipv4":[...],"ipv6":[...],"flaps","lastDown":
{"time","reason"}|null}]}; addresses are {"address","prefixLength",
"primary","loopback"}.

Examples:
  lsoe neighbors
  lsoe neighbours -i eth1 --details
  lsoe neighbors --json | jq -r '.neighbors[] | select(.state != "open") | .peerMac'`,
    )
    .action(async (flags: NeighborsFlags) => {
      const { runNeighbors } = await import('../views/neighbors-run.js');
      process.exitCode = await runNeighbors({
        ...(await daemonTarget(flags)),
        ...(flags.interface !== undefined ? { ifname: flags.interface } : {}),
        details: flags.details === true,
        json: flags.json === true,
      });
    });
}
