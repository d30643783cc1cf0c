// `lsoe decode`: LSOE frames from pcap/pcapng files or hex, for people or scripts.
import { Command, Option } from 'commander';
import { refuseTogether } from './conflicts.js';
import { parseEthertype, parseSeconds } from '../cli-error.js';

export interface DecodeOptions {
  files: string[];
  hex: boolean;
  ethertype: number;
  types: string[];
  macs: string[];
  srcs: string[];
  dsts: string[];
  summary: boolean;
  json: boolean;
  verbose: boolean;
  hexdump: boolean;
  reassemblyTimeout: number;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command): void {
  const cmd = program
    .command('decode')
    .description('decode LSOE frames from pcap/pcapng files (or hex frames), offline')
    .argument('[FILE...]', 'capture files (pcap or pcapng); "-" or none reads stdin')
    .option('--hex', 'inputs are Ethernet frames in hex, one per line (from files, arguments or stdin)')
    .option('--ethertype <N>', 'EtherType of LSOE frames (lsoed speaks 0x8885)', '0x88b5')
    .option('-t, --type <TYPE>', 'only PDUs of this type: name (open, ack, ipv4_encapsulation, ...) or number; repeatable', collect, [])
    .option('--mac <MAC>', 'only PDUs sent from or to this MAC; repeatable', collect, [])
    .option('--src <MAC>', 'only PDUs from this MAC; repeatable', collect, [])
    .option('--dst <MAC>', 'only PDUs to this MAC; repeatable', collect, [])
    .option('--summary', 'print counts per PDU type, per sender and errors instead of each PDU')
    .option('--json', 'one JSON object per line (PDU records, error records, or the summary)')
    .option('-v, --verbose', 'every field, and each frame (number, length, checksum)')
    .addOption(new Option('-x, --hexdump', 'hex dump of each PDU').default(false))
    .option('--reassembly-timeout <S>', 'seconds a partial multi-frame PDU waits for its pieces', '1')
    .addHelpText(
      'after',
      `
Exit status: 0 when every input was read (bad frames inside are reported,
not fatal); 1 when an input cannot be read (missing, not a capture,
truncated: after printing what was decoded); 2 for usage errors.

Examples:
  lsoe decode capture.pcapng
  lsoe decode --ethertype 0x8885 --json lsoed.pcap | jq .pdu.type
  tcpdump -i eth0 -w - ether proto 0x88b5 | lsoe decode -
  lsoe decode --hex 0180c200000e02000000000188b50080000bea89ca1c000003`,
    )
    .action(async (files: string[], opts: Record<string, unknown>) => {
      const options: DecodeOptions = {
        files,
        hex: opts.hex === true,
        ethertype: parseEthertype(String(opts.ethertype)),
        types: opts.type as string[],
        macs: opts.mac as string[],
        srcs: opts.src as string[],
        dsts: opts.dst as string[],
        summary: opts.summary === true,
        json: opts.json === true,
        verbose: opts.verbose === true,
        hexdump: opts.hexdump === true,
        reassemblyTimeout: parseSeconds('--reassembly-timeout', String(opts.reassemblyTimeout)),
      };
      const { runDecode } = await import('../decode/run.js');
      process.exitCode = await runDecode(options);
    });
  // --json is for scripts: the human-only detail of -v and -x has no place in it
  refuseTogether(cmd, [['json', 'verbose'], ['json', 'hexdump']]);
}
