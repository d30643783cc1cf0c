// What the collector sends the page when its view changed. A 40-switch view is ~0.5 MB
// and a link flap changes two of its 40 switches and one of its 256 links: the page gets
// only the parts that changed ("change" event), whole views only when the view's shape
// changed (another switch, another lab) or when it connects or falls behind, and only the
// heard times when nothing else moved ("heard" event, see splitHeard). Pure.
import { splitHeard, type LabBgpView, type LabView } from './view.js';

/** The changed parts of a view, each with its index in the view's arrays; `bgp` only when it changed. */
export interface ViewChange {
  links: [number, LabView['links'][number]][];
  nodes: [number, LabView['nodes'][number]][];
  switches: [number, LabView['switches'][number]][];
  bgp?: LabBgpView | null;
}

/** A view as JSON text part by part, heard times apart: what two views are compared by. */
export interface ViewText {
  shape: string;
  links: string[];
  nodes: string[];
  switches: string[];
  bgp: string;
  heard: string;
}

export function viewText(v: LabView): ViewText {
  const { rest, heard } = splitHeard(v);
  return {
    shape: JSON.stringify([rest.lab, rest.links.length, rest.nodes.length, rest.switches.map((s) => s.id)]),
    links: rest.links.map((l) => JSON.stringify(l)),
    nodes: rest.nodes.map((n) => JSON.stringify(n)),
    switches: rest.switches.map((s) => JSON.stringify(s)),
    bgp: JSON.stringify(rest.bgp),
    heard: JSON.stringify(heard),
  };
}

/**
 * What to send for the step from `before` to `next` (whose text is `after`): nothing; only
 * the heard times; the changed parts (and the heard times too when others moved as well);
 * or the whole view (no view before, or another shape).
 */
export type ViewStep =
  | { kind: 'same' }
  | { kind: 'heard' }
  | { kind: 'whole' }
  | { kind: 'change'; change: ViewChange; heardToo: boolean };

export function viewStep(before: ViewText | null, after: ViewText, next: LabView): ViewStep {
  if (before === null || before.shape !== after.shape) return { kind: 'whole' };
  const changed = <T>(was: string[], is: string[], items: T[]): [number, T][] =>
    is.flatMap((text, i) => (text === was[i] ? [] : [[i, items[i]!] as [number, T]]));
  const change: ViewChange = {
    links: changed(before.links, after.links, next.links),
    nodes: changed(before.nodes, after.nodes, next.nodes),
    switches: changed(before.switches, after.switches, next.switches),
  };
  if (before.bgp !== after.bgp) change.bgp = next.bgp;
  const any = change.links.length + change.nodes.length + change.switches.length > 0 || 'bgp' in change;
  const heardMoved = before.heard !== after.heard;
  if (any) return { kind: 'change', change, heardToo: heardMoved };
  return heardMoved ? { kind: 'heard' } : { kind: 'same' };
}

/** `v` with `c` laid over it (in place; returned for convenience). What the page does, for tests and benches. */
export function applyChange(v: LabView, c: ViewChange): LabView {
  for (const [i, l] of c.links) v.links[i] = l;
  for (const [i, n] of c.nodes) v.nodes[i] = n;
  for (const [i, s] of c.switches) v.switches[i] = s;
  if ('bgp' in c) v.bgp = c.bgp ?? null;
  return v;
}
