// How a PDU reads for people: one line with the fields that matter, or every
// field and the frame headers with -v, and a hex dump with -x.
import type { ChalkInstance } from 'chalk';
import type { RecordBase, StreamRecord } from '../proto/stream.js';
import type { TimeStamper } from './time-stamp.js';
import { formatLocalId } from '../proto/local-id.js';
import { printable } from './printable.js';
import { ErrorCode, ErrorType, PduTypeNames, type Encapsulation, type Pdu } from '../proto/types.js';

const ERROR_TYPE_NAMES: Record<number, string> = invert(ErrorType);
const ERROR_CODE_NAMES: Record<number, string> = invert(ErrorCode);

function invert(obj: Record<string, number>): Record<number, string> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [v, k]));
}

/** tcpdump-style wall time of a capture timestamp (local time, microseconds). */
export function formatTime(epochSeconds: number): string {
  const date = new Date(Math.floor(epochSeconds * 1000));
  const micros = Math.round((epochSeconds - Math.floor(epochSeconds)) * 1e6) % 1e6;
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(micros, 6)}`;
}

/** 10-octet Local ID as colon-separated octets (the one spelling: proto/local-id.ts). */
export const formatId = formatLocalId;

/** The 20-bit label value of an RFC 3032 label stack entry's first 3 octets. */
export function labelValue(hex: string): number {
  return parseInt(hex, 16) >>> 4;
}

export function formatEncap(e: Encapsulation): string {
  const flags = (e.primary ? 'P' : '') + (e.loopback ? 'L' : '');
  const labels = e.labels ? ` labels ${e.labels.map((l) => `${labelValue(l)}(${l})`).join(',')}` : '';
  return `${e.address}/${e.prefixLength}${flags ? ' ' + flags : ''}${labels}`;
}

function typeColor(style: ChalkInstance, type: Pdu['type']): ChalkInstance {
  switch (type) {
    case 'HELLO':
      return style.cyan;
    case 'OPEN':
      return style.green;
    case 'KEEPALIVE':
      return style.gray;
    case 'ACK':
      return style.blue;
    case 'VENDOR':
      return style.magenta;
    case 'UNKNOWN':
      return style.yellow;
    default:
      return style.yellowBright;
  }
}

function ackText(p: Extract<Pdu, { type: 'ACK' }>): string {
  const acked = PduTypeNames[p.ackType] ?? `type ${p.ackType}`;
  if (p.errorType === 0) return `of ${acked}`;
  const etype = ERROR_TYPE_NAMES[p.errorType] ?? `error-type ${p.errorType}`;
  const code = ERROR_CODE_NAMES[p.errorCode] ?? `code ${p.errorCode}`;
  return `of ${acked} ${etype} ${code} hint ${p.errorHint}`;
}

/** The fields that matter, on one line. */
export function pduSummary(p: Pdu): string {
  switch (p.type) {
    case 'HELLO':
    case 'KEEPALIVE':
      return '';
    case 'OPEN':
      return `nonce ${p.nonce} id ${formatId(p.localId)}${p.attributes ? ` attrs ${p.attributes}` : ''}`;
    case 'ACK':
      return ackText(p);
    case 'VENDOR':
      return `enterprise ${p.enterpriseNumber} type ${p.enterpriseType} data ${p.data.length / 2} octets`;
    case 'UNKNOWN':
      return `type ${p.typeCode}, ${p.raw.length / 2} octets`;
    default:
      return encapsSummary(p.encaps);
  }
}

/** At most a few entries on the summary line; -v lists them all. */
const SUMMARY_ENCAPS = 4;

function encapsSummary(encaps: Encapsulation[]): string {
  if (encaps.length === 0) return '(none)';
  const shown = encaps.slice(0, SUMMARY_ENCAPS).map(formatEncap).join(', ');
  const more = encaps.length - SUMMARY_ENCAPS;
  return more > 0 ? `${shown} (+${more} more)` : shown;
}

export interface TextOptions {
  verbose: boolean;
  hex: boolean;
  /** the input had no timestamps (hex frames): leave the time out */
  timeless?: boolean;
  /** how the time reads (--time); none given: the time of day */
  stamper?: TimeStamper;
  /** -e: the link-level details (EtherType, VLAN IDs) after the addresses */
  link?: boolean;
}

/** Lines for one record: the summary line, then -v and -x detail. */
export function recordLines(rec: StreamRecord, style: ChalkInstance, opts: TextOptions): string[] {
  const where = `${rec.ifname ? printable(rec.ifname) + ' ' : ''}${rec.src} ${toWhom(rec)}${opts.link ? linkText(rec) : ''}`;
  const stamp = opts.timeless ? null : opts.stamper ? opts.stamper.stamp(rec.time) : formatTime(rec.time);
  const head = stamp === null ? where : `${stamp} ${where}`;
  if (rec.kind === 'error') {
    return [`${head} ${style.red.bold('BAD')} ${rec.error.reason}: ${rec.error.message}`];
  }
  const p = rec.pdu;
  const summary = pduSummary(p);
  const lines = [`${head} ${typeColor(style, p.type).bold(p.type)}${summary ? ' ' + summary : ''}`];
  if (opts.verbose) {
    lines.push(`    PDU length ${rec.bytes.length}, ${rec.frames.length} frame${rec.frames.length === 1 ? '' : 's'}`);
    if (rec.vlan !== undefined && rec.vlan.length > 0) lines.push(`    VLAN ${rec.vlan.join(', ')} (outermost first)`);
    for (const f of rec.frames) {
      lines.push(
        `    frame ${f.number}${f.last ? ' (last)' : ''} length ${f.length} checksum 0x${f.checksum.toString(16).padStart(8, '0')}`,
      );
    }
    lines.push(...verboseFields(p).map((l) => '    ' + l));
  }
  if (opts.hex) lines.push(...hexDump(rec.bytes).map((l) => '    ' + l));
  return lines;
}

/** -e, as tcpdump -e: ", ethertype 0x88b5, vlan 100.20:" (VLAN IDs outermost first). */
function linkText(rec: RecordBase): string {
  const type = rec.ethertype === undefined ? '' : `, ethertype 0x${rec.ethertype.toString(16).padStart(4, '0')}`;
  const vlan = rec.vlan !== undefined && rec.vlan.length > 0 ? `, vlan ${rec.vlan.join('.')}` : '';
  return `${type}${vlan}:`;
}

/** "> dst", or for a cooked capture (no destination recorded) its direction and interface index. */
function toWhom(rec: RecordBase): string {
  if (rec.dst !== null) return `> ${rec.dst}`;
  const dir = rec.cooked?.direction === 'out' ? 'Out' : 'In';
  return rec.cooked?.ifindex == null ? dir : `${dir} ifindex ${rec.cooked.ifindex}`;
}

function verboseFields(p: Pdu): string[] {
  switch (p.type) {
    case 'OPEN':
      return [
        `nonce ${p.nonce}`,
        `local id ${formatId(p.localId)}`,
        `attributes ${p.attributes || '(none)'}`,
        `auth ${p.auth ? p.auth : '(none)'}`,
      ];
    case 'ACK':
      return [
        `acked type ${p.ackType} (${PduTypeNames[p.ackType] ?? 'unknown'})`,
        `error type ${p.errorType} (${ERROR_TYPE_NAMES[p.errorType] ?? 'unknown'})`,
        `error code ${p.errorCode} (${p.errorCode === 0 ? 'none' : (ERROR_CODE_NAMES[p.errorCode] ?? 'unknown')})`,
        `error hint ${p.errorHint}`,
      ];
    case 'VENDOR':
      return [`enterprise number ${p.enterpriseNumber}`, `enterprise type ${p.enterpriseType}`, `data ${p.data || '(none)'}`];
    case 'UNKNOWN':
      return [`type code ${p.typeCode}`, `raw ${p.raw}`];
    case 'HELLO':
    case 'KEEPALIVE':
      return [];
    default:
      return [`${p.encaps.length} encapsulation${p.encaps.length === 1 ? '' : 's'}`, ...p.encaps.map((e) => '  ' + formatEncap(e))];
  }
}

/** Classic offset / hex / ASCII dump, 16 octets a line. */
export function hexDump(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const chunk = bytes.subarray(off, off + 16);
    const hex = Array.from(chunk, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(chunk, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`0x${off.toString(16).padStart(4, '0')}:  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines;
}
