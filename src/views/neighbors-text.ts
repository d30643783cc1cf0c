// `lsoe neighbors` for people: a table with one row per neighbour (and one per interface
// with none), or with --details one block per interface as `lldpcli show neighbors
// details` and vtysh's "Last reset due to" print it. Pure functions of data and time.
import type { InterfaceNeighbors, NeighborView } from '../daemon/core.js';
import type { NeighborAddress } from '../daemon/views.js';
import { formatDuration, secondsSince } from '../render/duration.js';
import { formatLocalId } from '../proto/local-id.js';
import { plural } from '../render/plural.js';

export const NEIGHBORS_HEAD = ['Interface', 'Peer MAC', 'Local ID', 'State', 'For', 'Flaps', 'Primary address', 'Last down'];
/** dropped in this order (last first) when the table is wider than the terminal */
export const NEIGHBORS_OPTIONAL = [2, 6, 7];

export function sortInterfaces(list: readonly InterfaceNeighbors[]): InterfaceNeighbors[] {
  return [...list].sort((a, b) => a.ifname.localeCompare(b.ifname, 'en', { numeric: true }));
}

function forText(n: NeighborView, nowMs: number): string {
  const s = secondsSince(n.since, nowMs);
  return s === null ? '-' : formatDuration(s);
}

/** "up for 5m", or for a held-down neighbour when the hold-down ends. */
function heldOrFor(n: NeighborView, state: string, nowMs: number): string {
  if (n.until === null) return `${state} for ${forText(n, nowMs)}`;
  const left = secondsSince(n.until, nowMs);
  return `until ${n.until} (${left === null ? '-' : formatDuration(Math.max(0, -left))} left; lsoe clear releases it)`;
}

function addressText(a: NeighborAddress): string {
  return `${a.address}/${a.prefixLength}`;
}

function primary(n: NeighborView): string {
  const p = [...n.ipv4, ...n.ipv6].find((a) => a.primary) ?? n.ipv4[0] ?? n.ipv6[0];
  return p === undefined ? '-' : addressText(p);
}

function ifaceState(i: InterfaceNeighbors): string {
  return !i.up ? 'link down' : i.running ? 'no neighbour' : 'not running';
}

export function neighborRows(list: readonly InterfaceNeighbors[], nowMs: number): string[][] {
  const rows: string[][] = [];
  for (const i of list) {
    if (i.neighbors.length === 0) rows.push([i.ifname, '-', '-', ifaceState(i), '-', '-', '-', '-']);
    for (const n of i.neighbors) {
      rows.push([
        i.ifname,
        n.peerMac,
        formatLocalId(n.peerId),
        n.state,
        forText(n, nowMs),
        String(n.flaps),
        primary(n),
        n.lastDown?.reason ?? '-',
      ]);
    }
  }
  return rows;
}

function addressLines(label: string, list: readonly NeighborAddress[]): string[] {
  if (list.length === 0) return [];
  const flags = (a: NeighborAddress) => [a.primary ? 'primary' : '', a.loopback ? 'loopback' : ''].filter((f) => f !== '').join(', ');
  return list.map((a) => `    ${label.padEnd(12)}${addressText(a)}${flags(a) ? ` (${flags(a)})` : ''}`);
}

export function neighborDetails(list: readonly InterfaceNeighbors[], nowMs: number): string {
  const out: string[] = [];
  for (const i of list) {
    out.push(`Interface ${i.ifname}${i.mac ? ` (${i.mac})` : ''}: link ${i.up ? 'up' : 'down'}, LSOE ${i.running ? 'running' : 'not running'}, ${plural(i.neighbors.length, 'neighbour')}`);
    for (const n of i.neighbors) {
      const state = n.state === 'open' ? 'up' : n.state;
      out.push(`  Neighbour ${n.peerMac}`);
      out.push(`    ${'Local ID'.padEnd(12)}${formatLocalId(n.peerId)}`);
      out.push(`    ${'State'.padEnd(12)}${n.state}, ${heldOrFor(n, state, nowMs)}`);
      if (n.lastHeard !== null) out.push(`    ${'Last heard'.padEnd(12)}${forText({ ...n, since: n.lastHeard }, nowMs)} ago`);
      out.push(...addressLines('IPv4', n.ipv4), ...addressLines('IPv6', n.ipv6));
      out.push(`    ${'Flaps'.padEnd(12)}${n.flaps}`);
      if (n.lastDown !== null) {
        const ago = secondsSince(n.lastDown.time, nowMs);
        out.push(`    ${'Last down'.padEnd(12)}${n.lastDown.time}${ago === null ? '' : ` (${formatDuration(ago)} ago)`}, due to ${n.lastDown.reason}`);
      }
    }
  }
  return out.join('\n');
}
