// What goes on the wire: the difference between what the peer has and what it should
// have, packed into UPDATEs of at most 4096 octets. Announcements sharing a BGP-LS
// attribute share an UPDATE; withdrawals all go in MP_UNREACH_NLRI.
import { encodeAttribute, type PathAttribute, type UpdateMessage } from '../wire/update.js';
import { AFI_LS, HEADER_LENGTH, MAX_MESSAGE_LENGTH, SAFI_LS } from '../wire/constants.js';
import { encodeLsAttribute } from './attribute.js';
import { encodeNlri, type LsNlri } from './nlri.js';
import type { LsRoute } from './view.js';

export interface RouteDiff {
  announce: LsRoute[];
  withdraw: LsRoute[];
}

/** Routes to (re-)announce (new, or whose attribute changed) and to withdraw. */
export function diffRoutes(had: ReadonlyMap<string, LsRoute>, want: ReadonlyMap<string, LsRoute>): RouteDiff {
  const announce: LsRoute[] = [];
  const withdraw: LsRoute[] = [];
  for (const [key, r] of want) {
    const old = had.get(key);
    if (old === undefined || JSON.stringify(old.attribute) !== JSON.stringify(r.attribute)) announce.push(r);
  }
  for (const [key, r] of had) if (!want.has(key)) withdraw.push(r);
  return { announce, withdraw };
}

export interface PathSettings {
  /** eBGP: AS_PATH [asn]; iBGP: empty AS_PATH and LOCAL_PREF 100 */
  ebgp: boolean;
  asn: number;
  /** the local address of the BGP session */
  nextHop: string;
}

/** Room left for NLRI in one UPDATE after the header, the two length fields and the other attributes. */
function room(otherAttributes: number, mpHead: number): number {
  return MAX_MESSAGE_LENGTH - HEADER_LENGTH - 4 - otherAttributes - 4 /* MP attr header, extended */ - mpHead;
}

/** Splits NLRI into groups whose encodings fit `space` octets each. */
function chunk(list: LsNlri[], space: number): LsNlri[][] {
  const out: LsNlri[][] = [];
  let current: LsNlri[] = [];
  let used = 0;
  for (const n of list) {
    const size = encodeNlri(n).length;
    if (current.length > 0 && used + size > space) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(n);
    used += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export function buildUpdates(diff: RouteDiff, p: PathSettings): UpdateMessage[] {
  const out: UpdateMessage[] = [];
  const update = (attributes: PathAttribute[]): UpdateMessage => ({ type: 'UPDATE', withdrawn: '', attributes, nlri: '' });
  if (diff.withdraw.length > 0) {
    for (const group of chunk(diff.withdraw.map((r) => r.nlri), room(0, 3))) {
      out.push(update([{ kind: 'mp-unreach', afi: AFI_LS, safi: SAFI_LS, nlri: group }]));
    }
  }
  const base: PathAttribute[] = [
    { kind: 'origin', value: 0 },
    { kind: 'as-path', segments: p.ebgp ? [{ type: 2, asns: [p.asn] }] : [] },
    ...(p.ebgp ? [] : [{ kind: 'local-pref', value: 100 } as PathAttribute]),
  ];
  const byAttribute = new Map<string, { attribute: LsRoute['attribute']; nlri: LsNlri[] }>();
  for (const r of diff.announce) {
    const key = r.attribute === null ? '' : encodeLsAttribute(r.attribute).toString('hex');
    const g = byAttribute.get(key) ?? { attribute: r.attribute, nlri: [] };
    g.nlri.push(r.nlri);
    byAttribute.set(key, g);
  }
  const nextHopLength = p.nextHop.includes(':') ? 16 : 4;
  for (const g of byAttribute.values()) {
    const tail: PathAttribute[] = g.attribute === null ? [] : [{ kind: 'bgp-ls', value: g.attribute }];
    const others = [...base, ...tail].reduce((n, a) => n + encodeAttribute(a).length, 0);
    for (const group of chunk(g.nlri, room(others, 5 + nextHopLength))) {
      out.push(update([...base, { kind: 'mp-reach', afi: AFI_LS, safi: SAFI_LS, nextHop: [p.nextHop], nlri: group }, ...tail]));
    }
  }
  return out;
}
