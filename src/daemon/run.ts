// `lsoe daemon`: wires the core to the real world (libpcap links, kernel interface
// events, the wall clock, the northbound collector, plugins, the control socket,
// signals). Runs in the foreground and logs to stderr.
import { systemErrorText } from '../cli-context.js';
import { readFile } from 'node:fs/promises';
import { CliError } from '../cli-error.js';
import type { ControlExtensions } from '../ctl/handlers.js';
import type { InterfaceMonitor } from '../io/interface-monitor.js';
import { DAEMON_TIMER_SLACK, guardedClock, realClock } from './clock.js';
import { BgpConfigError } from './bgp-config.js';
import { LazyBgpNorthbound } from './bgp-lazy.js';
import { buildConfig, ConfigError, type DaemonConfig } from './config.js';
import { Daemon } from './core.js';
import { deriveLocalId, readIdentitySources } from './local-id.js';
import { createLogger, parseDebugList, type Logger } from './log.js';
import { loadPlugin, PluginError, PluginRegistry } from './plugins.js';
import { reloadConfiguration } from './reload.js';
import { warnAboutConfig } from './start-warnings.js';

import { Reporter, type Rfc7752Report } from './report.js';
import type { MetricsService } from '../metrics/service.js';

export interface DaemonRunOptions {
  configFile?: string;
  /** configuration keys given as flags, by key name */
  flags: Record<string, string>;
  debug?: string;
  logFormat: 'text' | 'json';
  plugins: string[];
  /** control socket path; null = none */
  socket: string | null;
  socketGroup?: string;
  /** admin socket path (requests that change state); null = none */
  adminSocket: string | null;
  adminSocketGroup?: string;
  version: string;
}

/** Seconds a shutdown waits for the collector to take the withdrawals. */
const SHUTDOWN_FLUSH = 3;

async function loadConfig(opts: DaemonRunOptions): Promise<DaemonConfig> {
  let file: { path: string; text: string } | undefined;
  if (opts.configFile !== undefined) {
    try {
      file = { path: opts.configFile, text: await readFile(opts.configFile, 'utf8') };
    } catch (err) {
      throw new ConfigError(`${opts.configFile}: cannot read: ${systemErrorText(err)}`);
    }
  }
  return buildConfig({ file, flags: opts.flags });
}

function localIdOf(config: DaemonConfig): string {
  return config.localId ?? deriveLocalId(readIdentitySources());
}

/**
 * Signal handlers installed before the first `await` of start-up: a SIGTERM or SIGINT
 * that comes while we start exits at once (nothing is on the wire yet); a SIGHUP then is
 * moot (the file is being read). Once running, `route` takes over.
 */
function earlySignals(): { route(term: (signal: string) => void, hup: () => void): void } {
  let term: ((signal: string) => void) | null = null;
  let hup: (() => void) | null = null;
  process.on('SIGTERM', () => (term ? term('SIGTERM') : process.exit(0)));
  process.on('SIGINT', () => (term ? term('SIGINT') : process.exit(0)));
  process.on('SIGHUP', () => hup?.());
  return {
    route(t, h) {
      term = t;
      hup = h;
    },
  };
}

