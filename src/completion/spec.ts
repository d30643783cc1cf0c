// The command tree a completion script is generated from, read off the
// commander program itself (visible commands and options only), so whatever
// any command declares is completed without anyone touching this code.
import type { Command, Option } from 'commander';
import { PduType } from '../proto/types.js';

/** What an option's value (or a command's operands) can be completed with. */
export type ValueKind =
  | { kind: 'interface' }
  | { kind: 'pdu-type' }
  | { kind: 'file' }
  | { kind: 'choices'; choices: string[] }
  /** a value we cannot guess (a number, a MAC): nothing is offered */
  | { kind: 'any' };

export interface OptionSpec {
  /** '-i', '--interface' */
  flags: string[];
  description: string;
  /** null: a flag without a value */
  value: ValueKind | null;
}

export interface CommandSpec {
  /** names from the root: [] for lsoe itself, ['lab', 'up'] */
  path: string[];
  description: string;
  options: OptionSpec[];
  commands: CommandSpec[];
  /** what the operands are, when the command takes any */
  operands: ValueKind | null;
}

/** The PDU type names `-t/--type` accepts, as people type them. */
export const PDU_TYPE_WORDS: readonly string[] = Object.keys(PduType).map((n) => n.toLowerCase());

const FILE_PLACEHOLDER = /FILE|PATH|DIR/;

function valueOf(opt: Option): ValueKind | null {
  if (!opt.required && !opt.optional) return null;
  if (opt.long === '--interface') return { kind: 'interface' };
  if (opt.long === '--type') return { kind: 'pdu-type' };
  if (opt.argChoices && opt.argChoices.length > 0) return { kind: 'choices', choices: [...opt.argChoices] };
  if (FILE_PLACEHOLDER.test(opt.flags)) return { kind: 'file' };
  return { kind: 'any' };
}

function operandsOf(cmd: Command): ValueKind | null {
  const args = cmd.registeredArguments;
  if (args.length === 0) return null;
  const first = args[0]!;
  if (first.argChoices && first.argChoices.length > 0) return { kind: 'choices', choices: [...first.argChoices] };
  if (FILE_PLACEHOLDER.test(first.name())) return { kind: 'file' };
  return { kind: 'any' };
}

export function commandSpec(cmd: Command, path: string[] = []): CommandSpec {
  const help = cmd.createHelp();
  return {
    path,
    description: cmd.description(),
    options: help.visibleOptions(cmd).map((o) => ({
      flags: [o.short, o.long].filter((f): f is string => typeof f === 'string'),
      description: o.description,
      value: valueOf(o),
    })),
    // the implicit `help [command]` is left out: `--help` is everywhere
    commands: help
      .visibleCommands(cmd)
      .filter((c) => c.name() !== 'help')
      .map((c) => commandSpec(c, [...path, c.name()])),
    operands: operandsOf(cmd),
  };
}

/** Every command of the tree, the root first. */
export function allCommands(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.commands.flatMap(allCommands)];
}
