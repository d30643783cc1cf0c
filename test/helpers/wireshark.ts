// Runs the real tshark with contrib/wireshark/lsoe.lua and turns what the
// dissector put in the tree into the records `lsoe decode --json` prints, so a
// test can compare the two field by field.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PduTypeNames } from '../../src/proto/types.js';
import { repoRoot } from './vectors.js';

export const DISSECTOR = path.join(repoRoot(), 'contrib', 'wireshark', 'lsoe.lua');

export function tsharkAvailable(): boolean {
  return spawnSync('tshark', ['--version']).status === 0;
}

/** tshark over `file` with the dissector loaded; two passes, so links to later frames are filled in. */
export function tshark(file: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const res = spawnSync('tshark', ['-n', '-2', '-X', `lua_script:${DISSECTOR}`, '-r', file, ...args], {
    maxBuffer: 512 * 1024 * 1024,
    timeout: 120_000,
  });
  return { code: res.status, stdout: res.stdout.toString(), stderr: res.stderr.toString() };
}

type Tree = Record<string, unknown>;

/** tshark --no-duplicate-keys gives one value or an array: make it an array. */
function all<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function one(tree: Tree, key: string): string {
  const v = tree[key];
  if (typeof v !== 'string') throw new Error(`dissector tree has no single ${key}: ${JSON.stringify(v)}`);
  return v;
}

/** Wireshark shows bytes as aa:bb:cc; lsoe as aabbcc. */
function hex(v: string): string {
  return v.replace(/:/g, '');
}

/** Every expert item of the lsoe layer, in tree order: [abbrev without lsoe.expert., message]. */
function experts(node: unknown, out: Array<{ reason: string; message: string }> = []): Array<{ reason: string; message: string }> {
  if (Array.isArray(node)) {
    for (const n of node) experts(n, out);
  } else if (node !== null && typeof node === 'object') {
    const tree = node as Tree;
    for (const [k, v] of Object.entries(tree)) {
      if (k === '_ws.expert') {
        for (const e of all(v as Tree | Tree[])) {
          const abbrev = Object.keys(e).find((x) => x.startsWith('lsoe.expert.'));
          if (abbrev) out.push({ reason: abbrev.slice('lsoe.expert.'.length), message: String(e['_ws.expert.message']) });
        }
      } else {
        experts(v, out);
      }
    }
  }
  return out;
}

function encapsFrom(pdu: Tree, mpls: boolean): Array<Record<string, unknown>> {
  return all(pdu['lsoe.encap'] as Tree | Tree[]).map((e) => {
    const flags = e['lsoe.encap.flags_tree'] as Tree;
    const out: Record<string, unknown> = {
      address: e['lsoe.encap.ipv4'] ?? e['lsoe.encap.ipv6'],
      prefixLength: Number(one(e, 'lsoe.encap.prefix_length')),
      primary: one(flags, 'lsoe.encap.primary') === '1',
      loopback: one(flags, 'lsoe.encap.loopback') === '1',
    };
    if (mpls) out.labels = all(e['lsoe.encap.label'] as string | string[]).map(hex);
    return out;
  });
}

/** The PDU in lsoe's JSON shape (PROTOCOL.md section 4), read from the dissector's fields. */
export function pduFromTree(pdu: Tree): Record<string, unknown> {
  const code = Number(one(pdu, 'lsoe.pdu.type'));
  const type: string = PduTypeNames[code] ?? 'UNKNOWN';
  switch (type) {
    case 'HELLO':
    case 'KEEPALIVE':
      return { type };
    case 'OPEN': {
      const out: Record<string, unknown> = {
        type,
        nonce: hex(one(pdu, 'lsoe.open.nonce')),
        localId: hex(one(pdu, 'lsoe.open.local_id')),
        attributes: hex(one(pdu, 'lsoe.open.attributes')),
      };
      const auth = hex(one(pdu, 'lsoe.open.auth'));
      if (auth !== '') out.auth = auth;
      return out;
    }
    case 'ACK': {
      const error = pdu['lsoe.ack.error_tree'] as Tree;
      return {
        type,
        ackType: Number(one(pdu, 'lsoe.ack.type')),
        errorType: Number(one(error, 'lsoe.ack.error_type')),
        errorCode: Number(one(error, 'lsoe.ack.error_code')),
        errorHint: Number(one(pdu, 'lsoe.ack.error_hint')),
      };
    }
    case 'VENDOR':
      return {
        type,
        enterpriseNumber: Number(one(pdu, 'lsoe.vendor.enterprise')),
        enterpriseType: Number(one(pdu, 'lsoe.vendor.type')),
        data: hex(one(pdu, 'lsoe.vendor.data')),
      };
    case 'UNKNOWN': {
      const length = Number(one(pdu, 'lsoe.pdu.length'));
      const head = code.toString(16).padStart(2, '0') + length.toString(16).padStart(4, '0');
      return { type, typeCode: code, raw: head + hex(one(pdu, 'lsoe.pdu.data')) };
    }
    default:
      return { type, encaps: encapsFrom(pdu, type.startsWith('MPLS')) };
  }
}

export interface DissectedRecord {
  frame: number;
  src?: string;
  dst?: string;
  frames?: number;
  length?: number;
  pdu?: Record<string, unknown>;
  error?: { reason: string; message: string };
}

/**
 * The records one capture dissects to, in the order `lsoe decode` prints them:
 * per frame, the refusals (expert info other than the fragment note) and then
 * the PDU when the frame completed one without a refusal.
 */
export function dissectedRecords(tsharkJson: string): DissectedRecord[] {
  const packets = JSON.parse(tsharkJson) as Array<{ _source: { layers: Tree } }>;
  const out: DissectedRecord[] = [];
  for (const p of packets) {
    const layers = p._source.layers;
    const frame = Number(one(layers['frame'] as Tree, 'frame.number'));
    for (const lsoe of all(layers['lsoe'] as Tree | Tree[])) {
      const refusals = experts(lsoe).filter((e) => e.reason !== 'fragment');
      for (const error of refusals) out.push({ frame, error });
      const pdu = lsoe['lsoe.pdu'] as Tree | undefined;
      if (pdu === undefined || refusals.some((e) => !e.message.includes('timed out'))) continue;
      const eth = layers['eth'] as Tree;
      const pieces = lsoe['lsoe.fragments'] as Tree | undefined;
      out.push({
        frame,
        src: one(eth, 'eth.src'),
        dst: one(eth, 'eth.dst'),
        frames: pieces ? Number(one(pieces, 'lsoe.fragment.count')) : 1,
        length: pieces ? Number(one(pieces, 'lsoe.reassembled.length')) : Number(one(lsoe, 'lsoe.frame.length')) - 8,
        pdu: pduFromTree(pdu),
      });
    }
  }
  return out;
}
