// `lsoe hello`: who speaks LSOE on this link? Sends HELLO and lists the
// neighbours that answer with OPEN, like arping. Never ACKs, so it opens no
// session at the peer.
import { Command } from 'commander';
import { CliError, parseCount, parseEthertype, parseSeconds } from '../cli-error.js';
import type { HelloOptions } from '../hello/options.js';


export function register(program: Command): void {
  program
    .command('hello')
    .description('send HELLO on an interface and list the neighbours that answer, like arping')
    .requiredOption('-i, --interface <IF>', 'interface to probe')
    .option('-c, --count <N>', 'HELLOs to send', '3')
    .option('--interval <S>', 'seconds between HELLOs', '1')
    .option('--wait <S>', 'seconds to wait for answers after the last HELLO', '2')
    .option('--dst <MAC>', 'HELLO destination (some fabrics use 01:80:c2:00:00:03 or ff:ff:ff:ff:ff:ff)', '01:80:c2:00:00:0e')
    .option('-f, --first', 'stop at the first answer (as arping -f)')
    .option('--deadline <S>', 'seconds the whole run may take, probes and waiting included (as arping -w)')
    .option('--json', 'one JSON object per answer: {kind, time, ifname, src, dst, probe, timeToAnswer, pdu}')
    .option('--ethertype <N>', 'EtherType of LSOE frames (lsoed speaks 0x8885)', '0x88b5')
    .addHelpText(
      'after',
      `
What counts as an answer (arping is the model): an OPEN with a nonce not
seen before in this run (the neighbour answered a HELLO: MAC, Local ID,
nonce, time after which HELLO), or any other LSOE PDU from a neighbour,
mostly a KEEPALIVE: it is alive but already in session with this MAC (a
daemon runs here), so it sends no OPEN. The same OPEN again is counted as
a retransmission, never as a new answer. hello never acknowledges an OPEN,
so no session opens: the neighbour retransmits it a few times, gives up and
logs that its OPEN went unanswered. A neighbour still retransmitting to an
earlier probe answers a new HELLO with nothing new. hello warns when a
local lsoe daemon runs on the interface. Needs root or CAP_NET_RAW.

Exit status: 0 when at least one neighbour was heard, 1 when none was (or
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
        first: opts.first === true,
        deadline: opts.deadline === undefined ? null : parseSeconds('--deadline', String(opts.deadline)),
      };
      if (options.count === 0) throw new CliError('--count: must be at least 1', 2);
      const { runHello, normalizeDst } = await import('../hello/run.js');
      options.dst = normalizeDst(options.dst);
      const code = await runHello(options);
      // libpcap's poll handles keep the event loop alive: exit once output is out.
      process.stdout.write('', () => process.exit(code));
    });
}
