// The options `decode` and `sniff` share, declared once: how records are
// selected and printed. A command adds them with addRecordOptions() and reads
// them back with recordOptions(); new shared flags go here (and in
// RecordOptions, render/record-printer.ts) and both commands get them.
import { refuseTogether } from './conflicts.js';
import { Command, Option } from 'commander';
import { CliError, parseCount, parseEthertypeList, parseSeconds } from '../cli-error.js';
import { buildRecordFilter, FilterSpecError } from '../proto/record-filter.js';
import type { RecordOptions } from '../render/record-printer.js';
import { TIME_FORMATS, type TimeFormat } from '../render/time-stamp.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function addRecordOptions(cmd: Command, jsonHelp: string): Command {
  // --json is for scripts: the human-only detail of -v and -x has no place in it
  // (--time and -e shape the lines for people too; JSON has the epoch time, vlan and all)
  refuseTogether(cmd, [['json', 'verbose'], ['json', 'hexdump'], ['json', 'time'], ['json', 'link']]);
  return cmd
    .option('-c, --count <N>', 'stop after N PDUs (those that pass -t/--mac/--src/--dst)')
    .option('--json', `${jsonHelp}; not with -v, -x, -e or --time`)
    .option('-l, --line-buffered', 'write each record out at once, also into a pipe (as tcpdump -l); on a terminal always')
    .option('-v, --verbose', 'every field, and each frame (number, length, checksum)')
    .addOption(new Option('-x, --hexdump', 'hex dump of each PDU'))
    .option('-e, --link', 'link-level details on each line, as tcpdump -e: the EtherType and the VLAN IDs (outermost first)')
    .addOption(
      new Option(
        '--time <WHEN>',
        'the time on each line: clock (time of day), date (date and time, as tcpdump -tttt), delta (since the previous line, -ttt), epoch (seconds, -tt) or none (-t)',
      )
        .choices(TIME_FORMATS)
        .default('clock'),
    )
    .option('--ethertype <N[,N...]>', 'EtherType of LSOE frames, or several separated by commas (lsoed speaks 0x8885)', '0x88b5')
    .option('-t, --type <TYPE>', 'only PDUs of this type: name (open, ack, ipv4_encapsulation, ...) or number; repeatable', collect, [])
    .option('--mac <MAC>', 'only PDUs sent from or to this MAC; repeatable', collect, [])
    .option('--src <MAC>', 'only PDUs from this MAC; repeatable', collect, [])
    .option('--dst <MAC>', 'only PDUs to this MAC (never matches a cooked capture, which has no destination); repeatable', collect, [])
    .option('--reassembly-timeout <S>', 'seconds a partial multi-frame PDU waits for its pieces', '1');
}

/** The shared options from commander's values; a bad filter is a usage error (exit 2). */
export function recordOptions(opts: Record<string, unknown>): RecordOptions {
  const ethertypes = parseEthertypeList(String(opts.ethertype));
  const count = opts.count === undefined ? null : parseCount('--count', String(opts.count));
  if (count === 0) throw new CliError('--count: must be at least 1', 2);
  const options: RecordOptions = {
    json: opts.json === true,
    lineBuffered: opts.lineBuffered === true,
    verbose: opts.verbose === true,
    hexdump: opts.hexdump === true,
    ethertype: ethertypes[0]!,
    ethertypes,
    count,
    time: opts.time as TimeFormat,
    link: opts.link === true,
    types: opts.type as string[],
    macs: opts.mac as string[],
    srcs: opts.src as string[],
    dsts: opts.dst as string[],
    reassemblyTimeout: parseSeconds('--reassembly-timeout', String(opts.reassemblyTimeout)),
  };
  try {
    buildRecordFilter(options);
  } catch (err) {
    if (err instanceof FilterSpecError) throw new CliError(err.message, 2);
    throw err;
  }
  return options;
}
