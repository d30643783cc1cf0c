// `lsoe hello`: who speaks LSOE on this link? Sends HELLO and lists the
// neighbours that answer with OPEN, like arping. Never ACKs, so it opens no
// session at the peer.
import { Command } from 'commander';
import { CliError, parseCount, parseEthertype, parseSeconds } from '../cli-error.js';
import type { HelloOptions } from '../hello/options.js';


export function register(program: Command): void {
  program
    .command('hello')
    .description('send HELLO on an interface and list the neighbours that answer with OPEN (like arping)')
    .requiredOption('-i, --interface <IF>', 'interface to probe')
    .option('-c, --count <N>', 'HELLOs to send', '3')
    .option('--interval <S>', 'seconds between HELLOs', '1')
    .option('--wait <S>', 'seconds to wait for answers after the last HELLO', '2')
    .option('--dst <MAC>', 'HELLO destination (some fabrics use 01:80:c2:00:00:03 or ff:ff:ff:ff:ff:ff)', '01:80:c2:00:00:0e')
    .option('--json', 'one JSON object per answering neighbour: {time, ifname, src, dst, timeToAnswer, pdu}')
    .option('--ethertype <N>', 'EtherType of LSOE frames (lsoed speaks 0x8885)', '0x88b5')
    .addHelpText(
      'after',
      `
Each neighbour is listed once, at its first OPEN: MAC, Local ID, nonce,
attributes and the time from the latest HELLO to that OPEN. hello never
acknowledges the OPEN, so no session opens; the neighbour retransmits its
OPEN a few times and gives up. Needs root or CAP_NET_RAW.

Exit status: 0 when at least one neighbour answered, 1 when none did (or
the interface is missing, or privilege is lacking), 2 for usage errors.

Examples:
  sudo lsoe hello -i eth0
  sudo lsoe hello -i eth0 -c 1 --wait 5 --json
  sudo lsoe hello -i eth0 --ethertype 0x8885      # reference lsoed`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const options: HelloOptions = {
        interface: String(opts.interface),
        count: parseCount('--count', String(opts.count)),
        interval: parseSeconds('--interval', String(opts.interval)),
        wait: parseSeconds('--wait', String(opts.wait)),
        dst: String(opts.dst),
        json: opts.json === true,
        ethertype: parseEthertype(String(opts.ethertype)),
      };
      if (options.count === 0) throw new CliError('--count: must be at least 1', 2);
      const { runHello, normalizeDst } = await import('../hello/run.js');
      options.dst = normalizeDst(options.dst);
      const code = await runHello(options);
      // libpcap's poll handles keep the event loop alive: exit once output is out.
      process.stdout.write('', () => process.exit(code));
    });
}
