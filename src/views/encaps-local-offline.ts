// `lsoe encaps --local` with no daemon to ask: what a daemon with this configuration
// would announce, from the interface table now. The addresses per interface come from
// the daemon's own code (src/daemon/encaps-local.ts), and so does the choice of interfaces.
import { systemErrorText } from '../cli-context.js';
import { readFile } from 'node:fs/promises';
import { CliError } from '../cli-error.js';
import { buildConfig, ConfigError, type DaemonConfig } from '../daemon/config.js';
import type { AnnouncedEncaps } from '../daemon/core.js';
import { announcedFor, loopbackAddresses, selectsInterface } from '../daemon/encaps-local.js';
import { fitOnePdu } from '../daemon/encaps-fit.js';
import { NameSelector } from '../daemon/glob.js';
import { listInterfaces, type NetInterface } from '../io/interfaces.js';
import { ENCAPSULATION_TYPES } from '../proto/types.js';

async function loadConfig(file: string | undefined): Promise<DaemonConfig> {
  try {
    if (file === undefined) return buildConfig({});
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new CliError(`${file}: cannot read: ${systemErrorText(err)}`, 1);
    }
    return buildConfig({ file: { path: file, text } });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, 2);
    throw err;
  }
}

export function announcedFromTable(table: readonly NetInterface[], config: DaemonConfig): AnnouncedEncaps[] {
  const selector = new NameSelector(config.interfaces);
  const loopbacks = new NameSelector(config.loopbackInterfaces);
  const loopback = loopbackAddresses([...table], loopbacks);
  const mpls = { v4: config.mplsIpv4Encapsulation, v6: config.mplsIpv6Encapsulation };
  const out: AnnouncedEncaps[] = [];
  for (const iface of table) {
    // The daemon announces only on interfaces whose link is up.
    if (!selectsInterface(iface, selector, loopbacks) || !iface.up) continue;
    // what the daemon would send: cut to one PDU per type
    const t = fitOnePdu(announcedFor(iface, loopback, mpls)).table;
    for (const type of ENCAPSULATION_TYPES) out.push({ ifname: iface.name, type, encaps: t[type] });
  }
  return out;
}

export async function announcedOffline(configFile: string | undefined): Promise<AnnouncedEncaps[]> {
  const config = await loadConfig(configFile);
  let table: NetInterface[];
  try {
    table = await listInterfaces();
  } catch (err) {
    throw new CliError(`cannot read the interfaces: ${(err as Error).message}`, 1);
  }
  return announcedFromTable(table, config);
}
