// Is an lsoe daemon already running on this interface? Then its neighbours are in
// session with this MAC and answer our HELLO with nothing: hello says so up front.
import { connectControl } from '../ctl/client.js';
import { resolveSocketPath } from '../ctl/socket-path.js';
import type { InterfaceNeighbors } from '../daemon/core.js';

/** The neighbours the local daemon has on `ifname`, or null when no daemon runs there (or none answers quickly). */
export async function localDaemonOn(ifname: string, socket = resolveSocketPath(undefined)): Promise<InterfaceNeighbors | null> {
  let client;
  try {
    client = await connectControl(socket, { timeoutMs: 500 });
  } catch {
    return null;
  }
  try {
    const list = await client.request<InterfaceNeighbors[]>('neighbors');
    return list.find((i) => i.ifname === ifname && i.running) ?? null;
  } catch {
    return null;
  } finally {
    client.close();
  }
}
