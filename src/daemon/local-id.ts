// Our 10-octet Local ID when none is configured. It must stay the same across restarts
// (a peer tells a restart by the OPEN nonce, not by a new identity), and two daemons in
// different network namespaces of one machine (the lab) must differ. So it hashes the
// machine identity (/etc/machine-id, else the DMI product UUID, else the host name)
// together with the identity of our network namespace: the inode of /proc/self/ns/net.
// The initial namespace has a fixed inode, so a daemon in it keeps its ID across
// reboots; a lab namespace keeps its ID as long as the namespace lives.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';

export interface IdentitySources {
  machineId: string;
  netnsId: string;
}

function firstReadable(paths: string[]): string | null {
  for (const p of paths) {
    try {
      const text = readFileSync(p, 'utf8').trim();
      if (text !== '') return text;
    } catch {
      // try the next one
    }
  }
  return null;
}

export function readIdentitySources(): IdentitySources {
  const machineId =
    firstReadable(['/etc/machine-id', '/var/lib/dbus/machine-id', '/sys/class/dmi/id/product_uuid']) ??
    `host:${hostname()}`;
  let netnsId = 'unknown';
  try {
    const st = statSync('/proc/self/ns/net');
    netnsId = `${st.dev}:${st.ino}`;
  } catch {
    // no /proc: the machine identity alone
  }
  return { machineId, netnsId };
}

/** 20 lowercase hex digits. */
export function deriveLocalId(sources: IdentitySources): string {
  return createHash('sha256')
    .update(`lsoe-local-id\0${sources.machineId}\0${sources.netnsId}`)
    .digest('hex')
    .slice(0, 20);
}
