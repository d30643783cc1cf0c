// The options `decode` and `sniff` share, declared once: how records are
// selected and printed. A command adds them with addRecordOptions() and reads
// them back with recordOptions(); new shared flags go here (and in
// RecordOptions, render/record-printer.ts) and both commands get them.
import { Command, Option } from 'commander';
import { CliError, parseEthertype, parseSeconds } from '../cli-error.js';
import { buildRecordFilter, FilterSpecError } from '../proto/record-filter.js';
import type { RecordOptions } from '../render/record-printer.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function addRecordOptions(cmd: Command, jsonHelp: string): Command {
  return cmd
    .option('--json', jsonHelp)
    .option('-l, --line-buffered', 'write each record out at once, also into a pipe (as tcpdump -l); on a terminal always')
    .option('-v, --verbose', 'every field, and each frame (number, length, checksum)')
    .addOption(new Option('-x, --hexdump', 'hex dump of each PDU'))
    .option('--ethertype <N>', 'EtherType of LSOE frames (lsoed speaks 0x8885)', '0x88b5')
    .option('-t, --type <TYPE>', 'only PDUs of this type: name (open, ack, ipv4_encapsulation, ...) or number; repeatable', collect, [])
    .option('--mac <MAC>', 'only PDUs sent from or to this MAC; repeatable', collect, [])
    .option('--src <MAC>', 'only PDUs from this MAC; repeatable', collect, [])
    .option('--dst <MAC>', 'only PDUs to this MAC (never matches a cooked capture, which has no destination); repeatable', collect, [])
    .option('--reassembly-timeout <S>', 'seconds a partial multi-frame PDU waits for its pieces', '1');
}

/** The shared options from commander's values; a bad filter is a usage error (exit 2). */
export function recordOptions(opts: Record<string, unknown>): RecordOptions {
  const options: RecordOptions = {
    json: opts.json === true,
    lineBuffered: opts.lineBuffered === true,
    verbose: opts.verbose === true,
    hexdump: opts.hexdump === true,
    ethertype: parseEthertype(String(opts.ethertype)),
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