export async function runDaemon(opts: DaemonRunOptions): Promise<void> {
  const signals = earlySignals();
  let debug;
  try {
    debug = parseDebugList(opts.debug ?? '');
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  let config: DaemonConfig;
  try {
    config = await loadConfig(opts);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, 2);
    throw err;
  }
  const log: Logger = createLogger({ format: opts.logFormat, debug, write: (l) => process.stderr.write(l) });

  const { canCaptureRaw, PRIVILEGE_HINT } = await import('../io/privilege.js');
  if (!canCaptureRaw()) throw new CliError(PRIVILEGE_HINT, 1);

  const plugins = new PluginRegistry(log, opts.version);
  for (const file of opts.plugins) {
    try {
      await loadPlugin(plugins, file);
    } catch (err) {
      if (err instanceof PluginError) throw new CliError(err.message, 2);
      throw err;
    }
    log.log('info', 'plugin', `loaded plugin ${file}`, { enterpriseNumbers: plugins.enterpriseNumbers() });
  }

  // A bug on a timer path (retransmission, keepalive, reporter retry) is logged in one
  // line and the daemon keeps running; it never crashes with a stack trace.
  const clock = guardedClock(realClock(DAEMON_TIMER_SLACK), (err) => log.log('error', 'core', `timer failed: ${errorLine(err)}`));
  let reporter: Reporter | null = null;
  const setReporter = (url: string | null) => {
    if (url === null) {
      reporter?.close();
      reporter = null;
    } else if (reporter === null) {
      reporter = new Reporter({ url, clock, log });
    } else {
      reporter.setUrl(url);
    }
  };
  setReporter(config.reportRfc7752Url);

  const [{ watchInterfaces }, { openEndpointLink, endpointLinkKind, drainQuietLinks }] = await Promise.all([
    import('../io/interface-monitor.js'),
    import('../io/endpoint-link.js'),
  ]);
  let monitor: InterfaceMonitor;
  try {
    // no periodic re-read: kernel events, and a full re-read when they were lost (idle costs nothing)
    monitor = await watchInterfaces();
  } catch (err) {
    throw new CliError(`cannot read the interfaces: ${(err as Error).message}`, 1);
  }
  monitor.on('error', (err) => log.log('error', 'iface', err.message));
  monitor.on('lost', (line) => log.log('warning', 'iface', `interface events lost (ip monitor: ${line}); interface table re-read`));

  let localId = localIdOf(config);
  const core = new Daemon({
    config,
    localId,
    clock,
    log,
    openLink: async (ifname, ethertype) => {
      const iface = monitor.current().find((i) => i.name === ifname);
      if (iface === undefined) throw new Error(`${ifname}: no such interface`);
      return openEndpointLink(iface, { ethertype, groups: [config.helloMulticastMacaddr], clock });
    },
    report: (r: Rfc7752Report) => {
      if (log.debugEnabled('report')) log.log('debug', 'report', 'report', { report: r });
      reporter?.submit(r);
    },
    plugins,
    version: opts.version,
    // the open neighbours' KEEPALIVEs wait on quiet sockets, unpolled, until we are awake anyway
    drainQueued: drainQuietLinks,
    // Without a report URL the report counters stay the core's zeros (NO_EXTRA_COUNTERS):
    // the `counters` answer has the same keys on every daemon.
    extraCounters: () => ({ ...reporter?.counters, ...plugins.counters, reportBacklog: reporter?.backlog() ?? 0 }),
  });

  // BGP-LS northbound: reads the core, never feeds it (PROTOCOL.md section 8); loaded
  // only when a bgp-peer is configured.
  const bgp = new LazyBgpNorthbound({ core, clock, log, interfaces: () => monitor.current() });
  try {
    await bgp.prepare(config);
    bgp.configure(config);
  } catch (err) {
    if (!(err instanceof BgpConfigError)) throw err;
    monitor.close();
    (reporter as Reporter | null)?.close();
    throw new CliError(err.message, 2);
  }

  // Several kernel events come in a burst: one table update for all of them.
  let pending = false;
  monitor.on('change', () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      try {
        core.updateInterfaces(monitor.current());
        bgp.changed();
      } catch (err) {
        log.log('error', 'iface', `interface change not applied: ${errorLine(err)}`);
      }
    });
  });

  log.log('info', 'core', `lsoe daemon ${opts.version} starting`, {
    localId,
    ethertype: `0x${config.ethertype.toString(16)}`,
    interfaces: config.interfaces.length > 0 ? config.interfaces : 'every up Ethernet interface',
    capture: endpointLinkKind(),
  });
  // The control socket comes before anything goes on the wire: an operator who asked for
  // one (the default) gets a daemon they can talk to, or an exit 1 that says why.
  const ext: ControlExtensions = { bgp: () => bgp.status(), subscribeBgp: (listener) => bgp.subscribe(listener) };
  const ctl: Array<{ close(): Promise<void> }> = [];
  // The metrics service and its modules load only once metrics-listen is set.
  let metrics: MetricsService | null = null;
  const loadMetrics = async (listen: string | null): Promise<void> => {
    if (metrics !== null || listen === null) return;
    const { MetricsService } = await import('../metrics/service.js');
    metrics ??= new MetricsService(core, { info: (m) => log.log('info', 'ctl', m), error: (m) => log.log('error', 'ctl', m) }, ext);
  };
  const applyMetrics = async (listen: string | null): Promise<void> => {
    await loadMetrics(listen);
    await (metrics as MetricsService | null)?.apply(listen);
  };
  // Loaded before the control socket opens, so that the listener follows it as closely as
  // it always did (a client that finds the control socket finds the metrics too).
  await loadMetrics(config.metricsListen);
  try {
    if (opts.socket !== null) ctl.push(await startControl(core, opts.socket, opts.socketGroup, log, () => config.maxControlConnections, false, ext));
    if (opts.adminSocket !== null) ctl.push(await startControl(core, opts.adminSocket, opts.adminSocketGroup, log, () => config.maxControlConnections, true, ext));
    await applyMetrics(config.metricsListen).catch((err: Error) => {
      throw new CliError(`metrics-listen: ${err.message}`, 1);
    });
  } catch (err) {
    monitor.close();
    (reporter as Reporter | null)?.close();
    for (const c of ctl) await c.close().catch(() => undefined);
    throw err;
  }
  warnAboutConfig(config, monitor.current(), log);
  core.start(monitor.current());
  bgp.changed();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log('info', 'core', `${signal}: closing sessions and exiting`);
    await bgp.stop();
    core.stop();
    monitor.close();
    const r = reporter as Reporter | null;
    if (r !== null) {
      await r.flush(SHUTDOWN_FLUSH);
      if (r.backlog() > 0) log.log('warning', 'report', `exiting with ${r.backlog()} reports undelivered`);
    }
    for (const c of ctl) await c.close().catch(() => undefined);
    await (metrics as MetricsService | null)?.close();
    process.exit(0);
  };
  // Reloads one after another: a SIGHUP during a reload waits for it, and only the
  // newest waiting one runs (it reads the file as it is by then).
  let reloading: Promise<unknown> = Promise.resolve();
  let reloadWaiting = false;
  const reload = () => {
    if (opts.configFile === undefined) {
      log.log('warning', 'config', 'SIGHUP: no configuration file (-c) to reload; the flags stay as given');
      return;
    }
    if (reloadWaiting) return;
    reloadWaiting = true;
    reloading = reloading.then(() => {
      reloadWaiting = false;
      return reloadConfiguration(
        async () => {
          const next = await loadConfig(opts);
          await bgp.prepare(next); // a bgp-peer added: its modules load before the configuration applies
          return next;
        },
        (next) => {
          bgp.configure(next);
          const nextId = localIdOf(next);
          core.reconfigure(next, nextId);
          setReporter(next.reportRfc7752Url);
          applyMetrics(next.metricsListen).catch((err: Error) => log.log('error', 'config', `metrics-listen: ${err.message}; the old listener stays`));
          config = next;
          localId = nextId;
          log.log('info', 'config', 'configuration reloaded', { localId, file: opts.configFile });
          warnAboutConfig(next, monitor.current(), log);
        },
        log,
      );
    });
  };
  signals.route((signal) => void shutdown(signal), reload);

  // Runs until a signal; the links, timers and the monitor keep the process alive.
  await new Promise<never>(() => undefined);
}

