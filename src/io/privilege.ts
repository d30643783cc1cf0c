// Can this process capture and send raw frames? Checked up front so that a
// command says so in one line instead of relaying libpcap's error text.
import { readFileSync } from 'node:fs';

const CAP_NET_RAW = 13;

/** True when root or when CAP_NET_RAW is in the effective capability set. */
export function canCaptureRaw(): boolean {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return true;
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
    return m !== null && (BigInt('0x' + m[1]) & (1n << BigInt(CAP_NET_RAW))) !== 0n;
  } catch {
    // No /proc: let libpcap decide.
    return true;
  }
}

// Never suggest setcap on the node binary: every Node script on the machine would get it.
export const PRIVILEGE_HINT =
  'raw Ethernet needs root or CAP_NET_RAW (try sudo; for a service, AmbientCapabilities=CAP_NET_RAW in its systemd unit, as contrib/lsoe.service does)';
