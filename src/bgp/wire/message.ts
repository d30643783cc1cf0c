// Every BGP message, as one union, with one encoder and one decoder over the
// per-message codecs. `encodeMessage` returns the whole message, header included.
import { HEADER_LENGTH, MESSAGE_TYPES } from './constants.js';
import { decodeHeader, frameMessage } from './header.js';
import {
  decodeNotification,
  decodeRouteRefresh,
  encodeNotification,
  encodeRouteRefresh,
  type KeepaliveMessage,
  type NotificationMessage,
  type RouteRefreshMessage,
} from './notification.js';
import { decodeOpen, encodeOpen, type OpenMessage } from './open.js';
import { decodeUpdate, encodeUpdate, type UpdateMessage } from './update.js';

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

export function encodeMessage(m: BgpMessage): Buffer {
  switch (m.type) {
    case 'OPEN':
      return frameMessage(MESSAGE_TYPES.OPEN, encodeOpen(m));
    case 'UPDATE':
      return frameMessage(MESSAGE_TYPES.UPDATE, encodeUpdate(m));
    case 'NOTIFICATION':
      return frameMessage(MESSAGE_TYPES.NOTIFICATION, encodeNotification(m));
    case 'KEEPALIVE':
      return frameMessage(MESSAGE_TYPES.KEEPALIVE, Buffer.alloc(0));
    case 'ROUTE_REFRESH':
      return frameMessage(MESSAGE_TYPES.ROUTE_REFRESH, encodeRouteRefresh(m));
  }
}

/**
 * Decodes one whole message (header included, as MessageSplitter gives them).
 * `deep: false` leaves an UPDATE's contents unread (we count the peer's and ignore them).
 */
export function decodeMessage(buf: Buffer, deep = true): BgpMessage {
  const { length, type } = decodeHeader(buf);
  const body = buf.subarray(HEADER_LENGTH, length);
  switch (type) {
    case MESSAGE_TYPES.OPEN:
      return decodeOpen(body);
    case MESSAGE_TYPES.UPDATE:
      return deep ? decodeUpdate(body) : { type: 'UPDATE', withdrawn: '', attributes: [], nlri: '' };
    case MESSAGE_TYPES.NOTIFICATION:
      return decodeNotification(body);
    case MESSAGE_TYPES.KEEPALIVE:
      return { type: 'KEEPALIVE' };
    default:
      return decodeRouteRefresh(body);
  }
}
