// `lsoe counters`, `lsoe config`, `lsoe version`: what the running daemon counts, runs
// with and is. Small commands over the control socket, declared together.
import { Command } from 'commander';
import { parseSeconds } from '../cli-error.js';
import { addDaemonFlags, daemonTarget, type DaemonFlags } from './daemon-flags.js';

interface InfoFlags extends DaemonFlags {
  json?: boolean;
  watch?: boolean;
  interval?: string;
}

export function register(program: Command): void {
  addDaemonFlags(
    program
      .command('counters')
      .description("the daemon's counters, daemon-wide and per interface (needs a running daemon)")
      .option('--json', 'one JSON object: {"daemon":{...},"interfaces":[{"ifname",...}]}')
      .option('-w, --watch', 'print them again every --interval seconds, with the change since the last time (Ctrl-C stops)')
      .option('--interval <S>', 'seconds between two readings with --watch', '2'),
  )
    .addHelpText(
      'after',
      `
Counters only grow, except gauges such as sessions, sessionsOpen, interfaces,
reassemblyBytes and reportBacklog. Per interface: neighbours by state and flaps.

Examples:
  lsoe counters
  lsoe counters --watch --interval 1
  lsoe counters --json | jq .daemon.malformedFrames`,
    )
    .action(async (flags: InfoFlags) => {
      const { runCounters } = await import('../views/counters-run.js');
      process.exitCode = await runCounters({
        ...(await daemonTarget(flags)),
        json: flags.json === true,
        watch: flags.watch === true,
        interval: parseSeconds('--interval', String(flags.interval)),
      });
    });

  addDaemonFlags(
    program
      .command('config')
      .description("the daemon's running configuration, as an lsoed INI file (needs a running daemon)")
      .option('--json', 'one JSON object, keys as in the file'),
  )
    .addHelpText(
      'after',
      `
Every key is shown with the value in force (from the file, a flag or the
default), so the output is a complete configuration file:
  lsoe config > /etc/lsoe/lsoed.conf`,
    )
    .action(async (flags: InfoFlags) => {
      const { runConfig } = await import('../views/daemon-info-run.js');
      process.exitCode = await runConfig({ ...(await daemonTarget(flags)), json: flags.json === true });
    });

  addDaemonFlags(
    program
      .command('version')
      .description('the version of this lsoe and of the running daemon')
      .option('--json', 'one JSON object: {"client","daemon"} (daemon null when none answers)'),
  )
    .addHelpText('after', '\nExit status: 0 when the daemon answered, 1 when it did not (the client version is printed anyway).')
    .action(async (flags: InfoFlags) => {
      const { runVersion } = await import('../views/daemon-info-run.js');
      process.exitCode = await runVersion({ ...(await daemonTarget(flags)), json: flags.json === true, client: program.version() ?? '0.0.0' });
    });
}
