// The daemon's configuration: the lsoed-compatible INI of PROTOCOL.md section 6
// (section [lsoed]) plus the keys lsoe adds. Every key is also a command-line flag of
// the same name; a flag wins over the file. Errors name the file, the line and the key
// (or the flag), in one line.
import { EthertypeError, readEthertype } from '../ethertype.js';
import { parseLocalId } from '../proto/local-id.js';
import { peerText, type PeerAddress } from '../bgp/peer-address.js';
import { parseAsn, parseHoldTime, parseInstanceId, parsePeers, parseRemoteAsn, parseRouterId, remoteAsnText, type RemoteAsn } from './bgp-config.js';
import { ConfigError } from './config-error.js';
import { CONFIG_KEYS, type KeyInfo } from './config-keys.js';
import { globToRegExp } from './glob.js';
import { parseMplsList } from './mpls-config.js';
import { formatListenAddress, ListenAddressError, parseListenAddress } from '../metrics/listen-address.js';
import type { Encapsulation } from '../proto/types.js';

export { ConfigError };

export interface DaemonConfig {
  retransmitInitialInterval: number;
  retransmitExponentialBackoff: boolean;
  retransmitMaxDrop: number;
  keepaliveSendInterval: number;
  keepaliveReceiveTimeout: number;
  helloInterval: number;
  reassemblyTimeout: number;
  macAddressCacheTimeout: number;
  /** aa:bb:cc:dd:ee:ff */
  helloMulticastMacaddr: string;
  /** 20 lowercase hex digits; null = derive (local-id.ts) */
  localId: string | null;
  reportRfc7752Url: string | null;
  ethertype: number;
  /** glob patterns, `!` to exclude; empty = every up, non-loopback Ethernet interface */
  interfaces: string[];
  /** interfaces whose addresses are announced with the Loopback flag (globs) */
  loopbackInterfaces: string[];
  maxSessions: number;
  maxSessionsPerInterface: number;
  maxNewSessionsPerSecond: number;
  reassemblyMaxBytesPerSender: number;
  reassemblyMaxBytesPerInterface: number;
  reassemblyMaxBytesTotal: number;
  maxEncapsulationsPerType: number;
  maxEncapsulationBytesPerInterface: number;
  restartLimit: number;
  restartWindow: number;
  restartHoldDown: number;
  maxControlConnections: number;
  mplsIpv4Encapsulation: Encapsulation[];
  mplsIpv6Encapsulation: Encapsulation[];
  /** `127.0.0.1:9717`; null = no metrics listener */
  metricsListen: string | null;
  lookingGlass: boolean;
  /** BGP-LS northbound (PROTOCOL.md section 8); no peers = off */
  bgpPeer: PeerAddress[];
  bgpAsn: number | null;
  /** null = our lowest loopback IPv4 (the only value accepted) */
  bgpRouterId: string | null;
  /** null = bgp-asn (iBGP) */
  bgpPeerAsn: number | null;
  bgpHoldTime: number;
  bgpLsInstanceId: bigint;
  bgpLsRemoteAsn: RemoteAsn;
  bgpLsIgpRouterId: boolean;
  /** null = the host name */
  bgpLsNodeName: string | null;
}

type Parser<T> = (text: string) => T;

/** Every key: its INI/flag name, the field it sets, its default as text, and its parser. */
interface KeySpec extends KeyInfo {
  field: keyof DaemonConfig;
  parse: Parser<unknown>;
}

function fail(what: string): never {
  throw new ConfigError(what);
}

const seconds: Parser<number> = (t) => {
  const v = Number(t);
  if (t === '' || !Number.isFinite(v) || v < 0 || v > 1e6) fail(`'${t}' is not a number of seconds`);
  return v;
};
const positiveSeconds: Parser<number> = (t) => {
  const v = seconds(t);
  if (v <= 0) fail(`'${t}' must be more than 0 seconds`);
  return v;
};
const count =
  (min: number, max: number): Parser<number> =>
  (t) => {
    if (!/^\d+$/.test(t)) fail(`'${t}' is not a whole number`);
    const v = parseInt(t, 10);
    if (v < min || v > max) fail(`${v} is outside ${min}..${max}`);
    return v;
  };
