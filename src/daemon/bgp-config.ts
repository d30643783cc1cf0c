// Parsers of the BGP keys (PROTOCOL.md section 8): peers, AS numbers, the remote-AS
// list, the instance id. Each throws ConfigError with what is wrong; config.ts adds
// where (file and line, or flag).
import { isIP } from 'node:net';
import type { PeerAddress } from '../bgp/peer-address.js';
import { ConfigError } from './config-error.js';

/** Thrown by the northbound's `configure` when the configuration cannot run (section 8's router-id rule). */
export class BgpConfigError extends Error {
  override readonly name = 'BgpConfigError';
}

function fail(what: string): never {
  throw new ConfigError(what);
}

export const BGP_PORT = 179;

/** One `ADDR`, `ADDR:PORT` or `[IPv6]:PORT`. */
function parsePeer(text: string): PeerAddress {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const [host, port] = bracket
    ? [bracket[1]!, bracket[2]]
    : isIP(text) === 6
      ? [text, undefined]
      : (text.split(':') as [string, string | undefined]);
  if (isIP(host) === 0) fail(`'${text}' is not ADDR, ADDR:PORT or [IPv6]:PORT`);
  const n = port === undefined ? BGP_PORT : Number(port);
  if (!/^\d*$/.test(port ?? '') || n < 1 || n > 65535) fail(`'${text}': port must be 1..65535`);
  return { host, port: n };
}

/** `bgp-peer`: a comma-separated list (the lsoed INI allows a key once). */
export function parsePeers(text: string): PeerAddress[] {
  const list = text.split(/[\s,]+/).filter((p) => p !== '').map(parsePeer);
  const seen = new Set<string>();
  for (const p of list) {
    const key = `${p.host} ${p.port}`;
    if (seen.has(key)) fail(`peer ${p.host} port ${p.port} given twice`);
    seen.add(key);
  }
  return list;
}

/** An AS number, 1..4294967295 ('' = unset). */
export function parseAsn(text: string): number | null {
  if (text === '') return null;
  if (!/^\d+$/.test(text)) fail(`'${text}' is not an AS number`);
  const v = Number(text);
  if (v < 1 || v > 0xffffffff) fail(`AS ${text} is outside 1..4294967295`);
  return v;
}

/** A dotted quad ('' = derive). */
export function parseRouterId(text: string): string | null {
  if (text === '') return null;
  if (isIP(text) !== 4) fail(`'${text}' is not an IPv4 address`);
  return text;
}

/** 0, or 3..65535 seconds (RFC 4271 section 4.2). */
export function parseHoldTime(text: string): number {
  if (!/^\d+$/.test(text)) fail(`'${text}' is not a whole number of seconds`);
  const v = Number(text);
  if (v === 1 || v === 2 || v > 65535) fail(`${v}: the hold time is 0 or 3..65535 seconds`);
  return v;
}

export function parseInstanceId(text: string): bigint {
  if (!/^\d+$/.test(text)) fail(`'${text}' is not a whole number`);
  const v = BigInt(text);
  if (v >= 1n << 64n) fail(`${text} does not fit in 64 bits`);
  return v;
}

/** `bgp-ls-remote-asn`: one AS for every interface, or `swp1=65011, swp2=65012, *=65000`. */
export interface RemoteAsn {
  byInterface: Record<string, number>;
  /** `*` or the single value; null = our own AS */
  fallback: number | null;
}

export function parseRemoteAsn(text: string): RemoteAsn {
  const out: RemoteAsn = { byInterface: {}, fallback: null };
  if (text === '') return out;
  if (!text.includes('=')) return { byInterface: {}, fallback: parseAsn(text) };
  for (const item of text.split(/\s*,\s*/).filter((x) => x !== '')) {
    const m = /^([A-Za-z0-9_.:@*\-]+)\s*=\s*(\d+)$/.exec(item);
    if (!m) fail(`'${item}' is not IFNAME=AS`);
    const asn = parseAsn(m[2]!)!;
    if (m[1] === '*') out.fallback = asn;
    else out.byInterface[m[1]!] = asn;
  }
  return out;
}

/** Back to the configuration's spelling (`lsoe config`, the control socket); null = not set. */
export function remoteAsnText(r: RemoteAsn): string | null {
  const items = Object.entries(r.byInterface).map(([ifname, asn]) => `${ifname}=${asn}`);
  if (items.length === 0) return r.fallback === null ? null : String(r.fallback);
  if (r.fallback !== null) items.push(`*=${r.fallback}`);
  return items.join(', ');
}

export function remoteAsnFor(r: RemoteAsn, ifname: string, ours: number): number {
  return r.byInterface[ifname] ?? r.fallback ?? ours;
}
