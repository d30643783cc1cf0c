// What we announce must fit one PDU per type (PROTOCOL.md section 3: the PDU Length is
// 16 bits). A device with more addresses than that announces what fits, the same list
// every time (so a re-read interface table does not re-announce, and no session flaps),
// chosen in order of use to the peer: primary addresses first, then loopbacks, then the
// rest, each group in its original order. Pure.
import { PDU_HEADER_LENGTH } from '../proto/pdu/codec.js';
import type { Encapsulation, EncapsulationTypeName } from '../proto/types.js';
import { encapsulationEntryLength } from '../proto/pdu/encapsulation-layout.js';
import { listBytes } from './encaps-cap.js';
import type { EncapsTable } from './encaps-local.js';

/** The largest PDU: its Length field is 16 bits. */
export const MAX_PDU_LENGTH = 0xffff;
/** PDU header, then the 2-octet entry count. */
const LIST_OVERHEAD = PDU_HEADER_LENGTH + 2;

export interface FittedTable {
  table: EncapsTable;
  /** entries left out, over every type */
  notAnnounced: number;
  /** the types that were cut */
  cut: EncapsulationTypeName[];
}

function rank(e: Encapsulation): number {
  return e.primary ? 0 : e.loopback ? 1 : 2;
}

/** The entries of one type that fit one PDU (the list itself when it all fits). */
export function fitList(type: EncapsulationTypeName, list: readonly Encapsulation[]): Encapsulation[] {
  if (LIST_OVERHEAD + listBytes(type, list) <= MAX_PDU_LENGTH) return [...list];
  const ordered = [...list].sort((a, b) => rank(a) - rank(b)); // stable: original order within a rank
  const out: Encapsulation[] = [];
  let length = LIST_OVERHEAD;
  for (const e of ordered) {
    const b = encapsulationEntryLength(type, e);
    if (length + b > MAX_PDU_LENGTH) break;
    length += b;
    out.push(e);
  }
  return out;
}

/** Every type of `table` cut to what one PDU carries. */
export function fitOnePdu(table: EncapsTable): FittedTable {
  const out = { ...table };
  let notAnnounced = 0;
  const cut: EncapsulationTypeName[] = [];
  for (const type of Object.keys(table) as EncapsulationTypeName[]) {
    const fitted = fitList(type, table[type]);
    if (fitted.length < table[type].length) {
      notAnnounced += table[type].length - fitted.length;
      cut.push(type);
    }
    out[type] = fitted;
  }
  return { table: out, notAnnounced, cut };
}
