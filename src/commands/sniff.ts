// `lsoe sniff`: LSOE PDUs live from the wire, like tcpdump, decoded the way
// `decode` decodes files. `sniff -r FILE` is `decode FILE`, as tcpdump users type it.
import { Command } from 'commander';
import { CliError, parseCount } from '../cli-error.js';
import type { SniffOptions } from '../sniff/options.js';
import { decodeAction } from './decode.js';
import { addRecordOptions, recordOptions } from './record-options.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command): void {
  const cmd = program
    .command('sniff')
    .description('capture LSOE frames live and print each PDU (reassembled), like tcpdump')
    .option('-i, --interface <IF>', 'interface to listen on; repeatable (default: every up, non-loopback Ethernet interface)', collect, [])
    .option('-c, --count <N>', 'stop after N PDUs')
    .option('-w, --write <FILE>', 'write the captured frames to a pcapng file ("-": stdout) instead of printing them')
    .option('--pcap', 'with -w: classic pcap instead of pcapng (which keeps each frame\'s interface)')
    .option('--print', 'with -w FILE: print the PDUs as well')
    .option('-r, --read <FILE>', 'read a capture file instead of the wire: the same as `lsoe decode FILE`');
  addRecordOptions(cmd, 'one JSON object per line (the records of `lsoe decode --json`, with ifname)')
    .addHelpText(
      'after',
      `
Needs root or CAP_NET_RAW. Interfaces are opened in promiscuous mode, so
frames between other stations on a shared segment are seen too.

Records go out in 64 KiB batches, and at once whenever no frame is waiting,
on a terminal, or with -l. While a reader falls behind, frames are not
printed (counted in the summary); -w still gets every one.

Ctrl-C (or SIGTERM) stops; a summary goes to stderr: frames, PDUs by type,
decode errors, and frames the kernel dropped.

Exit status: 0 after -c PDUs or a signal; 1 when an interface is missing,
privilege is lacking, the capture file cannot be written, or every
interface vanished; 2 for usage errors.

Examples:
  sudo lsoe sniff -i eth0
  sudo lsoe sniff -i eth0 -i eth1 --json -l | jq .pdu.type
  sudo lsoe sniff -i eth0 -c 10 -w lsoe.pcapng && lsoe decode lsoe.pcapng
  lsoe sniff -r lsoe.pcapng
  sudo lsoe sniff --ethertype 0x8885 -t open -t ack`,
    )
    .action(async (opts: Record<string, unknown>) => {
      if (opts.read !== undefined) {
        await decodeAction([String(opts.read)], opts);
        return;
      }
      const options: SniffOptions = {
        ...recordOptions(opts),
        interfaces: opts.interface as string[],
        count: opts.count === undefined ? null : parseCount('--count', String(opts.count)),
        write: opts.write === undefined ? null : String(opts.write),
        pcap: opts.pcap === true,
        print: opts.print === true,
      };
      if (options.count === 0) throw new CliError('--count: must be at least 1', 2);
      if (options.write === '-' && options.print) throw new CliError('--print cannot share stdout with -w -', 2);
      const { runSniff } = await import('../sniff/run.js');
      const code = await runSniff(options);
      // libpcap's poll handles keep the event loop alive: exit once output is out.
      process.stdout.write('', () => process.exit(code));
    });
}