// configparser's getboolean() words, so an lsoed file reads the same here.
const bool: Parser<boolean> = (t) => {
  const l = t.toLowerCase();
  if (['1', 'yes', 'true', 'on'].includes(l)) return true;
  if (['0', 'no', 'false', 'off'].includes(l)) return false;
  return fail(`'${t}' is not yes/no`);
};
const mac: Parser<string> = (t) => {
  if (!/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(t)) fail(`'${t}' is not a MAC address`);
  return t.toLowerCase().replace(/-/g, ':');
};
const localId: Parser<string | null> = (t) => {
  if (t === '') return null;
  // every usual spelling: plain hex, 0x…, octets separated by colons, dashes, dots or spaces
  const hex = parseLocalId(t);
  if (hex === null) fail(`'${t}' is not 10 octets of hex`);
  return hex;
};
const url: Parser<string | null> = (t) => {
  if (t === '') return null;
  if (/^unix:\/.+/.test(t)) return t;
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    return fail(`'${t}' is not a URL (http://…, https://… or unix:/path/to.sock)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') fail(`'${t}': only http, https and unix: URLs`);
  return t;
};
// The one EtherType rule of every lsoe command (src/ethertype.ts): sniff, hello and
// decode use the same function, so a value that works there works here.
const ethertype: Parser<number> = (t) => {
  try {
    return readEthertype(t);
  } catch (err) {
    if (err instanceof EthertypeError) fail(err.message);
    throw err;
  }
};
const listenAddress: Parser<string | null> = (t) => {
  if (t === '') return null;
  try {
    return formatListenAddress(parseListenAddress(t));
  } catch (err) {
    if (err instanceof ListenAddressError) fail(err.message);
    throw err;
  }
};
const patterns: Parser<string[]> = (t) => {
  const list = t.split(/[\s,]+/).filter((p) => p !== '');
  for (const p of list) {
    if (!/^!?[A-Za-z0-9_.:@*?[\]\-]+$/.test(p)) fail(`'${p}' is not an interface name pattern`);
    // compiled now, so a bad pattern is refused at start or at reload, never while applying
    try {
      globToRegExp(p.startsWith('!') ? p.slice(1) : p);
    } catch (err) {
      fail((err as Error).message);
    }
  }
  return list;
};

/** The most entries one encapsulation PDU can carry: IPv4 entries (6 octets) in 65,535 octets. */
export const MAX_ENTRIES_PER_PDU = Math.floor((0xffff - 5) / 6);

const PARSERS: Readonly<Record<string, { field: keyof DaemonConfig; parse: Parser<unknown> }>> = {
  'retransmit-initial-interval': { field: 'retransmitInitialInterval', parse: positiveSeconds },
  'retransmit-exponential-backoff': { field: 'retransmitExponentialBackoff', parse: bool },
  'retransmit-max-drop': { field: 'retransmitMaxDrop', parse: count(1, 100) },
  'keepalive-send-interval': { field: 'keepaliveSendInterval', parse: positiveSeconds },
  'keepalive-receive-timeout': { field: 'keepaliveReceiveTimeout', parse: seconds },
  'hello-interval': { field: 'helloInterval', parse: positiveSeconds },
  'reassembly-timeout': { field: 'reassemblyTimeout', parse: positiveSeconds },
  'mac-address-cache-timeout': { field: 'macAddressCacheTimeout', parse: seconds },
  'hello-multicast-macaddr': { field: 'helloMulticastMacaddr', parse: mac },
  'local-id': { field: 'localId', parse: localId },
  'report-rfc7752-url': { field: 'reportRfc7752Url', parse: url },
  'ethertype': { field: 'ethertype', parse: ethertype },
  'interface': { field: 'interfaces', parse: patterns },
  'loopback-interfaces': { field: 'loopbackInterfaces', parse: patterns },
  'max-sessions': { field: 'maxSessions', parse: count(1, 1_000_000) },
  'max-sessions-per-interface': { field: 'maxSessionsPerInterface', parse: count(1, 1_000_000) },
  'max-new-sessions-per-second': { field: 'maxNewSessionsPerSecond', parse: count(1, 1_000_000) },
  'reassembly-max-bytes-per-sender': { field: 'reassemblyMaxBytesPerSender', parse: count(1500, 1 << 20) },
  'reassembly-max-bytes-per-interface': { field: 'reassemblyMaxBytesPerInterface', parse: count(1500, 1 << 30) },
  'reassembly-max-bytes-total': { field: 'reassemblyMaxBytesTotal', parse: count(1500, 1 << 30) },
  'max-encapsulations-per-type': { field: 'maxEncapsulationsPerType', parse: count(1, MAX_ENTRIES_PER_PDU) },
  'max-encapsulation-bytes-per-interface': { field: 'maxEncapsulationBytesPerInterface', parse: count(65535, 1 << 30) },
  'restart-limit': { field: 'restartLimit', parse: count(1, 1_000_000) },
  'restart-window': { field: 'restartWindow', parse: positiveSeconds },
  'restart-hold-down': { field: 'restartHoldDown', parse: seconds },
  'max-control-connections': { field: 'maxControlConnections', parse: count(1, 100_000) },
  'mpls-ipv4-encapsulation': { field: 'mplsIpv4Encapsulation', parse: (t) => parseMplsList(t, 4) },
  'mpls-ipv6-encapsulation': { field: 'mplsIpv6Encapsulation', parse: (t) => parseMplsList(t, 6) },
  'metrics-listen': { field: 'metricsListen', parse: listenAddress },
  'looking-glass': { field: 'lookingGlass', parse: bool },
  'bgp-peer': { field: 'bgpPeer', parse: parsePeers },
  'bgp-asn': { field: 'bgpAsn', parse: parseAsn },
  'bgp-router-id': { field: 'bgpRouterId', parse: parseRouterId },
  'bgp-peer-asn': { field: 'bgpPeerAsn', parse: parseAsn },
  'bgp-hold-time': { field: 'bgpHoldTime', parse: parseHoldTime },
  'bgp-ls-instance-id': { field: 'bgpLsInstanceId', parse: parseInstanceId },
  'bgp-ls-remote-asn': { field: 'bgpLsRemoteAsn', parse: parseRemoteAsn },
  'bgp-ls-igp-router-id': { field: 'bgpLsIgpRouterId', parse: bool },
  'bgp-ls-node-name': { field: 'bgpLsNodeName', parse: (t) => (t === '' ? null : t) },
};

export const KEYS: readonly KeySpec[] = CONFIG_KEYS.map((k) => {
  const p = PARSERS[k.key];
  if (p === undefined) throw new Error(`config key ${k.key} has no parser`);
  return { ...k, ...p };
});

const BY_KEY = new Map(KEYS.map((k) => [k.key, k]));

export const SECTION = 'lsoed';

export interface ConfigSource {
  /** the configuration file, if any */
  file?: { path: string; text: string };
  /** flags given on the command line, by key name (e.g. 'hello-interval') */
  flags?: Record<string, string>;
}

/** Builds the configuration: defaults, then the file, then the flags. Throws ConfigError. */
export function buildConfig(source: ConfigSource = {}): DaemonConfig {
  const values = new Map<string, unknown>();
  for (const k of KEYS) values.set(k.key, k.parse(k.def));
  if (source.file) {
    for (const entry of readIni(source.file.path, source.file.text)) {
      const spec = BY_KEY.get(entry.key);
      const where = `${source.file.path}:${entry.line}`;
      if (spec === undefined) throw new ConfigError(`${where}: unknown key '${entry.key}'`);
      values.set(spec.key, parseWith(spec, entry.value, `${where}: ${spec.key}`));
    }
  }
  for (const [key, value] of Object.entries(source.flags ?? {})) {
    const spec = BY_KEY.get(key);
    if (spec === undefined) throw new ConfigError(`--${key}: unknown option`);
    values.set(key, parseWith(spec, value, `--${key}`));
  }
  const config = {} as Record<string, unknown>;
  for (const k of KEYS) config[k.field] = values.get(k.key);
  if ((config.bgpPeer as PeerAddress[]).length > 0 && config.bgpAsn === null) throw new ConfigError('bgp-peer is set but bgp-asn is not');
  return config as unknown as DaemonConfig;
}

function parseWith(spec: KeySpec, text: string, where: string): unknown {
  try {
    return spec.parse(text.trim());
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${where}: ${err.message}`);
    throw err;
  }
}

