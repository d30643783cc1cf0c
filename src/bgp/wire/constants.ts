// BGP numbers used by the wire formats, name ↔ number, `as const` (RFC 4271, 4760,
// 6793, 2918, 9552). Tables and JSON read these; nothing else spells a number.

export const MESSAGE_TYPES = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4, ROUTE_REFRESH: 5 } as const;
export type MessageTypeName = keyof typeof MESSAGE_TYPES;

export const HEADER_LENGTH = 19;
/** RFC 4271 section 4.1: no extended messages (RFC 8654) are negotiated. */
export const MAX_MESSAGE_LENGTH = 4096;
export const BGP_VERSION = 4;
export const AS_TRANS = 23456;

export const AFI_LS = 16388;
export const SAFI_LS = 71;

export const CAPABILITY = { multiprotocol: 1, routeRefresh: 2, fourOctetAs: 65 } as const;

export const ATTR = { origin: 1, asPath: 2, nextHop: 3, med: 4, localPref: 5, mpReach: 14, mpUnreach: 15, bgpLs: 29 } as const;
export const ATTR_FLAG = { optional: 0x80, transitive: 0x40, partial: 0x20, extendedLength: 0x10 } as const;
