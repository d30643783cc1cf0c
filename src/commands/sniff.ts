// `lsoe sniff`: LSOE PDUs live from the wire, like tcpdump, decoded the way
// `decode` decodes files. `sniff -r FILE` is `decode FILE`, as tcpdump users type it.
import { Command, Option } from 'commander';
import { CliError, parseCount, parseSeconds } from '../cli-error.js';
import type { SniffOptions } from '../sniff/options.js';
import { refuseTogether } from './conflicts.js';
import { decodeAction } from './decode.js';
import { addRecordOptions, recordOptions } from './record-options.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command): void {
  const cmd = program
    .command('sniff')
    .description('capture LSOE frames live and print each PDU (reassembled), like tcpdump')
    .option('-i, --interface <IF>', 'interface to listen on: a name, any, or a glob (eth*, !eth9 leaves one out); repeatable (default: every up, non-loopback Ethernet interface)', collect, [])
    .option('-D, --list-interfaces', 'list the interfaces sniff can listen on (Ethernet, with their state) and exit')
    .option('-p, --no-promiscuous-mode', 'no promiscuous mode: join the HELLO group (01:80:c2:00:00:0e) instead, for as long as sniff runs; frames between other stations are not seen')
    .addOption(new Option('-Q, --direction <DIR>', 'only frames received (in) or sent (out) on the interface, as tcpdump -Q').choices(['in', 'out', 'inout']).default('inout'))
    .option('-w, --write <FILE>', 'write the captured frames to a pcapng file ("-": stdout) instead of printing them')
    .option('--pcap', 'with -w: classic pcap instead of pcapng (which keeps each frame\'s interface)')
    .option('-G, --rotate-seconds <S>', 'with -w FILE: a new file every S seconds (FILE, FILE1, ...; as tcpdump -G)')
    .option('-C, --file-size <MB>', 'with -w FILE: a new file before one passes MB megabytes (10^6 octets; as tcpdump -C)')
    .option('-W, --file-count <N>', 'with -G or -C: N files, FILE0..FILE<N-1>; with -C a ring (the oldest overwritten), with -G alone sniff stops after N files')
    .option('--print', 'with -w FILE: print the PDUs as well')
    .option('-B, --buffer-size <KiB>', 'what the kernel may hold per interface while the output is blocked, in KiB (as tcpdump -B)', '4096')
    .option('-r, --read <FILE>', 'read a capture file instead of the wire: the same as `lsoe decode FILE`');
  // -r reads a file: the options of a live capture, and those of -w, have nothing to act on
  refuseTogether(cmd, [
    ['read', 'interface'],
    ['read', 'no-promiscuous-mode'],
    ['read', 'direction'],
    ['read', 'write'],
    ['read', 'pcap'],
    ['read', 'rotate-seconds'],
    ['read', 'file-size'],
    ['read', 'file-count'],
    ['read', 'print'],
    ['read', 'buffer-size'],
    ['list-interfaces', 'read'],
    ['list-interfaces', 'write'],
  ]);
  addRecordOptions(cmd, 'one JSON object per line (the records of `lsoe decode --json`, with ifname)')
    .addHelpText(
      'after',
      `
Needs root or CAP_NET_RAW (-D does not). Interfaces are opened in
promiscuous mode, so frames between other stations on a shared segment are
seen too; with -p they are not, and the HELLO group (01:80:c2:00:00:0e) is
joined instead while sniff runs (ip maddr show lists it). -Q out: what this
host sends (frames from the interface's own MAC); -Q in: the rest.

Records go out in 64 KiB batches, and at once whenever no frame is waiting,
on a terminal, or with -l. While the reader falls behind, sniff stops
reading the interfaces and uses no CPU: the kernel holds what arrives, up
to -B KiB per interface, and drops and counts the rest; the records come
out in capture order (across interfaces too), with their capture times,
once the reader catches up.
-w - into a slow reader pauses the capture the same way.

Ctrl-C (or SIGTERM) stops; what was captured until then is still printed,
and a summary goes to stderr: frames, PDUs by type, decode errors, and
frames the kernel dropped (those while the output was blocked in brackets).

Exit status: 0 after -c PDUs or a signal; 1 when an interface is missing,
privilege is lacking, the capture file cannot be written, or every
interface vanished; 2 for usage errors.

Examples:
  sudo lsoe sniff -i eth0
  sudo lsoe sniff -i eth0 -i eth1 --json -l | jq .pdu.type
  sudo lsoe sniff -i 'swp*' -i '!swp9' -p -Q in --time delta -t keepalive
  sudo lsoe sniff -i any --ethertype 0x88b5,0x8885 -e
  lsoe sniff -D
  sudo lsoe sniff -i eth0 -c 10 -w lsoe.pcapng && lsoe decode lsoe.pcapng
  lsoe sniff -r lsoe.pcapng
  sudo lsoe sniff --ethertype 0x8885 -t open -t ack`,
    )
    .action(async (opts: Record<string, unknown>) => {
      if (opts.listInterfaces === true) {
        const { listSniffInterfaces } = await import('../sniff/list-interfaces.js');
        process.exitCode = await listSniffInterfaces(opts.json === true);
        return;
      }
      if (opts.read !== undefined) {
        await decodeAction([], opts);
        return;
      }
      const options: SniffOptions = {
        ...recordOptions(opts),
        interfaces: opts.interface as string[],
        promiscuous: opts.promiscuousMode !== false,
        direction: opts.direction as SniffOptions['direction'],
        write: opts.write === undefined ? null : String(opts.write),
        pcap: opts.pcap === true,
        print: opts.print === true,
        rotation: rotationOf(opts),
        bufferSize: bufferSizeOf(String(opts.bufferSize)),
      };
      if (options.write === null && (options.pcap || options.print)) {
        throw new CliError(options.pcap ? '--pcap is the format of -w FILE: give -w' : '--print prints as well as -w FILE writes: give -w', 2);
      }
      if (options.write === '-' && options.print) throw new CliError('--print cannot share stdout with -w -', 2);
      if (options.rotation !== null && options.write === null) throw new CliError('-G, -C and -W split the file of -w FILE: give -w', 2);
      if (options.rotation !== null && options.write === '-') throw new CliError('-G, -C and -W cannot split stdout (-w -): name a file', 2);
      if (options.write !== null && options.json && !options.print) {
        throw new CliError('--json and -w FILE contradict each other: -w writes the frames instead of printing them (add --print to print them as well)', 2);
      }
      const { runSniff } = await import('../sniff/run.js');
      const code = await runSniff(options);
      // libpcap's poll handles keep the event loop alive: exit once output is out.
      process.stdout.write('', () => process.exit(code));
    });
}

