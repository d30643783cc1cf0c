// Options that contradict each other are refused, naming both, instead of the last one
// silently winning (`--socket X --no-socket`).
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';

/** Pairs of option names as commander calls them ('socket', 'no-socket', 'json'). */
export function refuseTogether(cmd: Command, pairs: ReadonlyArray<readonly [string, string]>): void {
  const seen = new Set<string>();
  // one listener per option, however many pairs name it (more than ten on one event is Node's leak warning)
  for (const name of new Set(pairs.flat())) cmd.on(`option:${name}`, () => seen.add(name));
  cmd.hook('preAction', () => {
    for (const [a, b] of pairs) {
      if (seen.has(a) && seen.has(b)) throw new CliError(`${flag(cmd, a)} and ${flag(cmd, b)} contradict each other: give one`, 2);
    }
  });
}

function flag(cmd: Command, name: string): string {
  const o = cmd.options.find((x) => x.name() === name);
  return o?.long ?? `--${name}`;
}