interface IniEntry {
  key: string;
  value: string;
  line: number;
}

/**
 * Reads the INI text the way Python's configparser does for lsoed's files: `#`/`;`
 * comment lines, `key = value` or `key: value`, indented lines continue a value.
 * Only [lsoed] is ours; any other section is refused so a typo does not go unnoticed.
 */
export function readIni(path: string, text: string): IniEntry[] {
  const out: IniEntry[] = [];
  let section: string | null = null;
  let current: IniEntry | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const n = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) {
      current = null;
      continue;
    }
    if (/^\s/.test(raw) && current !== null) {
      current.value += ' ' + trimmed;
      continue;
    }
    const sec = /^\[([^\]]*)\]$/.exec(trimmed);
    if (sec) {
      section = sec[1]!.trim();
      if (section !== SECTION) throw new ConfigError(`${path}:${n}: unknown section [${section}] (only [${SECTION}])`);
      current = null;
      continue;
    }
    const kv = /^([^=:\s][^=:]*?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (!kv) throw new ConfigError(`${path}:${n}: expected 'key = value', got '${trimmed}'`);
    if (section === null) throw new ConfigError(`${path}:${n}: key '${kv[1]}' before the [${SECTION}] section`);
    const key = kv[1]!.toLowerCase();
    if (out.some((e) => e.key === key)) throw new ConfigError(`${path}:${n}: key '${key}' given twice`);
    current = { key, value: kv[2]!, line: n };
    out.push(current);
  }
  return out;
}

/** The configuration as the control socket shows it: INI key names, plain JSON values. */
export function configToRecord(c: DaemonConfig, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KEYS) {
    const v = c[k.field];
    out[k.key] =
      k.key === 'ethertype'
        ? `0x${(v as number).toString(16).padStart(4, '0')}`
        : typeof v === 'bigint'
          ? v.toString()
          : k.key === 'bgp-peer'
            ? (v as PeerAddress[]).map(peerText)
            : k.key === 'bgp-ls-remote-asn'
              ? remoteAsnText(v as RemoteAsn)
              : v;
  }
  return { ...out, ...extra };
}

/** The session machine's timing parameters, taken from the configuration. */
export function timingOf(c: DaemonConfig) {
  return {
    retransmitInitialInterval: c.retransmitInitialInterval,
    retransmitExponentialBackoff: c.retransmitExponentialBackoff,
    retransmitMaxDrop: c.retransmitMaxDrop,
    keepaliveSendInterval: c.keepaliveSendInterval,
    keepaliveReceiveTimeout: c.keepaliveReceiveTimeout,
  };
}
