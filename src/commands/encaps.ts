// `lsoe encaps`: encapsulations (addresses, MPLS labels) learned from peers or announced.
import { Command } from 'commander';

export interface EncapsFlags {
  socket?: string;
  timeout?: string;
  interface?: string;
  peer?: string;
  local?: boolean;
  json?: boolean;
  config?: string;
}

export function register(program: Command): void {
  program
    .command('encaps')
    .description('show encapsulations learned from neighbours, or (--local) what this switch announces')
    .option('--local', 'what this daemon announces, per interface (without a daemon: computed from the interfaces)')
    .option('-i, --interface <IF>', 'only this interface')
    .option('--peer <MAC>', 'only what this neighbour MAC announced')
    .option('--json', 'one JSON object per session and encapsulation type (--local: per interface and type)')
    .option('-c, --config <FILE>', 'lsoed INI file for --local when no daemon is running')
    .option('--socket <PATH>', 'control socket (default $LSOE_SOCKET or /run/lsoe/lsoe.sock)')
    .option('--timeout <S>', 'seconds to wait for each answer from the daemon (default 10)')
    .addHelpText(
      'after',
      `
Flags: P = primary address of the interface, L = loopback address of the
device. MPLS labels show the 20-bit label value, then the 3 octets in hex.

JSON: {"ifname","peerMac","peerId","type":"IPV4_ENCAPSULATION","encaps":[...]}
with entries {"address","prefixLength","primary","loopback"[,"labels"]};
--local: {"ifname","type","encaps":[...],"source":"daemon"|"interfaces"}.

Exit status: 0 on success; 1 when the daemon cannot be reached (without
--local), permission is denied, or it does not answer within --timeout
seconds; 2 for usage errors.

Examples:
  lsoe encaps
  lsoe encaps --peer 02:00:00:00:00:02 --json | jq '.encaps[].address'
  lsoe encaps --local -i eth1`,
    )
    .action(async (flags: EncapsFlags) => {
      const [{ resolveSocketPath }, { parseMacOption }, { parseTimeoutOption }, { runEncaps }] = await Promise.all([
        import('../ctl/socket-path.js'),
        import('../views/peer-filter.js'),
        import('../views/daemon-client.js'),
        import('../views/encaps-run.js'),
      ]);
      if (flags.config !== undefined && flags.local !== true) {
        const { CliError } = await import('../cli-error.js');
        throw new CliError('-c/--config applies only with --local (what --local computes when no daemon runs); without --local the daemon is asked', 2);
      }
      if (flags.local === true && flags.peer !== undefined) {
        const { CliError } = await import('../cli-error.js');
        throw new CliError('--peer does not apply to --local (what we announce is the same for every peer)', 2);
      }
      process.exitCode = await runEncaps({
        socket: resolveSocketPath(flags.socket),
        ...timeoutOf(parseTimeoutOption(flags.timeout)),
        local: flags.local === true,
        filter: {
          ...(flags.interface !== undefined ? { ifname: flags.interface } : {}),
          ...(flags.peer !== undefined ? { peerMac: parseMacOption('--peer', flags.peer) } : {}),
        },
        json: flags.json === true,
        ...(flags.config !== undefined ? { config: flags.config } : {}),
      });
    });
}

function timeoutOf(ms: number | undefined): { timeoutMs?: number } {
  return ms === undefined ? {} : { timeoutMs: ms };
}
