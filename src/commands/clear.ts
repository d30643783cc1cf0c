// `lsoe clear`: the operator reset. Restarts sessions and releases hopeless ones, over
// the daemon's admin socket (only root, or its group, may change state).
import { Command } from 'commander';
import { addDaemonFlags, daemonTarget, type DaemonFlags } from './daemon-flags.js';

interface ClearFlags extends DaemonFlags {
  interface?: string;
  peer?: string;
  adminSocket?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('clear')
    .description('restart sessions and release hopeless ones: all, on one interface, or with one neighbour')
    .option('-i, --interface <IF>', 'only sessions on this interface')
    .option('--peer <MAC>', 'only sessions with this neighbour MAC')
    .option('--admin-socket <PATH>', "the daemon's admin socket (default: beside the control socket, lsoe-admin.sock)")
    .option('--json', 'one JSON object: {"cleared": N}');
  addDaemonFlags(cmd)
    .addHelpText(
      'after',
      `
The sessions are closed at once and the neighbours are sent a HELLO, so they
open new ones within a second or so. A hopeless session (the neighbour said it
cannot talk to us) is forgotten, so the next HELLO from it starts afresh.

Requests that change state go to the admin socket, mode 0600 (root) unless the
daemon was given --admin-socket-group: reading (lsoe sessions) and changing
(lsoe clear) are separate permissions.

Exit status: 0 when the daemon answered (even if nothing matched), 1 when it
cannot be reached or permission is denied, 2 for usage errors.

Examples:
  sudo lsoe clear -i eth1
  sudo lsoe clear --peer 02:00:00:00:00:02`,
    )
    .action(async (flags: ClearFlags) => {
      const [{ parseMacOption }, { adminSocketPath }, { runClear }] = await Promise.all([
        import('../views/peer-filter.js'),
        import('../ctl/protocol.js'),
        import('../views/clear-run.js'),
      ]);
      const target = await daemonTarget(flags);
      process.exitCode = await runClear({
        ...target,
        socket: flags.adminSocket ?? adminSocketPath(target.socket),
        filter: {
          ...(flags.interface !== undefined ? { ifname: flags.interface } : {}),
          ...(flags.peer !== undefined ? { peerMac: parseMacOption('--peer', flags.peer) } : {}),
        },
        json: flags.json === true,
      });
    });
}
