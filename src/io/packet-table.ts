// /proc/net/packet, parsed once: every packet socket of this network namespace
// by inode. Columns: sk RefCnt Type Proto Iface R Rmem User Inode. Iface is
// the bound interface index (-1 once that interface was deleted, 0 unbound);
// R is 1 while the socket receives (its interface is up).

export interface PacketSocketRow {
  ifindex: number;
  running: boolean;
}

export function parsePacketTable(text: string): Map<string, PacketSocketRow> {
  const rows = new Map<string, PacketSocketRow>();
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const inode = cols[8];
    if (inode === undefined || !/^\d+$/.test(inode)) continue; // the heading, a blank line
    rows.set(inode, { ifindex: Number(cols[4]), running: cols[5] === '1' });
  }
  return rows;
}
