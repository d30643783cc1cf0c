// MPLS encapsulations come from configuration (PROTOCOL.md section 5) until the
// kernel's MPLS state is read. Syntax of the value, entries separated by commas:
//
//   ADDRESS/PREFIXLEN label L1 [L2 …] [primary] [loopback]
//
// A label is its 20-bit value in decimal (encoded as an RFC 3032 entry with traffic
// class 0 and the bottom-of-stack bit on the last one) or `0x` and the 3 octets raw.
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../proto/pdu/address.js';
import type { Encapsulation } from '../proto/types.js';
import { ConfigError } from './config.js';

function labelOctets(text: string, bottom: boolean): string {
  if (/^0x[0-9a-fA-F]{6}$/.test(text)) return text.slice(2).toLowerCase();
  if (!/^\d+$/.test(text)) throw new ConfigError(`'${text}' is not an MPLS label (0..1048575 or 0x and 6 hex digits)`);
  const v = parseInt(text, 10);
  if (v > 0xfffff) throw new ConfigError(`label ${v} is over 1048575`);
  const entry = (v << 4) | (bottom ? 1 : 0);
  return entry.toString(16).padStart(6, '0');
}

/** Normalises an address of the given family; null if it is not one. */
export function normaliseAddress(text: string, family: 4 | 6): string | null {
  const buf = new Uint8Array(16);
  if (family === 4) return parseIPv4(text, buf, 0) ? formatIPv4(buf, 0) : null;
  return parseIPv6(text, buf, 0) ? formatIPv6(buf, 0) : null;
}

export function parseMplsList(text: string, family: 4 | 6): Encapsulation[] {
  const out: Encapsulation[] = [];
  for (const entry of text.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const words = entry.split(/\s+/);
    const m = /^([^/]+)\/(\d{1,3})$/.exec(words[0]!);
    if (!m) throw new ConfigError(`'${words[0]}' is not ADDRESS/PREFIXLEN`);
    const address = normaliseAddress(m[1]!, family);
    if (address === null) throw new ConfigError(`'${m[1]}' is not an IPv${family} address`);
    const prefixLength = parseInt(m[2]!, 10);
    if (prefixLength > (family === 4 ? 32 : 128)) throw new ConfigError(`prefix length ${prefixLength} is too long`);
    if (words[1] !== 'label') throw new ConfigError(`'${entry}': expected 'label' after the prefix`);
    let i = 2;
    const labelWords: string[] = [];
    while (i < words.length && words[i] !== 'primary' && words[i] !== 'loopback') labelWords.push(words[i++]!);
    if (labelWords.length === 0) throw new ConfigError(`'${entry}': no label`);
    if (labelWords.length > 255) throw new ConfigError(`'${entry}': more than 255 labels`);
    const flags = new Set(words.slice(i));
    for (const f of flags) if (f !== 'primary' && f !== 'loopback') throw new ConfigError(`'${f}' is not primary or loopback`);
    out.push({
      address,
      prefixLength,
      primary: flags.has('primary'),
      loopback: flags.has('loopback'),
      labels: labelWords.map((l, j) => labelOctets(l, j === labelWords.length - 1)),
    });
  }
  return out;
}
