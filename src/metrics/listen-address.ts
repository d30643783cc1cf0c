// `metrics-listen` / `--metrics`: where the metrics (and looking-glass) listener binds.
// Loopback unless an address is given: `9717` and `:9717` mean 127.0.0.1:9717, so an
// operator never exposes the daemon's state by leaving out the address.
import { isIPv4, isIPv6 } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
}

export class ListenAddressError extends Error {
  override readonly name = 'ListenAddressError';
}

/** Parses `PORT`, `:PORT`, `ADDR:PORT`, `[V6ADDR]:PORT` or `localhost:PORT`; throws ListenAddressError. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:(\[[^\]]*\]|[^:[\]]*):)?(\d{1,5})$/.exec(text.trim());
  const bad = () => new ListenAddressError(`'${text}' is not PORT or ADDR:PORT (e.g. 9717, 127.0.0.1:9717, [::1]:9717)`);
  if (!m) throw bad();
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new ListenAddressError(`'${text}': port ${port} is outside 1..65535`);
  let host = m[1] ?? '';
  if (host === '' || host === 'localhost') host = '127.0.0.1';
  else if (host.startsWith('[')) {
    host = host.slice(1, -1);
    if (!isIPv6(host)) throw bad();
  } else if (!isIPv4(host)) throw bad();
  return { host, port };
}

/** `127.0.0.1:9717`, `[::1]:9717`: the form the configuration shows and URLs use. */
export function formatListenAddress(a: ListenAddress): string {
  return `${isIPv6(a.host) ? `[${a.host}]` : a.host}:${a.port}`;
}
