// The OS side of `lsoe sniff`: open the interfaces, run until -c PDUs, a
// signal, or every interface gone, then print the summary. Returns the exit
// status; the caller exits the process (libpcap handles keep it alive).
import { CliError } from '../cli-error.js';
import type { SniffOptions } from './options.js';
import { CaptureError } from '../io/capture-reader.js';
import { CaptureWriter } from '../io/capture-writer.js';
import { LinkError } from '../io/link.js';
import { openLinks } from '../io/open-links.js';
import type { PcapLink } from '../io/pcap-link.js';
import { createOutput } from '../render/output.js';
import { Sniffer } from './sniffer.js';

const EXPIRE_EVERY_MS = 250;

export async function runSniff(opts: SniffOptions): Promise<number> {
  const toStdout = opts.write === '-';
  const out = createOutput({ json: opts.json, lineBuffered: opts.lineBuffered });
  let links: PcapLink[];
  try {
    links = await openLinks(opts.interfaces, { ethertype: opts.ethertype, mode: 'monitor' });
  } catch (err) {
    if (err instanceof LinkError) throw new CliError(`sniff: ${err.message}`, 1);
    throw err;
  }
  let writer: CaptureWriter | null = null;
  if (opts.write !== null) {
    try {
      const format = opts.pcap ? 'pcap' : 'pcapng';
      writer = toStdout ? new CaptureWriter(process.stdout, { packetBuffered: true, format }) : new CaptureWriter(opts.write, { format });
    } catch (err) {
      for (const l of links) l.close();
      if (err instanceof CaptureError) throw new CliError(`sniff: ${err.message}`, 1);
      throw err;
    }
  }

  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const sniffer = new Sniffer({ ...opts, print: opts.write === null || opts.print }, out, writer, () => finish(0));
  let alive = links.length;
  for (const link of links) {
    sniffer.attach(link);
    link.onError((e) => {
      if (e.code === 'handler-failed' && e.cause instanceof CaptureError) {
        out.note(`lsoe: sniff: ${e.cause.message}`);
        finish(1);
        return;
      }
      out.note(`lsoe: sniff: ${e.message}`);
      if (e.fatal && --alive === 0) finish(1);
    });
  }
  const onSignal = (): void => finish(0);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = setInterval(() => sniffer.tick(Date.now() / 1000), EXPIRE_EVERY_MS);
  const names = links.map((l) => l.ifname).join(', ');
  out.note(`listening on ${names} (EtherType 0x${opts.ethertype.toString(16).padStart(4, '0')})${writer && !toStdout ? `, writing ${opts.write}` : ''}; Ctrl-C to stop`);

  const code = await finished;
  sniffer.stop();
  // Frames captured while the reader was behind are still printed.
  await sniffer.finishHeld();
  clearInterval(timer);
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  const dropped = links.reduce((n, l) => {
    const s = l.stats();
    return n + s.dropped + s.ifDropped;
  }, 0);
  for (const link of links) link.close();
  await out.end();
  let failure: CliError | null = null;
  if (writer) {
    try {
      await writer.close();
    } catch (err) {
      failure = new CliError(`sniff: ${(err as Error).message}`, 1);
    }
  }
  out.note(sniffer.summary(dropped));
  if (failure) throw failure;
  return code;
}
