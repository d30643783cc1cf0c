// Two (or more) daemon cores on one in-memory Ethernet segment under a fake clock.
import type { NetInterface } from '../../src/io/interfaces.js';
import { MemorySegment } from '../../src/io/memory-link.js';
import { FakeClock, type Clock } from '../../src/daemon/clock.js';
import { buildConfig, type DaemonConfig } from '../../src/daemon/config.js';
import { Daemon, type LinkFactory } from '../../src/daemon/core.js';
import { memoryLogger } from '../../src/daemon/log.js';
import type { PluginRegistry } from '../../src/daemon/plugins.js';
import type { Rfc7752Report } from '../../src/daemon/report.js';
import type { DaemonEvent } from '../../src/daemon/views.js';
import type { SessionHooks } from '../../src/daemon/session-table.js';

export function iface(name: string, mac: string, addrs: string[] = [], up = true): NetInterface {
  return {
    name,
    index: 2,
    mac,
    adminUp: up,
    lowerUp: up,
    up,
    loopback: false,
    mtu: 1500,
    linkType: 'ether',
    addresses: addrs.map((a, i) => {
      const [address, len] = a.split('/');
      const v6 = address!.includes(':');
      return {
        family: v6 ? ('inet6' as const) : ('inet' as const),
        address: address!,
        prefixLength: Number(len),
        scope: 'global',
        secondary: !v6 && i > 0,
        tentative: false,
      };
    }),
  };
}

export function loIface(addrs: string[]): NetInterface {
  return { ...iface('lo', '00:00:00:00:00:00', addrs), mac: null, loopback: true, linkType: 'loopback', index: 1 };
}

export interface Node {
  core: Daemon;
  reports: Rfc7752Report[];
  events: DaemonEvent[];
  log: ReturnType<typeof memoryLogger>;
  table: NetInterface[];
  setTable(t: NetInterface[]): void;
}

/** Lets queued microtasks (memory-link deliveries) run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Advances the fake clock in small steps, letting frames flow between steps. */
export async function run(clock: FakeClock, seconds: number, stepSize = 0.1): Promise<void> {
  for (let t = 0; t < seconds - 1e-9; t += stepSize) {
    clock.advance(stepSize);
    await settle(3);
  }
}

let seed = 1;

export function makeNode(
  clock: Clock,
  segment: MemorySegment,
  opts: {
    ifname: string;
    mac: string;
    localId: string;
    addrs?: string[];
    flags?: Record<string, string>;
    config?: DaemonConfig;
    plugins?: PluginRegistry;
    /** the node's links (default: attached to `segment`) */
    openLink?: LinkFactory;
    drainQueued?: () => void;
  },
): Node {
  const log = memoryLogger();
  const reports: Rfc7752Report[] = [];
  const events: DaemonEvent[] = [];
  const config = opts.config ?? buildConfig({ flags: { 'local-id': opts.localId, ...(opts.flags ?? {}) } });
  let s = seed++ * 7919;
  const core = new Daemon({
    config,
    localId: opts.localId,
    clock,
    log,
    random: () => (s = (s * 1103515245 + 12345) >>> 0),
    openLink: opts.openLink ?? (async (ifname) => segment.attach(ifname, opts.mac)),
    ...(opts.drainQueued ? { drainQueued: opts.drainQueued } : {}),
    report: (r) => reports.push(r),
    ...(opts.plugins ? { plugins: opts.plugins } : {}),
  });
  core.subscribe((e) => events.push(e));
  const node: Node = {
    core,
    reports,
    events,
    log,
    table: [iface(opts.ifname, opts.mac, opts.addrs ?? [])],
    setTable(t) {
      node.table = t;
      core.updateInterfaces(t);
    },
  };
  core.start(node.table);
  return node;
}

/** Session hooks that do nothing, but for the ones given. */
export function hooks(over: Partial<SessionHooks> = {}): SessionHooks {
  return {
    send() {},
    up() {},
    down() {},
    report() {},
    withdraw() {},
    vendor() {},
    log() {},
    ...over,
  };
}