/** An error as one line (never a stack). */
function errorLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** Starts the control socket; any failure is a CliError (exit 1) naming the path. */
async function startControl(
  core: Daemon,
  path: string,
  group: string | undefined,
  log: Logger,
  maxConnections: () => number,
  admin: boolean,
  extensions: ControlExtensions,
): Promise<{ close(): Promise<void> }> {
  const cannot = (why: string) =>
    new CliError(`cannot start the ${admin ? 'admin' : 'control'} socket ${path}: ${why} (--no-socket runs without one)`, 1);
  let mod: { startControlServer?: unknown };
  try {
    mod = (await import('../ctl/server.js')) as { startControlServer?: unknown };
  } catch (err) {
    throw cannot(`the control server does not load: ${errorLine(err)}`);
  }
  if (typeof mod.startControlServer !== 'function') throw cannot('this build has no control server');
  const start = mod.startControlServer as (
    c: Daemon,
    o: {
      path: string;
      group?: string;
      admin: boolean;
      maxConnections: () => number;
      extensions: ControlExtensions;
      log: { debug(m: string): void; info(m: string): void; warn(m: string): void };
    },
  ) => Promise<{ close(): Promise<void> }>;
  try {
    return await start(core, {
      path,
      admin,
      maxConnections,
      extensions,
      ...(group !== undefined ? { group } : {}),
      log: {
        debug: (m) => log.log('debug', 'ctl', m),
        info: (m) => log.log('info', 'ctl', m),
        warn: (m) => log.log('warning', 'ctl', m),
      },
    });
  } catch (err) {
    throw cannot(errorLine(err));
  }
}
