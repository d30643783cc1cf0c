// How every command's --help reads: commander wraps to the terminal's width (80 in a
// pipe); we only change what it adds after an option's text. Defaults are shown once
// and plainly ("(default 0x88b5)"), never for switches ("(default: false)") or
// repeatable options ("(default: [])"), nor when the text already names its default.
import { Help, type Option } from 'commander';

function shownDefault(option: Option): string | null {
  const v: unknown = option.defaultValue;
  if (v === undefined || typeof v === 'boolean') return null;
  if (Array.isArray(v) && v.length === 0) return null;
  if (/\bdefault\b/i.test(option.description ?? '')) return null;
  return option.defaultValueDescription ?? (Array.isArray(v) ? v.join(', ') : String(v));
}

export function optionDescription(option: Option): string {
  const extra: string[] = [];
  const text0 = option.description ?? '';
  // choices the text already names are not listed again
  if (option.argChoices && !option.argChoices.every((c) => text0.includes(c))) extra.push(option.argChoices.join('|'));
  const def = shownDefault(option);
  if (def !== null) extra.push(`default ${def}`);
  const text = option.description ?? '';
  if (extra.length === 0) return text;
  return `${text} (${extra.join('; ')})`.trim();
}

export const HELP_CONFIG: Partial<Help> = {
  sortSubcommands: false,
  // --color is the program's, but people look for it under the command they run.
  showGlobalOptions: true,
  // commander stops wrapping below 40 columns of text; the daemon's long flags leave fewer
  minWidthToWrap: 20,
  optionDescription,
};

/** `lsoe help lab up` → `lsoe lab up --help`; commander alone shows only `lab`. */
export function rewriteHelpCommand(argv: string[]): string[] {
  const [node, script, first, ...rest] = argv;
  if (first !== 'help' || rest.length < 2 || node === undefined || script === undefined) return argv;
  return [node, script, ...rest, '--help'];
}
