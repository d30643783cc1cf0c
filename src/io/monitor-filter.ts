// The kernel-side filter of a monitor packet socket (`lsoe sniff`), as a
// classic BPF program (an array of struct sock_filter, attached with
// SO_ATTACH_FILTER before the socket is bound). It passes what libpcap's
// `ether proto X or (vlan and ether proto X)` passed sniff before, with the
// direction of -Q by source MAC, so frames sniff would throw away are never
// queued: they neither take room in the receive buffer nor count as drops.
// Pure: no I/O; the instructions are written in the host's byte order, as the
// kernel reads them.
import { endianness } from 'node:os';
import { parseMac } from '../proto/ethernet.js';

/** The VLAN tag types a frame may carry in its data (802.1Q, 802.1ad, the old QinQ one). */
const TAG_TYPES = [0x8100, 0x88a8, 0x9100];
/** Octets of a frame kept: a jumbo frame and its tags (what libpcap's snap length was). */
export const MONITOR_SNAP = 9216 + 22;

// BPF opcodes (linux/filter.h)
const LD_W_ABS = 0x20;
const LD_H_ABS = 0x28;
const JEQ_K = 0x15;
const RET_K = 0x06;

interface Insn {
  code: number;
  k: number;
  /** labels (or 'next') to jump to when the comparison holds / fails */
  jt?: string;
  jf?: string;
  label?: string;
}

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

function assemble(prog: Insn[]): Buffer {
  const at = new Map<string, number>();
  prog.forEach((insn, i) => insn.label !== undefined && at.set(insn.label, i));
  const offset = (from: number, to: string | undefined): number => {
    if (to === undefined || to === 'next') return 0;
    const target = at.get(to);
    if (target === undefined || target <= from || target - from - 1 > 255) throw new Error(`monitorFilter: bad jump to ${to}`);
    return target - from - 1;
  };
  const le = endianness() === 'LE';
  const out = Buffer.alloc(prog.length * 8);
  prog.forEach((insn, i) => {
    const o = i * 8;
    if (le) {
      out.writeUInt16LE(insn.code, o);
      out.writeUInt32LE(insn.k >>> 0, o + 4);
    } else {
      out.writeUInt16BE(insn.code, o);
      out.writeUInt32BE(insn.k >>> 0, o + 4);
    }
    out[o + 2] = offset(i, insn.jt);
    out[o + 3] = offset(i, insn.jf);
  });
  return out;
}

/**
 * Runs a filter over a frame as the kernel would (for tests): the octets
 * kept, 0 when refused. Only the instructions monitorFilter writes.
 */
export function runFilter(filter: Buffer, frame: Buffer): number {
  const le = endianness() === 'LE';
  let a = 0;
  for (let pc = 0; pc * 8 < filter.length; pc++) {
    const o = pc * 8;
    const code = le ? filter.readUInt16LE(o) : filter.readUInt16BE(o);
    const k = le ? filter.readUInt32LE(o + 4) : filter.readUInt32BE(o + 4);
    switch (code) {
      case LD_W_ABS:
      case LD_H_ABS: {
        const size = code === LD_W_ABS ? 4 : 2;
        if (k + size > frame.length) return 0; // the kernel refuses a load past the end
        a = size === 4 ? frame.readUInt32BE(k) : frame.readUInt16BE(k);
        break;
      }
      case JEQ_K:
        pc += a === k ? filter[o + 2]! : filter[o + 3]!;
        break;
      case RET_K:
        return k;
      default:
        throw new Error(`runFilter: opcode ${code}`);
    }
  }
  return 0;
}
