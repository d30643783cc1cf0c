// Classic BPF (struct sock_filter arrays, attached with SO_ATTACH_FILTER), as much
// as lsoe's kernel-side filters need: absolute and length loads, equality and
// at-least jumps, returns.
// The assembler resolves labels to the 8-bit forward offsets the kernel wants; the
// interpreter runs a program over a frame as the kernel would, for tests. Pure: no
// I/O; instructions are written in the host's byte order, as the kernel reads them.
// Users: monitor-filter.ts (sniff's sockets), quiet-filter.ts (the daemon's quiet sockets).
import { endianness } from 'node:os';

// opcodes (linux/filter.h)
export const LD_W_ABS = 0x20;
export const LD_H_ABS = 0x28;
export const LD_B_ABS = 0x30;
/** the frame's length */
export const LD_W_LEN = 0x80;
export const JEQ_K = 0x15;
export const JGE_K = 0x35;
export const RET_K = 0x06;

export interface Insn {
  code: number;
  k: number;
  /** labels (or 'next') to jump to when the comparison holds / fails */
  jt?: string;
  jf?: string;
  label?: string;
}

/** The program as the kernel takes it; throws when a jump goes backwards, nowhere, or past 255 instructions. */
export function assemble(prog: readonly Insn[]): Buffer {
  const at = new Map<string, number>();
  prog.forEach((insn, i) => insn.label !== undefined && at.set(insn.label, i));
  const offset = (from: number, to: string | undefined): number => {
    if (to === undefined || to === 'next') return 0;
    const target = at.get(to);
    if (target === undefined || target <= from || target - from - 1 > 255) throw new Error(`bpf: bad jump to ${to}`);
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

/** Runs a program over a frame as the kernel would (for tests): the octets kept, 0 when refused. */
export function runFilter(filter: Buffer, frame: Buffer): number {
  const le = endianness() === 'LE';
  let a = 0;
  for (let pc = 0; pc * 8 < filter.length; pc++) {
    const o = pc * 8;
    const code = le ? filter.readUInt16LE(o) : filter.readUInt16BE(o);
    const k = le ? filter.readUInt32LE(o + 4) : filter.readUInt32BE(o + 4);
    switch (code) {
      case LD_W_ABS:
      case LD_H_ABS:
      case LD_B_ABS: {
        const size = code === LD_W_ABS ? 4 : code === LD_H_ABS ? 2 : 1;
        if (k + size > frame.length) return 0; // the kernel refuses a load past the end
        a = size === 4 ? frame.readUInt32BE(k) : size === 2 ? frame.readUInt16BE(k) : frame[k]!;
        break;
      }
      case LD_W_LEN:
        a = frame.length;
        break;
      case JEQ_K:
        pc += a === k >>> 0 ? filter[o + 2]! : filter[o + 3]!;
        break;
      case JGE_K:
        pc += a >= k >>> 0 ? filter[o + 2]! : filter[o + 3]!;
        break;
      case RET_K:
        return k;
      default:
        throw new Error(`runFilter: opcode ${code}`);
    }
  }
  return 0;
}
