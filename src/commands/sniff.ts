// `lsoe sniff`: LSOE PDUs live from the wire, like tcpdump, decoded the way
// `decode` decodes files.
import { Command, Option } from 'commander';
import { refuseTogether } from './conflicts.js';
import { CliError, parseCount, parseEthertype, parseSeconds } from '../cli-error.js';

export interface SniffOptions {
  /** -i, repeatable; empty: every up, non-loopback Ethernet interface */
  interfaces: string[];
  /** -c: stop after this many PDUs; null: run until a signal */
  count: number | null;
  /** -w: pcap file to write, '-' for stdout; null: none */
  write: string | null;
  /** with -w: print records as well */
  print: boolean;
  json: boolean;
  verbose: boolean;
  hexdump: boolean;
  ethertype: number;
  types: string[];
  macs: string[];
  srcs: string[];
  dsts: string[];
  reassemblyTimeout: number;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command): void {
  const cmd = program
    .command('sniff')
    .description('capture LSOE frames live and print each PDU (reassembled), like tcpdump')
    .option('-i, --interface <IF>', 'interface to listen on; repeatable (default: every up, non-loopback Ethernet interface)', collect, [])
    .option('-c, --count <N>', 'stop after N PDUs')
    .option('-w, --write <FILE>', 'write the captured frames to a pcap file ("-": stdout) instead of printing them')
    .option('--print', 'with -w FILE: print the PDUs as well')
    .option('--json', 'one JSON object per line (the records of `lsoe decode --json`, with ifname)')
    .option('-v, --verbose', 'every field, and each frame (number, length, checksum)')
    .addOption(new Option('-x, --hexdump', 'hex dump of each PDU').default(false))
    .option('--ethertype <N>', 'EtherType of LSOE frames (lsoed speaks 0x8885)', '0x88b5')
    .option('-t, --type <TYPE>', 'only PDUs of this type (name or number); repeatable', collect, [])
    .option('--mac <MAC>', 'only PDUs sent from or to this MAC; repeatable', collect, [])
    .option('--src <MAC>', 'only PDUs from this MAC; repeatable', collect, [])
    .option('--dst <MAC>', 'only PDUs to this MAC; repeatable', collect, [])
    .option('--reassembly-timeout <S>', 'seconds a partial multi-frame PDU waits for its pieces', '1')
    .addHelpText(
      'after',
      `
Needs root or CAP_NET_RAW. Interfaces are opened in promiscuous mode, so
frames between other stations on a shared segment are seen too.

Ctrl-C (or SIGTERM) stops; a summary goes to stderr: frames, PDUs by type,
decode errors, and frames the kernel dropped.

Exit status: 0 after -c PDUs or a signal; 1 when an interface is missing,
privilege is lacking, the capture file cannot be written, or every
interface vanished; 2 for usage errors.

Examples:
  sudo lsoe sniff -i eth0
  sudo lsoe sniff -i eth0 -i eth1 --json | jq .pdu.type
  sudo lsoe sniff -i eth0 -c 10 -w lsoe.pcap && lsoe decode lsoe.pcap
  sudo lsoe sniff --ethertype 0x8885 -t open -t ack`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const options: SniffOptions = {
        interfaces: opts.interface as string[],
        count: opts.count === undefined ? null : parseCount('--count', String(opts.count)),
        write: opts.write === undefined ? null : String(opts.write),
        print: opts.print === true,
        json: opts.json === true,
        verbose: opts.verbose === true,
        hexdump: opts.hexdump === true,
        ethertype: parseEthertype(String(opts.ethertype)),
        types: opts.type as string[],
        macs: opts.mac as string[],
        srcs: opts.src as string[],
        dsts: opts.dst as string[],
        reassemblyTimeout: parseSeconds('--reassembly-timeout', String(opts.reassemblyTimeout)),
      };
      if (options.count === 0) throw new CliError('--count: must be at least 1', 2);
      if (options.write === '-' && options.print) throw new CliError('--print cannot share stdout with -w -', 2);
      if (options.write !== null && options.json && !options.print) {
        throw new CliError('--json and -w FILE contradict each other: -w writes the frames instead of printing them (add --print to print them as well)', 2);
      }
      // Reject bad --type/--mac values as usage errors before touching the network.
      const { checkRecordFilter } = await import('../sniff/filter-check.js');
      checkRecordFilter(options);
      const { runSniff } = await import('../sniff/run.js');
      const code = await runSniff(options);
      // libpcap's poll handles keep the event loop alive: exit once output is out.
      process.stdout.write('', () => process.exit(code));
    });
  // --json is for scripts: the human-only detail of -v and -x has no place in it
  refuseTogether(cmd, [['json', 'verbose'], ['json', 'hexdump']]);
}
