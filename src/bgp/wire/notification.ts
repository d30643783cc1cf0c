// NOTIFICATION (RFC 4271 section 4.5), KEEPALIVE (4.4, no body) and ROUTE-REFRESH
// (RFC 2918): the three small messages.
import { Reader } from '../../proto/cursor.js';
import { ERR, HEADER_SUB, withCode } from './errors.js';

export interface NotificationMessage {
  type: 'NOTIFICATION';
  code: number;
  subcode: number;
  /** hex */
  data: string;
}
export interface KeepaliveMessage {
  type: 'KEEPALIVE';
}
export interface RouteRefreshMessage {
  type: 'ROUTE_REFRESH';
  afi: number;
  safi: number;
}

export function encodeNotification(m: NotificationMessage): Buffer {
  return Buffer.concat([Buffer.from([m.code, m.subcode]), Buffer.from(m.data, 'hex')]);
}

export function decodeNotification(body: Buffer): NotificationMessage {
  return withCode(ERR.header, HEADER_SUB.badLength, 'NOTIFICATION', () => {
    const r = new Reader(body);
    return { type: 'NOTIFICATION', code: r.u8('error code'), subcode: r.u8('error subcode'), data: r.hex(r.remaining, 'data') };
  });
}

export function encodeRouteRefresh(m: RouteRefreshMessage): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(m.afi, 0);
  b[3] = m.safi;
  return b;
}

export function decodeRouteRefresh(body: Buffer): RouteRefreshMessage {
  return withCode(ERR.header, HEADER_SUB.badLength, 'ROUTE-REFRESH', () => {
    const r = new Reader(body);
    const afi = r.u16('AFI');
    r.u8('reserved');
    const safi = r.u8('SAFI');
    r.expectEnd('ROUTE-REFRESH');
    return { type: 'ROUTE_REFRESH', afi, safi };
  });
}

/** Names for the codes a log line shows (RFC 4271 section 4.5, RFC 4486 for Cease). */
export function notificationText(code: number, subcode: number): string {
  const codes: Record<number, string> = { 1: 'message header error', 2: 'OPEN message error', 3: 'UPDATE message error', 4: 'hold timer expired', 5: 'finite state machine error', 6: 'cease' };
  const cease: Record<number, string> = { 1: 'maximum prefixes', 2: 'administrative shutdown', 3: 'peer de-configured', 4: 'administrative reset', 5: 'connection rejected', 6: 'other configuration change', 7: 'connection collision', 8: 'out of resources' };
  const sub = code === 6 ? cease[subcode] : undefined;
  return `${codes[code] ?? `error ${code}`}/${sub ?? subcode}`;
}
