// What the daemon says at start (and after a reload) when its configuration is
// probably not what the operator meant: it still runs as told.
import type { NetInterface } from '../io/interfaces.js';
import { foreignEthertypeWarning } from '../ethertype.js';
import type { DaemonConfig } from './config.js';
import { NameSelector } from './glob.js';
import type { Logger } from './log.js';

/** Patterns of `interface` that select no interface of `table`. */
export function unmatchedPatterns(config: DaemonConfig, table: readonly NetInterface[]): string[] {
  return new NameSelector(config.interfaces).unmatched(table.map((i) => i.name));
}

export function warnAboutConfig(config: DaemonConfig, table: readonly NetInterface[], log: Logger): void {
  const foreign = foreignEthertypeWarning(config.ethertype);
  if (foreign !== null) log.log('warning', 'config', foreign);
  for (const p of unmatchedPatterns(config, table)) {
    const names = table.map((i) => i.name).join(', ');
    log.log('warning', 'iface', `interface '${p}' matches no interface (there are: ${names}); it is used if one appears`, {
      pattern: p,
    });
  }
}
