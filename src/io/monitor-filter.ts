// The kernel-side filter of a monitor packet socket (`lsoe sniff`), as a
// classic BPF program (an array of struct sock_filter, attached with
// SO_ATTACH_FILTER before the socket is bound). It passes what libpcap's
// `ether proto X or (vlan and ether proto X)` passed sniff before, with the
// direction of -Q by source MAC, so frames sniff would throw away are never
// queued: they neither take room in the receive buffer nor count as drops.
// Pure: no I/O (bpf.ts assembles it).
import { parseMac } from '../proto/ethernet.js';
import { assemble, JEQ_K, LD_H_ABS, LD_W_ABS, RET_K, type Insn } from './bpf.js';

/** The VLAN tag types a frame may carry in its data (802.1Q, 802.1ad, the old QinQ one). */
const TAG_TYPES = [0x8100, 0x88a8, 0x9100];
/** Octets of a frame kept: a jumbo frame and its tags (what libpcap's snap length was). */
export const MONITOR_SNAP = 9216 + 22;

export interface MonitorFilterOptions {
  ethertypes: readonly number[];
  /** -Q: 'in' drops frames from `mac`, 'out' keeps only those */
  direction: 'in' | 'out' | 'inout';
  mac: string;
}

/**
 * The filter: the direction test, then the EtherType at offset 12 (the kernel
 * has usually taken a received frame's VLAN tag out of its data: it is put
 * back when read), else behind one or two tags still in the data.
 */
export function monitorFilter(opts: MonitorFilterOptions): Buffer {
  const prog: Insn[] = [];
  if (opts.direction !== 'inout') {
    const mac = parseMac(opts.mac);
    if (mac === null) throw new Error(`monitorFilter: bad MAC ${opts.mac}`);
    const [mine, other] = opts.direction === 'out' ? ['next', 'reject'] : ['reject', 'next'];
    prog.push({ code: LD_W_ABS, k: 6 }); // the source MAC's first four octets
    prog.push({ code: JEQ_K, k: mac.readUInt32BE(0), jt: 'next', jf: other });
    prog.push({ code: LD_H_ABS, k: 10 });
    prog.push({ code: JEQ_K, k: mac.readUInt16BE(4), jt: mine, jf: other });
  }
  for (let depth = 0; depth < 3; depth++) {
    prog.push({ code: LD_H_ABS, k: 12 + 4 * depth, label: depth === 0 ? 'types' : `tag${depth}` });
    for (const type of opts.ethertypes) prog.push({ code: JEQ_K, k: type, jt: 'accept', jf: 'next' });
    if (depth < 2) for (const tag of TAG_TYPES) prog.push({ code: JEQ_K, k: tag, jt: `tag${depth + 1}`, jf: 'next' });
    prog.push({ code: RET_K, k: 0 });
  }
  prog.push({ code: RET_K, k: 0, label: 'reject' });
  prog.push({ code: RET_K, k: MONITOR_SNAP, label: 'accept' });
  return assemble(prog);
}
