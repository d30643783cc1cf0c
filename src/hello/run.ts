// The OS side of `lsoe hello`: open the interface, send -c HELLOs every
// --interval seconds, wait --wait seconds after the last, report who answered.
// Returns the exit status (0: someone answered, 1: nobody); the caller exits
// the process (a libpcap handle, in the fallback, would keep it alive).
import { performance } from 'node:perf_hooks';
import { CliError } from '../cli-error.js';
import type { HelloOptions } from './options.js';
import { LinkError } from '../io/link.js';
import { openEndpointLinks } from '../io/open-links.js';
import { normalizeMac } from '../proto/ethernet.js';
import { createOutput, type Output } from '../render/output.js';
import { formatLocalId } from '../proto/local-id.js';
import { plural } from '../render/plural.js';
import { RecordJsonWriter } from '../render/record-json.js';
import { errorLine } from '../cli-context.js';
import { HelloProber, type HelloAnswer } from './prober.js';

/** The JSON line of an answer, through the writer of every record (decode's and sniff's too). */
export function writeAnswer(json: RecordJsonWriter, a: HelloAnswer, out: Output): void {
  json.answer(a, { kind: a.kind, probe: a.probe, timeToAnswer: round6(a.timeToAnswer) }, a.bytes);
  out.done();
}

export function answerLine(a: HelloAnswer, out: Output): string {
  const p = a.pdu;
  const after = `${(a.timeToAnswer * 1000).toFixed(3)} ms after HELLO ${a.probe}`;
  if (p.type === 'OPEN') {
    return `${a.ifname} ${a.src} ${out.style.green.bold('OPEN')} id ${formatLocalId(p.localId)} nonce ${p.nonce}${p.attributes ? ` attrs ${p.attributes}` : ''}  ${after}`;
  }
  return `${a.ifname} ${a.src} ${out.style.yellow.bold(p.type)}: alive, already in session with this MAC (no OPEN to expect)  ${after}`;
}

/** --dst as aa:bb:cc:dd:ee:ff; a usage error when it is not a MAC. */
export function normalizeDst(text: string): string {
  const mac = normalizeMac(text);
  if (mac === null) throw new CliError(`--dst: '${text}' is not a MAC address (want aa:bb:cc:dd:ee:ff)`, 2);
  return mac;
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

export async function runHello(opts: HelloOptions): Promise<number> {
  const out = createOutput({ json: opts.json });
  const json = new RecordJsonWriter(out.bytes);
  let link;
  try {
    // the daemon's capture: a packet socket bound to the interface and EtherType (libpcap without the addon);
    // no multicast group: answers come to our own address
    [link] = await openEndpointLinks([opts.interface], { ethertype: opts.ethertype, groups: [] });
  } catch (err) {
    if (err instanceof LinkError) throw new CliError(`hello: ${err.message}`, 1);
    throw err;
  }
  const l = link!;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const prober = new HelloProber(l, opts.dst, () => performance.now() / 1000, (a) => {
    if (out.json) writeAnswer(json, a, out);
    else out.line(answerLine(a, out));
    if (opts.first) finish();
  });
  const { localDaemonOn } = await import('./local-daemon.js');
  const local = await localDaemonOn(l.ifname);
  if (local !== null) {
    out.note(
      errorLine(
        `warning: an lsoe daemon runs on ${l.ifname} with ${plural(local.neighbors.filter((n) => n.state === 'open').length, 'open session')}: those neighbours answer with KEEPALIVE, not OPEN (lsoe neighbors shows them)`,
      ),
    );
  }
  let fatal: string | null = null;
  l.onError((e) => {
    if (e.fatal) {
      fatal = e.message;
      finish();
    } else {
      out.note(errorLine(e.message));
    }
  });
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);
  out.note(
    `HELLO on ${l.ifname} (${l.mac}) to ${opts.dst}, ${opts.count === 1 ? 'once' : `${opts.count} times every ${opts.interval} s`}, waiting ${opts.wait} s for OPENs${opts.deadline !== null ? `, ${opts.deadline} s at most` : ''}`,
  );

  const timers: NodeJS.Timeout[] = [];
  if (opts.deadline !== null) timers.push(setTimeout(finish, opts.deadline * 1000));
  const sendNext = (): void => {
    prober.sendHello();
    if (prober.sent < opts.count) timers.push(setTimeout(sendNext, opts.interval * 1000));
    else timers.push(setTimeout(finish, opts.wait * 1000));
  };
  sendNext();
  await finished;
  for (const t of timers) clearTimeout(t);
  process.removeListener('SIGINT', finish);
  process.removeListener('SIGTERM', finish);
  const heard = prober.neighbours();
  l.close();
  if (fatal !== null) throw new CliError(`hello: ${fatal}`, 1);
  if (!out.json) for (const line of summaryLines(l.ifname, prober, heard)) out.line(line);
  await out.end();
  return heard.length > 0 ? 0 : 1;
}

/** arping's closing lines: what was sent, who was heard and how, and the probes nothing new followed. */
export function summaryLines(ifname: string, prober: HelloProber, heard: ReturnType<HelloProber['neighbours']>): string[] {
  const opened = heard.filter((n) => n.opens > 0).length;
  const alive = heard.length - opened;
  const retrans = heard.reduce((a, n) => a + n.retransmits, 0);
  const unanswered = prober.sent - prober.answeredProbes.size;
  const loss = prober.sent === 0 ? 0 : Math.round((unanswered / prober.sent) * 100);
  const who = heard.length === 0 ? 'no neighbour answered' : `${plural(heard.length, 'neighbour')} heard (${opened} with OPEN, ${alive} alive in a session)`;
  return [
    `--- ${ifname} LSOE hello statistics ---`,
    `${plural(prober.sent, 'HELLO')} sent, ${who}, ${plural(retrans, 'OPEN retransmission')}`,
    `${prober.answeredProbes.size} of ${prober.sent} HELLOs followed by something new, ${loss}% unanswered`,
  ];
}
