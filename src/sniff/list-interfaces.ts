// `lsoe sniff -D`: the interfaces sniff can listen on (Ethernet ones), with their
// state and whether `-i any` (and no -i) takes them, as tcpdump -D lists its own.
import { CliError } from '../cli-error.js';
import { listInterfaces } from '../io/interfaces.js';
import { defaultInterfaces } from '../io/open-links.js';
import { createOutput } from '../render/output.js';

export async function listSniffInterfaces(json: boolean): Promise<number> {
  const all = await listInterfaces().catch((err: Error) => {
    throw new CliError(`sniff: ${err.message}`, 1);
  });
  const taken = new Set(defaultInterfaces(all).map((i) => i.name));
  const usable = all.filter((i) => i.mac !== null && !i.loopback);
  const out = createOutput({ json });
  if (json) {
    for (const i of usable) {
      out.record({ ifname: i.name, index: i.index, mac: i.mac, adminUp: i.adminUp, lowerUp: i.lowerUp, mtu: i.mtu, any: taken.has(i.name) });
    }
  } else if (usable.length === 0) {
    out.note('lsoe: sniff: no Ethernet interface (loopback and links without a MAC cannot carry LSOE)');
  } else {
    const state = (i: (typeof usable)[number]): string => (!i.adminUp ? 'down' : !i.lowerUp ? 'up, no carrier' : 'up');
    out.table(
      ['#', 'Interface', 'MAC', 'State', 'MTU', '-i any'],
      usable.map((i) => [String(i.index), i.name, i.mac!, state(i), String(i.mtu), taken.has(i.name) ? 'yes' : 'no']),
    );
  }
  await out.end();
  return 0;
}
