// What one neighbour may make us hold of its encapsulations: at most
// `max-encapsulations-per-type` entries per type per session, and all sessions of one
// interface together at most `max-encapsulation-bytes-per-interface` octets (counted as
// on the wire). Beyond a cap the first entries are kept. So that sessions opened
// blindly by strangers cannot starve a real neighbour of the interface's budget, every
// session may always hold its fair share (the budget over the sessions on the
// interface): the interface's total stays under twice the budget. Pure.
import { encapsulationEntryLength } from '../proto/pdu/encapsulation-layout.js';
import type { Encapsulation, EncapsulationTypeName } from '../proto/types.js';

export function listBytes(type: EncapsulationTypeName, list: readonly Encapsulation[]): number {
  let n = 0;
  for (const e of list) n += encapsulationEntryLength(type, e);
  return n;
}

export interface CapLimits {
  maxPerType: number;
  /** octets this list may take: what the interface budget has left, or the fair share if more */
  maxBytes: number;
}

export interface Capped {
  encaps: readonly Encapsulation[];
  droppedPerType: number;
  droppedPerInterface: number;
}

/** The first entries of `encaps` that fit both caps. */
export function capEncaps(type: EncapsulationTypeName, encaps: readonly Encapsulation[], limits: CapLimits): Capped {
  const byType = encaps.length > limits.maxPerType ? encaps.slice(0, limits.maxPerType) : encaps;
  let bytes = 0;
  let fit = 0;
  for (; fit < byType.length; fit++) {
    const b = encapsulationEntryLength(type, byType[fit]!);
    if (bytes + b > limits.maxBytes) break;
    bytes += b;
  }
  return {
    encaps: fit === byType.length ? byType : byType.slice(0, fit),
    droppedPerType: encaps.length - byType.length,
    droppedPerInterface: byType.length - fit,
  };
}

/**
 * The octets one list of a session may take: what the interface budget has left after
 * the other sessions (`others`) and this session's other types (`ownOther`), or, if
 * more, the session's fair share minus its other types.
 */
export function bytesAllowed(budget: number, others: number, ownOther: number, sessionsOnInterface: number): number {
  const fairShare = Math.floor(budget / Math.max(1, sessionsOnInterface));
  return Math.max(0, budget - others - ownOther, fairShare - ownOther);
}
