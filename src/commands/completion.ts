// `lsoe completion bash|zsh|fish`: a completion script generated from the
// command tree at run time, so every command and option is in it.
import { Argument, Command } from 'commander';

export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (commands, options, interfaces for -i, PDU types for -t)')
    .addArgument(new Argument('<SHELL>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      `
Load it in the running shell, or save it where the shell looks:
  bash  source <(lsoe completion bash)
        lsoe completion bash > ~/.local/share/bash-completion/completions/lsoe
  zsh   source <(lsoe completion zsh)            (after compinit)
        lsoe completion zsh > "\${fpath[1]}/_lsoe"
  fish  lsoe completion fish | source
        lsoe completion fish > ~/.config/fish/completions/lsoe.fish

Exit status: 0; 2 for usage errors.`,
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { completionScript } = await import('../completion/index.js');
      process.stdout.write(completionScript(shell, program));
    });
}
