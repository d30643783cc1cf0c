// `lsoe lab`: a spine/leaf fabric of network namespaces, one daemon each, and
// a live web page. Flags only; the work is in src/lab/run.ts.
import { Command, Option } from 'commander';
import { CliError, parseCount, parseSeconds } from '../cli-error.js';
import type { LabUpOptions } from '../lab/options.js';

const NAME_HELP = 'lab name: labs with different names run side by side';
const DEFAULT_NAME = 'default';

function parsePort(text: string): number {
  const port = parseCount('--port', text);
  if (port < 1 || port > 65535) throw new CliError(`--port: ${port} is not a TCP port (1-65535)`, 2);
  return port;
}

export function register(program: Command): void {
  const lab = program
    .command('lab')
    .description('a spine/leaf LSOE fabric in network namespaces, with a live web page (needs root)')
    .addHelpText(
      'after',
      `
Examples:
  sudo lsoe lab up                       4 spines x 8 leaves, page on http://127.0.0.1:8080/
  sudo lsoe lab up --spines 2 --leaves 3 --name small --port 8081 --wait
  sudo lsoe lab status --name small
  sudo lsoe lab up --bgp --wait          gobgpd collects the fabric as BGP-LS
  sudo lsoe lab status --bgp             every link as BGP-LS reports it
  sudo lsoe sessions --socket /run/lsoe-lab/small/spine0.sock
  sudo lsoe lab down --name small`,
    );

  lab
    .command('up')
    .description('build the fabric, start one daemon per switch and the collector, and return')
    .option('--spines <N>', 'spine switches (spine0, spine1, ...)', '4')
    .option('--leaves <M>', 'leaf switches (leaf0, leaf1, ...), each linked to every spine', '8')
    .option('--topology <FILE.json>', 'links as a JSON list of [upper, lower] node names, instead of --spines/--leaves')
    .option('--port <P>', 'port of the web page, on 127.0.0.1', '8080')
    .option('--name <NAME>', NAME_HELP, DEFAULT_NAME)
    .option('--wait', 'return only when every session is open (or --timeout passed), and say how long it took')
    .option('--timeout <S>', 'seconds --wait waits at most (default: 30 + 2 per switch)')
    .option('--json', 'print the result as one JSON object')
    .option(
      '--bgp',
      'also run gobgpd as the fabric\'s BGP-LS collector (its own namespace, on a management network in 192.0.2.0/24); ' +
        'every daemon peers with it; --wait then also waits for every BGP session and every link in BGP-LS',
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const explicit = (k: string): boolean => cmd.getOptionValueSource(k) === 'cli';
      if (typeof opts.topology === 'string' && (explicit('spines') || explicit('leaves'))) {
        throw new CliError('--topology replaces --spines/--leaves: give one or the other', 2);
      }
      const options: LabUpOptions = {
        name: String(opts.name),
        spines: parseCount('--spines', String(opts.spines)),
        leaves: parseCount('--leaves', String(opts.leaves)),
        topology: typeof opts.topology === 'string' ? opts.topology : null,
        port: parsePort(String(opts.port)),
        wait: opts.wait === true,
        timeout: opts.timeout === undefined ? null : parseSeconds('--timeout', String(opts.timeout)),
        json: opts.json === true,
        bgp: opts.bgp === true,
      };
      const { runLabUp } = await import('../lab/run.js');
      await runLabUp(options);
    });

  lab
    .command('status')
    .description('one line per session end: switch, interface, peer, peer MAC, state')
    .option('--name <NAME>', NAME_HELP, DEFAULT_NAME)
    .option('--json', 'one JSON object per session end (with --bgp: per link, then per switch)')
    .option('--bgp', 'every link as BGP-LS reports it (from gobgpd\'s dump of what it received, read back by lsoe), and each switch\'s BGP session as gobgpd sees it (lab up --bgp)')
    .action(async (opts: Record<string, unknown>) => {
      const { runLabStatus } = await import('../lab/run.js');
      process.exitCode = await runLabStatus({ name: String(opts.name), json: opts.json === true, bgp: opts.bgp === true });
    });

  lab
    .command('down')
    .description('stop the daemons and the collector, remove the namespaces, links and files')
    .option('--name <NAME>', NAME_HELP, DEFAULT_NAME)
    .option('--json', 'print what was removed as one JSON object')
    .action(async (opts: Record<string, unknown>) => {
      const { runLabDown } = await import('../lab/run.js');
      await runLabDown({ name: String(opts.name), json: opts.json === true });
    });

  // Started detached by `lab up`; not for people.
  lab.addCommand(
    new Command('collector')
      .description('the lab collector (started by lab up)')
      .addOption(new Option('--state-dir <DIR>').makeOptionMandatory())
      .action(async (opts: Record<string, unknown>) => {
        const { runLabCollector } = await import('../lab/run.js');
        await runLabCollector(String(opts.stateDir));
      }),
    { hidden: true },
  );
}
