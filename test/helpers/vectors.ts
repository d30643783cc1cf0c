// Loads ../shared/vectors (relative to the repo root) for the protocol tests.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Vector {
  name: string;
  /** Ethernet frames, hex */
  frames: string[];
  /** reassembled PDU, hex */
  pdu: string;
  expect: Record<string, unknown>;
}
export interface BadVector {
  name: string;
  frame: string;
  reason: string;
}
export interface VectorFile {
  about: string;
  ethertype: string;
  vectors: Vector[];
  bad: BadVector[];
}

/** The repo root: the nearest directory above this file holding package.json. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export function vectorsDir(): string {
  return path.resolve(repoRoot(), '../shared/vectors');
}

export function loadReferenceVectors(): VectorFile {
  return JSON.parse(readFileSync(path.join(vectorsDir(), 'reference-vectors.json'), 'utf8')) as VectorFile;
}
