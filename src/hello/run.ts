// The OS side of `lsoe hello`: open the interface, send -c HELLOs every
// --interval seconds, wait --wait seconds after the last, report who answered.
// Returns the exit status (0: someone answered, 1: nobody); the caller exits
// the process (libpcap handles keep it alive).
import { performance } from 'node:perf_hooks';
import { CliError } from '../cli-error.js';
import type { HelloOptions } from './options.js';
import { LinkError } from '../io/link.js';
import { openLinks } from '../io/open-links.js';
import { normalizeMac } from '../proto/ethernet.js';
import { createOutput, type Output } from '../render/output.js';
import { formatId } from '../render/pdu-text.js';
import { RecordJsonWriter } from '../render/record-json.js';
import { HelloProber, type HelloAnswer } from './prober.js';


export function answerLine(a: HelloAnswer, out: Output): string {
  const p = a.pdu;
  return `${a.ifname} ${a.src} ${out.style.green.bold('OPEN')} id ${formatId(p.localId)} nonce ${p.nonce}${p.attributes ? ` attrs ${p.attributes}` : ''}  ${(a.timeToAnswer * 1000).toFixed(3)} ms`;
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
    [link] = await openLinks([opts.interface], { ethertype: opts.ethertype, mode: 'endpoint' });
  } catch (err) {
    if (err instanceof LinkError) throw new CliError(`hello: ${err.message}`, 1);
    throw err;
  }
  const l = link!;
  const prober = new HelloProber(l, opts.dst, () => performance.now() / 1000, (a) => {
    if (out.json) {
      json.answer(a, round6(a.timeToAnswer), a.bytes);
      out.done();
    } else {
      out.line(answerLine(a, out));
    }
  });

  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let fatal: string | null = null;
  l.onError((e) => {
    if (e.fatal) {
      fatal = e.message;
      finish();
    } else {
      out.note(`lsoe: hello: ${e.message}`);
    }
  });
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  out.note(
    `HELLO on ${l.ifname} (${l.mac}) to ${opts.dst}, ${opts.count === 1 ? 'once' : `${opts.count} times every ${opts.interval} s`}, waiting ${opts.wait} s for OPENs`,
  );

  const timers: NodeJS.Timeout[] = [];
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
  const answers = prober.answers();
  l.close();
  if (fatal !== null) throw new CliError(`hello: ${fatal}`, 1);
  if (!out.json) {
    const who = answers.length === 0 ? 'no neighbour answered' : `${plural(answers.length, 'neighbour')} answered`;
    out.line(`${plural(prober.sent, 'HELLO')} sent on ${l.ifname}; ${who}`);
  }
  await out.end();
  return answers.length > 0 ? 0 : 1;
}