/** -B KiB as octets: at least 1 KiB, at most 1 GiB (the kernel counts its buffer in an int). */
function bufferSizeOf(text: string): number {
  const kib = parseCount('-B', text);
  if (kib < 1) throw new CliError('-B: must be at least 1 KiB', 2);
  if (kib > 1024 * 1024) throw new CliError('-B: at most 1048576 KiB (1 GiB)', 2);
  return kib * 1024;
}

/** -G/-C/-W as numbers (usage errors naming the flag); null when none is given. */
function rotationOf(opts: Record<string, unknown>): SniffOptions['rotation'] {
  if (opts.rotateSeconds === undefined && opts.fileSize === undefined && opts.fileCount === undefined) return null;
  const seconds = opts.rotateSeconds === undefined ? null : parseSeconds('-G', String(opts.rotateSeconds));
  const megabytes = opts.fileSize === undefined ? null : parseSeconds('-C', String(opts.fileSize), 'megabytes');
  const files = opts.fileCount === undefined ? null : parseCount('-W', String(opts.fileCount));
  if (seconds === 0) throw new CliError('-G: must be more than 0 seconds', 2);
  if (megabytes === 0) throw new CliError('-C: must be more than 0 megabytes', 2);
  if (files === 0) throw new CliError('-W: must be at least 1', 2);
  if (files !== null && seconds === null && megabytes === null) throw new CliError('-W counts the files of -G or -C: give one of them', 2);
  return { seconds, megabytes, files };
}
