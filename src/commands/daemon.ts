// `lsoe daemon`: the LSOE protocol on this switch, in the foreground.
import { Command, Option } from 'commander';
import { CliError } from '../cli-error.js';
import { CONFIG_KEYS } from '../daemon/config-keys.js';
import { refuseTogether } from './conflicts.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** commander's attribute name for a flag: 'report-rfc7752-url' → 'reportRfc7752Url' */
function attributeOf(key: string): string {
  return key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function register(program: Command): void {
  const cmd = program
    .command('daemon')
    .description('run LSOE on this switch: discover neighbours, keep sessions, announce and learn addresses')
    .option('-c, --config <FILE>', 'lsoed-compatible INI file (section [lsoed]); flags override it')
    .option('-i, --interface <GLOB>', "interface to run on; globs, '!' excludes; repeatable (default: every up Ethernet interface)", collect)
    .option('--plugin <FILE.js>', 'vendor plugin module (see examples/); repeatable', collect)
    .option('--debug <LIST>', 'debug logs for these subsystems, comma-separated: core, fsm, io, iface, config, report, plugin, bounds, ctl, or all')
    .addOption(new Option('--log-format <FORMAT>', 'log lines on stderr').choices(['text', 'json']).default('text'))
    .option('--socket <PATH>', 'control socket (default $LSOE_SOCKET or /run/lsoe/lsoe.sock); exits 1 if it cannot be created')
    .option('--no-socket', 'no control socket (and no admin socket)')
    .option('--socket-group <GROUP>', 'group allowed to use the control socket')
    .option('--admin-socket <PATH>', 'socket for requests that change state, such as lsoe clear (default: beside the control socket, lsoe-admin.sock), mode 0600')
    .option('--admin-socket-group <GROUP>', 'group also allowed to use the admin socket (mode 0660)')
    .option('--metrics <ADDR:PORT>', 'serve Prometheus /metrics on ADDR:PORT (a port alone = 127.0.0.1); same as --metrics-listen');
  refuseTogether(cmd, [
    ['socket', 'no-socket'],
    ['admin-socket', 'no-socket'],
    ['admin-socket-group', 'no-socket'],
    ['socket-group', 'no-socket'],
  ]);
  for (const k of CONFIG_KEYS) {
    if (k.key === 'interface') continue; // -i above, repeatable
    const def = k.def === '' ? '' : ` (default ${k.def})`;
    // a bare --looking-glass means yes
    const arg = k.key === 'looking-glass' ? `[${k.arg}]` : `<${k.arg}>`;
    cmd.option(`--${k.key} ${arg}`, `${k.help}${def}`);
  }
  cmd
    .addHelpText(
      'after',
      `
Every key of the configuration file is also a flag of the same name.
Signals: SIGTERM/SIGINT withdraw what was reported, close the sessions and
exit 0; SIGHUP reloads the configuration file.

Examples:
  lsoe daemon -i 'eth*' -i '!eth0'
  lsoe daemon -c /etc/lsoe/lsoed.conf --log-format json --debug fsm
  lsoe daemon --report-rfc7752-url unix:/run/collector.sock --hello-interval 5
  lsoe daemon --metrics 9717           # http://127.0.0.1:9717/metrics
  lsoe daemon --metrics 0.0.0.0:9717 --looking-glass   # on every address`,
    )
    .action(async (opts: Record<string, unknown>) => {
      // Before the daemon's modules load: loading them would grow the young generation for good.
      // (Imported here: node:v8 and the streams it pulls in are not every command's.)
      const [{ holdYoungGeneration }, { optimiseOnlyBusyCode }] = await Promise.all([import('../daemon/heap.js'), import('../daemon/tiering.js')]);
      holdYoungGeneration();
      optimiseOnlyBusyCode();
      const flags: Record<string, string> = {};
      for (const k of CONFIG_KEYS) {
        const v = opts[attributeOf(k.key)];
        if (typeof v === 'string') flags[k.key] = v;
        else if (v === true) flags[k.key] = 'yes';
      }
      if (typeof opts.metrics === 'string' && flags['metrics-listen'] === undefined) flags['metrics-listen'] = opts.metrics;
      const interfaces = (opts.interface as string[] | undefined) ?? [];
      if (interfaces.length > 0) flags.interface = interfaces.join(' ');
      let socket: string | null = null;
      let adminSocket: string | null = null;
      if (opts.socket !== false) {
        const [{ resolveSocketPath }, { adminSocketPath }] = await Promise.all([import('../ctl/socket-path.js'), import('../ctl/protocol.js')]);
        socket = resolveSocketPath(typeof opts.socket === 'string' ? opts.socket : undefined);
        adminSocket = typeof opts.adminSocket === 'string' ? opts.adminSocket : adminSocketPath(socket);
      }
      const { runDaemon } = await import('../daemon/run.js');
      if (opts.logFormat !== 'text' && opts.logFormat !== 'json') throw new CliError('--log-format: text or json', 2);
      await runDaemon({
        configFile: typeof opts.config === 'string' ? opts.config : undefined,
        flags,
        debug: typeof opts.debug === 'string' ? opts.debug : undefined,
        logFormat: opts.logFormat,
        plugins: (opts.plugin as string[] | undefined) ?? [],
        socket,
        socketGroup: typeof opts.socketGroup === 'string' ? opts.socketGroup : undefined,
        adminSocket,
        ...(typeof opts.adminSocketGroup === 'string' ? { adminSocketGroup: opts.adminSocketGroup } : {}),
        version: program.version() ?? '0.0.0',
      });
    });
}
