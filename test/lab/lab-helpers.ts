// Shared by the lab's end-to-end tests: unique lab names and ports, running
// bin/lsoe, and looking for anything a lab left behind.
import { jsonLines } from '../helpers/run-cli.js';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { execCommand, LSOE_BIN_PATH, type ExecResult } from '../helpers/netns.js';
import { listNamespaces } from '../../src/lab/netns.js';
import { netnsPrefix } from '../../src/lab/plan.js';

/** Lab names allow letters, digits and _: pid plus a random suffix keeps parallel runs apart. */
export function uniqueLabName(tag: string): string {
  return `${tag}${process.pid}_${randomBytes(2).toString('hex')}`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function lsoe(args: string[]): Promise<ExecResult> {
  return execCommand(process.execPath, [LSOE_BIN_PATH, ...args], { env: { ...process.env, NO_COLOR: '1' } });
}

export async function labNamespaces(name: string): Promise<string[]> {
  return (await listNamespaces()).filter((n) => n.startsWith(netnsPrefix(name)));
}

/** PIDs whose command line mentions a lab's state directory (as an argument or a path inside it). */
export function processesMentioning(stateDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.some((a) => a === stateDir || a.includes(stateDir + '/'))) pids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

/** `lsoe lab … --json` lines, each checked against docs/schema (lab.schema.json). */
export function parseJsonLines<T>(text: string): T[] {
  return jsonLines(text, 'lab') as T[];
}
