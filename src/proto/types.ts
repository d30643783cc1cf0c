// The decoded PDU model. It is exactly the JSON shape of PROTOCOL.md section 4,
// so the same object is what the daemon reasons about and what `--json` prints.
// Byte strings are lowercase hex without separators.

export const PduType = {
  HELLO: 0,
  OPEN: 1,
  KEEPALIVE: 2,
  ACK: 3,
  IPV4_ENCAPSULATION: 4,
  IPV6_ENCAPSULATION: 5,
  MPLS_IPV4_ENCAPSULATION: 6,
  MPLS_IPV6_ENCAPSULATION: 7,
  VENDOR: 255,
} as const;

export type PduTypeName = keyof typeof PduType;
export type PduTypeCode = (typeof PduType)[PduTypeName];

/** Names by wire code, for tables and logs. */
export const PduTypeNames: Readonly<Record<number, PduTypeName>> = Object.fromEntries(
  Object.entries(PduType).map(([name, code]) => [code, name as PduTypeName]),
);

/** PDU types that the receiver must ACK (draft-ietf-lsvr-lsoe-01 section 6). */
export const ACKED_TYPES: ReadonlySet<number> = new Set([
  PduType.OPEN,
  PduType.IPV4_ENCAPSULATION,
  PduType.IPV6_ENCAPSULATION,
  PduType.MPLS_IPV4_ENCAPSULATION,
  PduType.MPLS_IPV6_ENCAPSULATION,
  PduType.VENDOR,
]);

export const ENCAPSULATION_TYPES = [
  'IPV4_ENCAPSULATION',
  'IPV6_ENCAPSULATION',
  'MPLS_IPV4_ENCAPSULATION',
  'MPLS_IPV6_ENCAPSULATION',
] as const;
export type EncapsulationTypeName = (typeof ENCAPSULATION_TYPES)[number];

export const ErrorType = { NO_ERROR: 0, WARNING: 1, RESTART: 2, HOPELESS: 3 } as const;
export const ErrorCode = { LINK_ADDRESSING_CONFLICT: 1, AUTHORIZATION_FAILURE_IN_OPEN: 2 } as const;

export const EncapsFlag = { PRIMARY: 0x80, LOOPBACK: 0x40 } as const;

export interface HelloPdu {
  type: 'HELLO';
}
export interface KeepalivePdu {
  type: 'KEEPALIVE';
}
export interface OpenPdu {
  type: 'OPEN';
  /** 4 octets, hex */
  nonce: string;
  /** 10 octets, hex */
  localId: string;
  /** hex, up to 255 octets */
  attributes: string;
  /** hex; absent or '' when empty (the reference only accepts empty) */
  auth?: string;
}
export interface AckPdu {
  type: 'ACK';
  ackType: number;
  errorType: number;
  errorCode: number;
  errorHint: number;
}
export interface Encapsulation {
  /** dotted quad or RFC 5952 IPv6 */
  address: string;
  prefixLength: number;
  primary: boolean;
  loopback: boolean;
  /** MPLS types only: each label stack entry's 3 octets, hex */
  labels?: string[];
}
export interface EncapsulationPdu {
  type: EncapsulationTypeName;
  encaps: Encapsulation[];
}
export interface VendorPdu {
  type: 'VENDOR';
  enterpriseNumber: number;
  enterpriseType: number;
  /** hex */
  data: string;
}
export interface UnknownPdu {
  type: 'UNKNOWN';
  typeCode: number;
  /** the whole PDU, header included, hex */
  raw: string;
}

export type Pdu =
  | HelloPdu
  | KeepalivePdu
  | OpenPdu
  | AckPdu
  | EncapsulationPdu
  | VendorPdu
  | UnknownPdu;

/** A MAC address as printed everywhere: aa:bb:cc:dd:ee:ff */
export type Mac = string;
