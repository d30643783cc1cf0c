// Entry point: builds the commander program from one small module per
// subcommand. Command modules only declare flags and lazily import their
// implementation, so `lsoe --help` loads neither libpcap nor React.
import { Command, CommanderError, Option } from 'commander';
import { CliError } from './cli-error.js';
import { errorLine, setCommandPath, systemErrorText } from './cli-context.js';
import { HELP_CONFIG, rewriteHelpCommand } from './cli-help.js';
import { register as registerDecode } from './commands/decode.js';
import { register as registerSniff } from './commands/sniff.js';
import { register as registerHello } from './commands/hello.js';
import { register as registerDaemon } from './commands/daemon.js';
import { register as registerSessions } from './commands/sessions.js';
import { register as registerEncaps } from './commands/encaps.js';
import { register as registerBgp } from './commands/bgp.js';
import { register as registerLab } from './commands/lab.js';
import { register as registerNeighbors } from './commands/neighbors.js';
import { register as registerDaemonInfo } from './commands/daemon-info.js';
import { register as registerClear } from './commands/clear.js';
import { register as registerCompletion } from './commands/completion.js';

const VERSION = '0.1.0';

function buildProgram(needed: string): Command {
  const program = new Command();
  program
    .name('lsoe')
    .description(
      'Link State Over Ethernet (IETF LSVR): discover neighbours, their addresses and link liveness over raw Ethernet.',
    )
    .version(VERSION, '-V, --version')
    .addOption(new Option('--color <WHEN>', 'colour for people: auto (on a terminal unless NO_COLOR is set, or with FORCE_COLOR=1), always or never').choices(['auto', 'always', 'never']).default('auto'))
    .exitOverride();
  program.configureHelp(HELP_CONFIG);
  program.hook('preAction', (_program, action) => {
    setCommandPath(pathOf(action));
    applyColor(String(program.opts().color ?? 'auto'));
  });
  for (const [names, register] of COMMANDS) if (needed === 'all' || names.includes(needed)) register(program);
  program.addHelpText(
    'after',
    '\nEvery command prints for people by default and, with --json, one JSON object per line.\nSee lsoe(1) and lsoe-<command>(1) for details.',
  );
  return program;
}

/** Each top-level command's registration, in `lsoe --help`'s order, with every name it answers to. */
const COMMANDS: Array<[names: string[], register: (program: Command) => void]> = [
  [['decode'], registerDecode],
  [['sniff'], registerSniff],
  [['hello'], registerHello],
  [['daemon'], registerDaemon],
  [['sessions'], registerSessions],
  [['neighbors', 'neighbours'], registerNeighbors],
  [['encaps'], registerEncaps],
  [['counters', 'config', 'version'], registerDaemonInfo],
  [['clear'], registerClear],
  [['bgp'], registerBgp],
  [['lab'], registerLab],
  [['completion'], registerCompletion],
];

/**
 * Which commands `argv` needs registered: the one it names (its options, --help and
 * errors are its own), none for `lsoe --version` alone, else 'all' (`lsoe --help`,
 * `help`, `completion`, which lists them all, and unknown names, which get suggestions).
 * Registering a dozen commands' options was a quarter of a short run's own start-up.
 */
function commandsNeeded(argv: string[]): string {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) return 'none';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--color') i++; // the program's one option with a value
    else if (!a.startsWith('--color=')) return a !== 'completion' && COMMANDS.some(([names]) => names.includes(a)) ? a : 'all';
  }
  return 'all';
}

/** 'lab up' for `lsoe lab up`; '' for the program itself. */
function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null && c.parent !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function everyCommand(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const c of cmd.commands) everyCommand(c, fn);
}

/**
 * --color: the environment every colour decision reads (ours, chalk's, ink's), set before
 * any of them loads. The flag wins over NO_COLOR/FORCE_COLOR; `auto` leaves them alone.
 */
function applyColor(when: string): void {
  if (when === 'always') {
    delete process.env.NO_COLOR;
    process.env.FORCE_COLOR = '1';
  } else if (when === 'never') {
    delete process.env.FORCE_COLOR;
    process.env.NO_COLOR = '1';
  }
}

/** commander's "error: unknown option '--x'\n(Did you mean --y?)" as our one line. */
function commanderErrorLine(path: string, text: string): string {
  const what = text
    .replace(/^error: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
  return `${errorLine(what, path)} (lsoe ${path === '' ? '' : path + ' '}--help for usage)\n`;
}

function fail(message: string, code: number): never {
  process.stderr.write(`${errorLine(message)}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const args = rewriteHelpCommand(argv);
  const program = buildProgram(commandsNeeded(args));
  everyCommand(program, (cmd) => {
    cmd.exitOverride();
    cmd.configureOutput({ outputError: (text, write) => write(commanderErrorLine(pathOf(cmd), text)) });
  });
  try {
    await program.parseAsync(args);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; they exit 0.
      process.exit(err.exitCode === 0 ? 0 : 2);
    }
    if (err instanceof CliError) fail(err.message, err.exitCode);
    if (process.env.LSOE_DEBUG_STACK) throw err;
    // A system error that no command put into words still gets words, never a code.
    if ((err as NodeJS.ErrnoException)?.code?.startsWith('E') === true) fail(systemErrorText(err), 1);
    const message = err instanceof Error ? err.message : String(err);
    fail(`internal error: ${message} (set LSOE_DEBUG_STACK=1 for details)`, 70);
  }
}

// A closed pipe (`lsoe decode x | head`) is a normal way for output to end.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// Not awaited at the top level: decode's CommonJS bundle (scripts/bundle.mjs) cannot hold a
// top-level await. main() catches everything itself.
void main(process.argv);
