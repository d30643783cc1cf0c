// SIGHUP: read the configuration again and apply it. A bad file is refused; a failure
// while applying a good one (a bug) is logged too. Either way one log line, the
// running daemon stays up, and the returned promise never rejects.
import type { Logger } from './log.js';

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** Loads, then applies; true when the new configuration is in force. */
export async function reloadConfiguration<C>(load: () => Promise<C>, apply: (config: C) => void, log: Logger): Promise<boolean> {
  let next: C;
  try {
    next = await load();
  } catch (err) {
    log.log('error', 'config', `reload refused, keeping the running configuration: ${firstLine(err)}`);
    return false;
  }
  try {
    apply(next);
  } catch (err) {
    log.log('error', 'config', `reload failed while applying the new configuration: ${firstLine(err)}`);
    return false;
  }
  return true;
}
