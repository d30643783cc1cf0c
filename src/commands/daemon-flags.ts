// The flags every command that asks the daemon shares, declared once.
import type { Command } from 'commander';

export interface DaemonFlags {
  socket?: string;
  timeout?: string;
}

export function addDaemonFlags(cmd: Command): Command {
  return cmd
    .option('--socket <PATH>', 'control socket (default $LSOE_SOCKET or /run/lsoe/lsoe.sock)')
    .option('--timeout <S>', 'seconds to wait for each answer from the daemon (default 10)');
}

/** The socket path and per-request limit the flags name (usage errors for bad values). */
export async function daemonTarget(flags: DaemonFlags): Promise<{ socket: string; timeoutMs?: number }> {
  const [{ resolveSocketPath }, { parseTimeoutOption }] = await Promise.all([
    import('../ctl/socket-path.js'),
    import('../views/daemon-client.js'),
  ]);
  const ms = parseTimeoutOption(flags.timeout);
  return { socket: resolveSocketPath(flags.socket), ...(ms === undefined ? {} : { timeoutMs: ms }) };
}
