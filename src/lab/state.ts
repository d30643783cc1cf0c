// The lab's state directory (/run/lsoe-lab/<name>/): lab.json (the plan),
// topology.json (the links as given), PID files, sockets, logs and daemon
// configs. It is how separate `lsoe lab …` processes find one another.
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { LabPlan } from './plan.js';

export const PLAN_FILE = 'lab.json';

export function writePlan(plan: LabPlan): void {
  try {
    mkdirSync(plan.stateDir, { recursive: true, mode: 0o755 });
  } catch (err) {
    // Another lab's `down` removed the (then empty) root between our two mkdirs: once more.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(plan.stateDir, { recursive: true, mode: 0o755 });
  }
  const tmp = path.join(plan.stateDir, `${PLAN_FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify(plan, null, 2) + '\n');
  renameSync(tmp, path.join(plan.stateDir, PLAN_FILE));
  const links = plan.links.map((l) => [l.upper.node, l.lower.node]);
  writeFileSync(plan.topologyFile, JSON.stringify(links, null, 2) + '\n');
}

/** The plan of a lab, or null when there is none (or it is unreadable: a crash mid-write). */
export function readPlan(stateDir: string): LabPlan | null {
  try {
    const plan = JSON.parse(readFileSync(path.join(stateDir, PLAN_FILE), 'utf8')) as LabPlan;
    return Array.isArray(plan.nodes) && Array.isArray(plan.links) ? plan : null;
  } catch {
    return null;
  }
}
