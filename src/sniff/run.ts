// The OS side of `lsoe sniff`: open the interfaces, run until -c PDUs, a
// signal, or every interface gone, then print the summary. Returns the exit
// status; the caller exits the process (libpcap handles keep it alive).
import { CliError } from '../cli-error.js';
import type { SniffOptions } from './options.js';
import { CaptureError } from '../io/capture-reader.js';
import { CaptureWriter, type CaptureSink } from '../io/capture-writer.js';
import { RotatingWriter } from './rotating-writer.js';
import { LinkError } from '../io/link.js';
import type { MonitorLink } from '../io/monitor-link.js';
import { openMonitorLinks } from '../io/open-links.js';
import { createOutput } from '../render/output.js';
import { Sniffer } from './sniffer.js';
import { hex4 } from '../ethertype.js';
import { joinGroup, type Membership } from '../io/group-membership.js';
import { HELLO_MULTICAST } from '../proto/ethernet.js';

/** The HELLO group on every link, or none: a failure leaves the ones joined. */
async function joinEveryLink(links: readonly MonitorLink[]): Promise<Membership[]> {
  const joined: Membership[] = [];
  try {
    for (const l of links) joined.push(await joinGroup({ name: l.ifname, index: l.ifindex }, HELLO_MULTICAST));
  } catch (err) {
    await Promise.all(joined.map((m) => m.release()));
    throw err;
  }
  return joined;
}

const EXPIRE_EVERY_MS = 250;

export async function runSniff(opts: SniffOptions): Promise<number> {
  const toStdout = opts.write === '-';
  const out = createOutput({ json: opts.json, lineBuffered: opts.lineBuffered });
  let links: MonitorLink[];
  try {
    links = await openMonitorLinks(opts.interfaces, {
      ethertypes: opts.ethertypes,
      direction: opts.direction,
      promiscuous: opts.promiscuous,
      receiveBuffer: opts.bufferSize,
    });
  } catch (err) {
    if (err instanceof LinkError) throw new CliError(`sniff: ${err.message}`, 1);
    throw err;
  }
  // -p: no promiscuous mode, so the NIC must be told to pass the HELLO group up
  let memberships: Membership[] = [];
  if (!opts.promiscuous) {
    try {
      memberships = await joinEveryLink(links);
    } catch (err) {
      for (const l of links) l.close();
      throw new CliError(`sniff: -p: cannot join ${HELLO_MULTICAST}: ${(err as Error).message}`, 1);
    }
  }
  let writer: CaptureSink | null = null;
  if (opts.write !== null) {
    try {
      const format = opts.pcap ? 'pcap' : 'pcapng';
      writer = toStdout
        ? new CaptureWriter(process.stdout, { packetBuffered: true, format })
        : opts.rotation !== null
          ? new RotatingWriter(opts.write, { ...opts.rotation, format }, () => finish(0))
          : new CaptureWriter(opts.write, { format });
    } catch (err) {
      for (const l of links) l.close();
      await Promise.all(memberships.map((m) => m.release()));
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
  const types = opts.ethertypes.map(hex4).join(', ');
  const how = [opts.promiscuous ? '' : `not promiscuous, ${HELLO_MULTICAST} joined`, opts.direction === 'inout' ? '' : `${opts.direction} only`].filter((x) => x !== '');
  out.note(`listening on ${names} (EtherType ${types}${how.length > 0 ? `; ${how.join('; ')}` : ''})${writer && !toStdout ? `, writing ${opts.write}` : ''}; Ctrl-C to stop`);

  const code = await finished;
  sniffer.stop(Date.now() / 1000);
  // Frames captured before the stop while the reader was behind (held, or in the kernel) are still printed.
  await sniffer.finish();
  clearInterval(timer);
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  const dropped = links.reduce((n, l) => {
    const s = l.stats();
    return n + s.dropped + s.ifDropped;
  }, 0);
  for (const link of links) link.close();
  await Promise.all(memberships.map((m) => m.release()));
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
