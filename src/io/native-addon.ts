// The one loader of lsoe's Node-API addon (native/packet_socket.c, built by
// scripts/build-native into native/build/): packet sockets for the links,
// and the pipe size of decode's output. Loaded on first use; null when it is
// not built (callers then do without: libpcap for links, the pipe as it is).
import { createRequire } from 'node:module';
import path from 'node:path';
import { packageRoot } from '../package-root.js';

/** The addon's path in this installation (native/build beside dist/). */
function addonPath(): string {
  return path.join(packageRoot(import.meta.url), 'native/build/packet_socket.node');
}

let addon: unknown;

/** The addon's exports (typed by each user for what it calls), or null. */
export function nativeAddon<T>(): T | null {
  if (addon !== undefined) return addon as T | null;
  try {
    addon = createRequire(import.meta.url)(addonPath());
  } catch {
    addon = null;
  }
  return addon as T | null;
}
