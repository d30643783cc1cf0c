// OPEN (RFC 4271 section 4.2) with Capabilities (RFC 5492): Multiprotocol (RFC 4760),
// Route Refresh (RFC 2918), 4-octet AS (RFC 6793). Unknown capabilities and optional
// parameters pass through as raw octets.
import { Reader, Writer } from '../../proto/cursor.js';
import { ipv4Octets, ipText } from './address.js';
import { AS_TRANS, CAPABILITY } from './constants.js';
import { BgpMessageError, ERR, OPEN_SUB, withCode } from './errors.js';

export type Capability =
  | { kind: 'multiprotocol'; afi: number; safi: number }
  | { kind: 'route-refresh' }
  | { kind: 'four-octet-as'; asn: number }
  | { kind: 'unknown'; code: number; value: string /* hex */ };

export interface OpenMessage {
  type: 'OPEN';
  version: number;
  /** the 2-octet My Autonomous System field (AS_TRANS when the real AS is larger) */
  myAs: number;
  holdTime: number;
  /** BGP Identifier, dotted quad */
  bgpId: string;
  capabilities: Capability[];
}

/** Our OPEN: the real AS goes in the capability; the 2-octet field says AS_TRANS when it does not fit. */
export function buildOpen(asn: number, holdTime: number, bgpId: string, capabilities: Capability[]): OpenMessage {
  return { type: 'OPEN', version: 4, myAs: asn > 0xffff ? AS_TRANS : asn, holdTime, bgpId, capabilities };
}

/** The peer's AS: from the 4-octet AS capability when it sent one. */
export function peerAsOf(open: OpenMessage): number {
  const cap = open.capabilities.find((c) => c.kind === 'four-octet-as');
  return cap?.kind === 'four-octet-as' ? cap.asn : open.myAs;
}

function capabilityValue(c: Capability): Buffer {
  switch (c.kind) {
    case 'multiprotocol': {
      const b = Buffer.alloc(4);
      b.writeUInt16BE(c.afi, 0);
      b[3] = c.safi;
      return b;
    }
    case 'route-refresh':
      return Buffer.alloc(0);
    case 'four-octet-as': {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(c.asn >>> 0, 0);
      return b;
    }
    case 'unknown':
      return Buffer.from(c.value, 'hex');
  }
}

function capabilityCode(c: Capability): number {
  if (c.kind === 'multiprotocol') return CAPABILITY.multiprotocol;
  if (c.kind === 'route-refresh') return CAPABILITY.routeRefresh;
  if (c.kind === 'four-octet-as') return CAPABILITY.fourOctetAs;
  return c.code;
}

export function encodeOpen(m: OpenMessage): Buffer {
  // All capabilities in one optional parameter of type 2.
  const caps = Buffer.concat(m.capabilities.map((c) => {
    const v = capabilityValue(c);
    return Buffer.concat([Buffer.from([capabilityCode(c), v.length]), v]);
  }));
  const params = caps.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([2, caps.length]), caps]);
  if (params.length > 255) throw new Error('OPEN: optional parameters over 255 octets');
  const out = Buffer.alloc(10 + params.length);
  const w = new Writer(out);
  w.u8(m.version, 'version');
  w.u16(m.myAs, 'my AS');
  w.u16(m.holdTime, 'hold time');
  w.bytes(ipv4Octets(m.bgpId), 'BGP identifier');
  w.u8(params.length, 'optional parameters length');
  w.bytes(params, 'optional parameters');
  return out;
}

function decodeCapability(code: number, value: Buffer): Capability {
  if (code === CAPABILITY.multiprotocol && value.length === 4) return { kind: 'multiprotocol', afi: value.readUInt16BE(0), safi: value[3]! };
  if (code === CAPABILITY.routeRefresh && value.length === 0) return { kind: 'route-refresh' };
  if (code === CAPABILITY.fourOctetAs && value.length === 4) return { kind: 'four-octet-as', asn: value.readUInt32BE(0) };
  return { kind: 'unknown', code, value: value.toString('hex') };
}

/** Decodes an OPEN body; a version other than 4 is refused with 2/1 and data = 4. */
export function decodeOpen(body: Buffer): OpenMessage {
  return withCode(ERR.open, 0, 'OPEN', () => {
    const r = new Reader(body);
    const version = r.u8('version');
    if (version !== 4) {
      throw new BgpMessageError(ERR.open, OPEN_SUB.unsupportedVersion, `OPEN: version ${version} (only 4)`, Buffer.from([0, 4]));
    }
    const myAs = r.u16('my AS');
    const holdTime = r.u16('hold time');
    const bgpId = ipText(r.bytes(4, 'BGP identifier'));
    const paramsLength = r.u8('optional parameters length');
    const p = new Reader(body, r.pos, r.pos + paramsLength);
    r.bytes(paramsLength, 'optional parameters');
    r.expectEnd('OPEN');
    const capabilities: Capability[] = [];
    while (p.remaining > 0) {
      const type = p.u8('parameter type');
      const len = p.u8('parameter length');
      const value = p.bytes(len, 'parameter value');
      if (type !== 2) throw new BgpMessageError(ERR.open, OPEN_SUB.unsupportedParameter, `OPEN: unsupported optional parameter ${type}`);
      const c = new Reader(value);
      while (c.remaining > 0) {
        const code = c.u8('capability code');
        const clen = c.u8('capability length');
        capabilities.push(decodeCapability(code, Buffer.from(c.bytes(clen, 'capability value'))));
      }
    }
    return { type: 'OPEN', version, myAs, holdTime, bgpId, capabilities };
  });
}

/**
 * The checks of section 6.2 that are not about form: hold time 0 or ≥ 3, a usable
 * identifier, the AS we expect. Returns the error to send, or null.
 */
export function validateOpen(m: OpenMessage, expectedAs: number): BgpMessageError | null {
  if (m.holdTime === 1 || m.holdTime === 2) {
    return new BgpMessageError(ERR.open, OPEN_SUB.unacceptableHoldTime, `OPEN: hold time ${m.holdTime} (0 or at least 3)`);
  }
  if (m.bgpId === '0.0.0.0' || m.bgpId === '255.255.255.255') {
    return new BgpMessageError(ERR.open, OPEN_SUB.badIdentifier, `OPEN: BGP identifier ${m.bgpId}`);
  }
  const as = peerAsOf(m);
  if (as !== expectedAs) {
    const data = Buffer.alloc(2);
    data.writeUInt16BE(m.myAs, 0);
    return new BgpMessageError(ERR.open, OPEN_SUB.badPeerAs, `OPEN: peer AS ${as}, expected ${expectedAs}`, data);
  }
  return null;
}
