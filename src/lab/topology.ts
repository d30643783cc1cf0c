// The lab's fabric as a list of links, in the reference demo's format: a JSON
// array of `[upper, lower]` node-name pairs. From it come the nodes and their
// layers (spines above leaves), which is all the drawing and the plan need.
// Pure: the caller reads the file.

export type LinkPair = readonly [upper: string, lower: string];

export interface Topology {
  /** node names, top layer first, each layer in order of first appearance */
  nodes: string[];
  /** 0 for nodes that are nobody's lower end, else 1 + the deepest upper neighbour */
  layers: Map<string, number>;
  links: LinkPair[];
}

/** Node names become namespace and interface names: keep them to what `ip` accepts everywhere. */
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

export class TopologyError extends Error {
  override readonly name = 'TopologyError';
}

/** The reference demo's default: every spine linked to every leaf. */
export function clos(spines: number, leaves: number): LinkPair[] {
  const links: LinkPair[] = [];
  for (let s = 0; s < spines; s++) {
    for (let l = 0; l < leaves; l++) links.push([`spine${s}`, `leaf${l}`]);
  }
  return links;
}

/** Checks a parsed topology file; `where` names the file in error messages. */
export function parseLinks(value: unknown, where: string): LinkPair[] {
  if (!Array.isArray(value)) throw new TopologyError(`${where}: want a JSON list of [upper, lower] pairs`);
  if (value.length === 0) throw new TopologyError(`${where}: no links`);
  return value.map((item: unknown, i): LinkPair => {
    if (!Array.isArray(item) || item.length !== 2 || typeof item[0] !== 'string' || typeof item[1] !== 'string') {
      throw new TopologyError(`${where}: link ${i}: want a pair of node names like ["spine0", "leaf0"]`);
    }
    const [upper, lower] = item as [string, string];
    for (const name of [upper, lower]) {
      if (!NODE_NAME.test(name)) {
        throw new TopologyError(`${where}: link ${i}: bad node name '${name}' (letters, digits, _ . -, at most 32)`);
      }
    }
    if (upper === lower) throw new TopologyError(`${where}: link ${i}: '${upper}' linked to itself`);
    return [upper, lower];
  });
}

export function parseTopologyText(text: string, where: string): LinkPair[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TopologyError(`${where}: not JSON: ${(err as Error).message}`);
  }
  return parseLinks(value, where);
}

export function buildTopology(links: LinkPair[]): Topology {
  const nodes: string[] = [];
  const seen = new Set<string>();
  const uppers = new Map<string, string[]>();
  for (const [upper, lower] of links) {
    for (const n of [upper, lower]) {
      if (!seen.has(n)) {
        seen.add(n);
        nodes.push(n);
        uppers.set(n, []);
      }
    }
    uppers.get(lower)!.push(upper);
  }
  const layers = new Map<string, number>();
  const visiting = new Set<string>();
  const layerOf = (n: string): number => {
    const known = layers.get(n);
    if (known !== undefined) return known;
    if (visiting.has(n)) throw new TopologyError(`topology: a loop of upper/lower links passes through '${n}'`);
    visiting.add(n);
    let layer = 0;
    for (const u of uppers.get(n)!) layer = Math.max(layer, layerOf(u) + 1);
    visiting.delete(n);
    layers.set(n, layer);
    return layer;
  };
  for (const n of nodes) layerOf(n);
  // Top layer first (spines before leaves), each layer in order of appearance.
  const ordered = nodes.map((n, i) => ({ n, i })).sort((a, b) => layers.get(a.n)! - layers.get(b.n)! || a.i - b.i);
  return { nodes: ordered.map((x) => x.n), layers, links };
}
