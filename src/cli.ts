// Entry point: builds the commander program from one small module per
// subcommand. Command modules only declare flags and lazily import their
// implementation, so `lsoe --help` loads neither libpcap nor React.
import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { register as registerDecode } from './commands/decode.js';
import { register as registerSniff } from './commands/sniff.js';
import { register as registerHello } from './commands/hello.js';
import { register as registerDaemon } from './commands/daemon.js';
import { register as registerSessions } from './commands/sessions.js';
import { register as registerEncaps } from './commands/encaps.js';
import { register as registerBgp } from './commands/bgp.js';
import { register as registerLab } from './commands/lab.js';
import { register as registerCompletion } from './commands/completion.js';

const VERSION = '0.1.0';

function buildProgram(): Command {
  const program = new Command();
  program
    .name('lsoe')
    .description(
      'Link State Over Ethernet (IETF LSVR): discover neighbours, their addresses and link liveness over raw Ethernet.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureHelp({ sortSubcommands: false });
  registerDecode(program);
  registerSniff(program);
  registerHello(program);
  registerDaemon(program);
  registerSessions(program);
  registerEncaps(program);
  registerBgp(program);
  registerLab(program);
  registerCompletion(program);
  program.addHelpText(
    'after',
    '\nEvery command prints for people by default and, with --json, one JSON object per line.\nSee lsoe(1) and lsoe-<command>(1) for details.',
  );
  return program;
}

function fail(message: string, code: number): never {
  process.stderr.write(`lsoe: ${message}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; they exit 0.
      process.exit(err.exitCode === 0 ? 0 : 2);
    }
    if (err instanceof CliError) fail(err.message, err.exitCode);
    if (process.env.LSOE_DEBUG_STACK) throw err;
    const message = err instanceof Error ? err.message : String(err);
    fail(`internal error: ${message} (set LSOE_DEBUG_STACK=1 for details)`, 70);
  }
}

// A closed pipe (`lsoe decode x | head`) is a normal way for output to end.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

await main(process.argv);
