// The completion script for one shell, from the program's command tree.
import type { Command } from 'commander';
import { fishScript } from './fish.js';
import { bashScript, zshScript } from './posix.js';
import { commandSpec } from './spec.js';

export function completionScript(shell: 'bash' | 'zsh' | 'fish', program: Command): string {
  const spec = commandSpec(program);
  return shell === 'bash' ? bashScript(spec) : shell === 'zsh' ? zshScript(spec) : fishScript(spec);
}
