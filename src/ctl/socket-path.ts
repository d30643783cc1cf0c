import { DEFAULT_SOCKET_PATH } from './protocol.js';

/** `--socket PATH` wins, then `LSOE_SOCKET`, then /run/lsoe/lsoe.sock. Same rule for daemon and clients. */
export function resolveSocketPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env.LSOE_SOCKET;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return DEFAULT_SOCKET_PATH;
}
