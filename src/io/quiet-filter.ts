// The kernel-side split of an endpoint link's frames between its two packet
// sockets (issue 10, ARCHITECTURE.md "src/io: quiet sockets"): the quiet socket,
// which nothing polls, takes exactly the frames whose Ethernet payload begins with
// `prefix` (the KEEPALIVE's octets; padding after them allowed) and whose source
// is one of `peers` (the link's open neighbours); the main socket, polled as
// before, takes everything else. The two programs are exact complements, so every
// frame lands on one socket. Pure: no I/O (bpf.ts assembles them).
import { parseMac } from '../proto/ethernet.js';
import { assemble, JEQ_K, JGE_K, LD_B_ABS, LD_H_ABS, LD_W_ABS, LD_W_LEN, RET_K, type Insn } from './bpf.js';

/** Octets of a frame a socket keeps: any frame whole (the kernel keeps no more than the frame). */
const WHOLE = 0x40000;
/** Ethernet header: the source MAC at 6, the EtherType at 12, the payload from 14. */
const SRC = 6;
const TYPE = 12;
const PAYLOAD = 14;
/**
 * Neighbours one link quiets at most: four instructions each, and a classic BPF jump
 * reaches 255 instructions ahead. A link with more open neighbours (not LSOE's shape:
 * one neighbour per port) quiets the first ones; the others' frames go to the main socket.
 */
export const QUIET_MAX_PEERS = 58;

export interface QuietFilterOptions {
  ethertype: number;
  /** the payload's first octets (the KEEPALIVE's frame) */
  prefix: Uint8Array;
  /** MACs (aa:bb:cc:dd:ee:ff); beyond QUIET_MAX_PEERS ignored */
  peers: readonly string[];
}

export interface QuietFilters {
  /** the quiet socket's program: the matching frames only */
  quiet: Buffer;
  /** the main socket's: every frame but those */
  main: Buffer;
}

/** Both programs; with no peers, the quiet one refuses everything and the main one passes everything. */
export function quietFilters(opts: QuietFilterOptions): QuietFilters {
  return { quiet: assemble(program(opts, WHOLE, 0)), main: assemble(program(opts, 0, WHOLE)) };
}

/** The test "EtherType, payload prefix, one of the peers" returning `match` or `other`. */
function program(opts: QuietFilterOptions, match: number, other: number): Insn[] {
  const macs = opts.peers.slice(0, QUIET_MAX_PEERS).map((text) => {
    const mac = parseMac(text);
    if (mac === null) throw new Error(`quietFilters: bad MAC ${text}`);
    return mac;
  });
  if (macs.length === 0 || opts.prefix.length === 0) return [{ code: RET_K, k: other }];
  const prog: Insn[] = [
    // long enough for every load below: a load past the end would make the kernel drop
    // the frame from both sockets (a short frame is the main socket's, to be counted malformed)
    { code: LD_W_LEN, k: 0 },
    { code: JGE_K, k: PAYLOAD + opts.prefix.length, jt: 'next', jf: 'other' },
    { code: LD_H_ABS, k: TYPE },
    { code: JEQ_K, k: opts.ethertype, jt: 'next', jf: 'other' },
  ];
  // the prefix in 4-, 2- and 1-octet loads
  const p = Buffer.from(opts.prefix);
  for (let at = 0; at < p.length; ) {
    const size = p.length - at >= 4 ? 4 : p.length - at >= 2 ? 2 : 1;
    const code = size === 4 ? LD_W_ABS : size === 2 ? LD_H_ABS : LD_B_ABS;
    const k = size === 4 ? p.readUInt32BE(at) : size === 2 ? p.readUInt16BE(at) : p[at]!;
    prog.push({ code, k: PAYLOAD + at }, { code: JEQ_K, k, jt: 'next', jf: 'other' });
    at += size;
  }
  macs.forEach((mac, i) => {
    const nextPeer = i + 1 < macs.length ? `peer${i + 1}` : 'other';
    prog.push(
      { code: LD_W_ABS, k: SRC, ...(i > 0 ? { label: `peer${i}` } : {}) },
      { code: JEQ_K, k: mac.readUInt32BE(0), jt: 'next', jf: nextPeer },
      { code: LD_H_ABS, k: SRC + 4 },
      { code: JEQ_K, k: mac.readUInt16BE(4), jt: 'match', jf: nextPeer },
    );
  });
  prog.push({ code: RET_K, k: other, label: 'other' }, { code: RET_K, k: match, label: 'match' });
  return prog;
}
