// The lsoe program over a table of commands: builds commander's program with the
// commands argv needs, runs it, and turns every failure into one line and a status.
// src/cli.ts runs it with every command; src/cli-decode.ts with decode alone.
import { Command, CommanderError, Option } from 'commander';
import { CliError } from './cli-error.js';
import { errorLine, setCommandPath, systemErrorText } from './cli-context.js';
import { HELP_CONFIG, rewriteHelpCommand } from './cli-help.js';

/** A program's top-level commands: each one's registration with every name it answers to. */
export type CommandTable = ReadonlyArray<[names: string[], register: (program: Command) => void]>;

const VERSION = '0.1.0';

function buildProgram(commands: CommandTable, needed: string): Command {
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
  for (const [names, register] of commands) if (needed === 'all' || names.includes(needed)) register(program);
  program.addHelpText(
    'after',
    '\nEvery command prints for people by default and, with --json, one JSON object per line.\nSee lsoe(1) and lsoe-<command>(1) for details.',
  );
  return program;
}

/**
 * Which commands `argv` needs registered: the one it names (its options, --help and
 * errors are its own), none for `lsoe --version` alone, else 'all' (`lsoe --help`,
 * `help`, `completion`, which lists them all, and unknown names, which get suggestions).
 * Registering a dozen commands' options was a quarter of a short run's own start-up.
 */
function commandsNeeded(commands: CommandTable, argv: string[]): string {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) return 'none';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--color') i++; // the program's one option with a value
    else if (!a.startsWith('--color=')) return a !== 'completion' && commands.some(([names]) => names.includes(a)) ? a : 'all';
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

async function main(commands: CommandTable, argv: string[]): Promise<void> {
  const args = rewriteHelpCommand(argv);
  const program = buildProgram(commands, commandsNeeded(commands, args));
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

/**
 * Runs `lsoe` with `argv` over the commands of `commands` (src/cli.ts: every command;
 * src/cli-decode.ts: decode alone, the entry of decode's CommonJS bundle).
 * Not awaited by its callers: decode's CommonJS bundle (scripts/bundle.mjs) cannot hold
 * a top-level await. main() catches everything itself.
 */
export function runCli(commands: CommandTable, argv: string[]): Promise<void> {
  // A closed pipe (`lsoe decode x | head`) is a normal way for output to end.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  return main(commands, argv);
}
