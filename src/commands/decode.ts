// `lsoe decode`: LSOE frames from pcap/pcapng files or hex, for people or scripts.
// (`lsoe sniff -r FILE` comes here too.)
import { Command } from 'commander';
import type { DecodeOptions } from '../decode/options.js';
import { refuseTogether } from './conflicts.js';
import { addRecordOptions, recordOptions } from './record-options.js';

export function register(program: Command): void {
  const cmd = program
    .command('decode')
    .description('decode LSOE frames from pcap/pcapng files (or hex frames), offline')
    .argument('[FILE...]', 'capture files (pcap or pcapng); "-" or none reads stdin')
    .option('-r, --read <FILE>', 'a capture file to read, as tcpdump -r (the same as naming it); repeatable', (v: string, prev: string[]) => [...prev, v], [])
    .option('--hex', 'inputs are Ethernet frames in hex, one per line (from files, arguments or stdin)')
    .option('--summary', 'print counts per PDU type, per sender (the busiest 20) and errors instead of each PDU (not with -v, -x, -e or --time)');
  // the summary prints no PDU: what shapes a PDU's lines would be ignored without a word
  refuseTogether(cmd, [['summary', 'verbose'], ['summary', 'hexdump'], ['summary', 'link'], ['summary', 'time']]);
  addRecordOptions(cmd, 'one JSON object per line (PDU records, error records, or the summary)')
    .addHelpText(
      'after',
      `
Output into a pipe is written in 256 KiB batches, and reading waits while the
reader is behind (memory stays flat); -l writes each record at once. A reader
that goes away (| head) ends decode quietly, with status 0.

--time takes the place of tcpdump's -tt/-ttt/-tttt (-t is --type here).

Exit status: 0 when every input was read, or -c PDUs were printed (bad
frames inside are reported, not fatal); 1 when an input cannot be read (missing, not a capture,
truncated: after printing what was decoded); 2 for usage errors.

Examples:
  lsoe decode capture.pcapng
  lsoe decode -r capture.pcapng -c 10 --time delta -t keepalive   # keepalive gaps
  lsoe decode --ethertype 0x88b5,0x8885 -e capture.pcapng         # both, EtherType and VLANs shown
  lsoe decode --ethertype 0x8885 --json lsoed.pcap | jq .pdu.type
  tcpdump -i eth0 -w - ether proto 0x88b5 | lsoe decode -
  lsoe decode --hex 0180c200000e02000000000188b50080000bea89ca1c000003`,
    )
    .action(async (files: string[], opts: Record<string, unknown>) => {
      await decodeAction(files, opts);
    });
}

/** Runs decode with commander's values (also for `sniff -r`). */
export async function decodeAction(files: string[], opts: Record<string, unknown>): Promise<void> {
  const options: DecodeOptions = {
    ...recordOptions(opts),
    // -r FILE (as tcpdump) first, then the files named; `sniff -r` comes here as one string
    files: [...readFiles(opts.read), ...files],
    hex: opts.hex === true,
    summary: opts.summary === true,
  };
  const { runDecode } = await import('../decode/run.js');
  process.exitCode = await runDecode(options);
}

function readFiles(read: unknown): string[] {
  if (read === undefined) return [];
  return Array.isArray(read) ? (read as string[]) : [String(read)];
}
