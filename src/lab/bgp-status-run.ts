// `lsoe lab status --bgp`: every link as BGP-LS reports it (gobgpd's dump of the
// UPDATEs it received, read back with our decoders, its halves paired), then each
// switch's session as gobgpd sees it, its Accepted count beside what the dump holds.
import { CliError } from '../cli-error.js';
import { createOutput } from '../render/output.js';
import type { BgpLinkEnd } from './bgp-links.js';
import { BgpLabWatcher } from './bgp-watch.js';
import { bgpOf, type LabPlan } from './plan.js';

const endText = (e: BgpLinkEnd): string => (e.node === null ? e.routerId : `${e.node} ${e.ifname ?? e.address ?? '?'}`);

/** Returns the exit code: 0, or 1 when gobgpd cannot be asked or its counts and the dump disagree. */
export async function runLabBgpStatus(plan: LabPlan, json: boolean): Promise<number> {
  const bgp = bgpOf(plan);
  if (bgp === null) throw new CliError(`lab ${plan.name} runs without BGP (start it with: lsoe lab up --bgp)`, 1);
  const watcher = new BgpLabWatcher(plan);
  watcher.readDump();
  await watcher.pollNeighbors();
  // gobgpd may have taken more UPDATEs while we asked: read those too
  watcher.readDump();
  const s = watcher.status();
  const out = createOutput({ json });
  for (const l of s.links) out.record(l);
  for (const p of s.peers) out.record(p);

  const planned = s.links.filter((l) => l.link !== null);
  const paired = planned.filter((l) => l.paired).length;
  const established = s.peers.filter((p) => p.state === 'established').length;
  out.line(`lab ${plan.name}: ${paired} of ${planned.length} links paired in BGP-LS; ${established} of ${s.peers.length} switches established with gobgpd (${bgp.address}, AS ${bgp.asn})`);
  const mark = (yes: boolean): string => (yes ? out.style.green('yes') : out.style.red('no'));
  out.table(
    ['Link', 'Upper', 'Lower', 'Upper half', 'Lower half', 'Paired'],
    s.links.map((l) => [l.link === null ? '-' : String(l.link), endText(l.upper), endText(l.lower), mark(l.upper.inBgp), mark(l.lower.inBgp), mark(l.paired)]),
  );
  out.line('');
  out.table(
    ['Switch', 'Address', 'BGP state', 'Received', 'Accepted', 'In dump'],
    s.peers.map((p) => [p.node, p.address, p.state === 'established' ? out.style.green(p.state) : out.style.red(p.state), String(p.received), String(p.accepted), String(p.dumped)]),
  );
  let code = 0;
  if (watcher.problem !== null) {
    out.note(`cannot read everything: ${watcher.problem}`);
    code = 1;
  }
  for (const p of s.peers.filter((x) => !x.agrees)) {
    // the dump keeps every UPDATE, also what gobgpd discarded (treat-as-withdraw)
    out.note(`${p.node}: gobgpd accepted ${p.accepted} NLRI but its dump holds ${p.dumped} from it${p.dumped > p.accepted ? ' (gobgpd discarded some, or took them in after it was asked)' : ''}`);
    code = 1;
  }
  return code;
}
