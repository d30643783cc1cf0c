// The work behind `lsoe decode`: read every input, feed Ethernet frames to the
// LSOE stream decoder, print what comes out. Returns the exit status.
import { errorLine } from '../cli-context.js';
import { hex4, LSOE_ETHERTYPES } from '../ethertype.js';
import { plural } from '../render/plural.js';
import { readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { CliError } from '../cli-error.js';
import type { DecodeOptions } from '../commands/decode.js';
import { CaptureError, CaptureParser } from '../io/capture-reader.js';
import { DecodeError } from '../proto/errors.js';
import { parseEthernet } from '../proto/ethernet.js';
import { buildRecordFilter, type RecordFilter } from '../proto/record-filter.js';
import { LsoeStream, type StreamRecord } from '../proto/stream.js';
import { JsonLineBuffer } from '../render/json-bytes.js';
import { createOutput, type Output } from '../render/output.js';
import { recordLines } from '../render/pdu-text.js';
import { recordJsonLine } from '../render/record-json.js';
import { Tally } from '../render/tally.js';
import { parseHexFrames } from './hex-input.js';

class Decoder {
  readonly tally = new Tally();
  /** frames of the other LSOE EtherType (0x8885 when 0x88b5 is selected, or back), for the hint */
  private readonly otherLsoe = new Map<number, number>();
  private readonly stream: LsoeStream;
  private readonly filter: RecordFilter;
  /** capture time of the newest frame: what "end of input" is stamped with */
  private lastTime: number | null = null;
  /** --json lines as bytes (PDUs written straight from their octets); null otherwise */
  private readonly lines: JsonLineBuffer | null;
  /** the frame being pushed has no timestamp (hex input) */
  private timeless = false;
  /** a --mac/--src/--dst filter is set (the fast path can apply it) */
  private readonly macFiltered: boolean;

  constructor(
    private readonly opts: DecodeOptions,
    private readonly out: Output,
  ) {
    const fast = opts.json && !opts.summary;
    this.lines = fast ? new JsonLineBuffer((chunk) => out.recordBytes(chunk)) : null;
    this.macFiltered = opts.macs.length + opts.srcs.length + opts.dsts.length > 0;
    // With --type the record's PDU type is needed: such PDUs take the slow path.
    const takePdu = fast && opts.types.length === 0 ? this.takePdu.bind(this) : undefined;
    this.stream = new LsoeStream({ timeout: opts.reassemblyTimeout, takePdu });
    try {
      this.filter = buildRecordFilter(opts);
    } catch (err) {
      if (err instanceof DecodeError) throw new CliError(err.message, 2);
      throw err;
    }
  }

  /** One Ethernet frame from any input. `time` null: hex input has no timestamps. */
  frame(time: number | null, frame: Buffer, ifname: string | undefined): void {
    this.tally.frames++;
    let eth;
    try {
      eth = parseEthernet(frame);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      // Too short for an Ethernet header: not ours to judge as LSOE.
      this.tally.nonLsoe++;
      return;
    }
    if (eth.ethertype !== this.opts.ethertype) {
      this.tally.nonLsoe++;
      if ((LSOE_ETHERTYPES as readonly number[]).includes(eth.ethertype)) this.otherLsoe.set(eth.ethertype, (this.otherLsoe.get(eth.ethertype) ?? 0) + 1);
      return;
    }
    const now = time ?? 0;
    if (time !== null) this.lastTime = time;
    this.timeless = time === null;
    // push() reports timed-out pieces first, then what this frame completes.
    this.emit(this.stream.push({ time: now, ifname, dst: eth.dst, src: eth.src, payload: eth.payload }), time);
  }

  /**
   * The --json fast path: a reassembled PDU straight to its JSON line. False
   * (nothing written) sends it down the usual decodePdu path, which also makes
   * the error record of a PDU that does not decode.
   */
  private takePdu(bytes: Buffer, frames: number, time: number, ifname: string | undefined, src: string, dst: string): boolean {
    // MAC filters treat PDU and error records alike, so a rejection needs no decoding.
    if (this.macFiltered && !this.filter({ kind: 'error', time, src, dst } as StreamRecord)) return true;
    if (!this.lines!.pduRecord(this.timeless ? null : time, ifname, src, dst, frames, bytes)) return false;
    // Per-type counts only matter to --summary, which never takes this path.
    this.tally.pdus++;
    return true;
  }

  /** Hands out what is decoded so far; call before waiting for more input. */
  flush(): void {
    this.lines?.flush();
    this.out.flush();
  }

  /**
   * The hint for a capture of the other LSOE EtherType (the README's first example
   * without its flag printed nothing): null when some frame had the selected one.
   */
  otherEthertypeHint(): string | null {
    if (this.tally.frames > this.tally.nonLsoe || this.otherLsoe.size === 0) return null;
    const [type, n] = [...this.otherLsoe].sort((a, b) => b[1] - a[1])[0]!;
    const whose = type === 0x8885 ? " (the published lsoed's)" : '';
    return `no frame of EtherType ${hex4(this.opts.ethertype)}, but ${plural(n, 'frame')} of EtherType ${hex4(type)}${whose}: add --ethertype ${hex4(type)}`;
  }

  /** End of all input: pieces still waiting can never complete. */
  finish(): void {
    const left = this.stream.expire(Number.POSITIVE_INFINITY);
    for (const rec of left) rec.time = this.lastTime ?? 0;
    this.emit(left, this.lastTime);
  }

  private emit(records: StreamRecord[], time: number | null): void {
    for (const rec of records) {
      if (!this.filter(rec)) continue;
      this.tally.add(rec);
      if (this.opts.summary) continue;
      if (this.lines !== null) {
        this.lines.line(recordJsonLine(rec, time === null ? null : rec.time));
      } else if (this.out.json) {
        this.out.recordLine(recordJsonLine(rec, time === null ? null : rec.time));
      } else {
        for (const line of recordLines(rec, this.out.style, {
          verbose: this.opts.verbose,
          hex: this.opts.hexdump,
          timeless: time === null,
        })) {
          this.out.line(line);
        }
      }
    }
  }
}

async function decodeCaptureFile(path: string, decoder: Decoder): Promise<void> {
  const parser = new CaptureParser();
  const input = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of input) {
      for (const rec of parser.push(chunk as Buffer)) decoder.frame(rec.time, rec.frame, rec.ifname);
      // About to wait for more input: let readers have what we decoded.
      decoder.flush();
    }
    parser.end();
  } catch (err) {
    throw inputError(path, err);
  } finally {
    if (input !== process.stdin) (input as { destroy(): void }).destroy();
  }
}

async function decodeHexFile(path: string, decoder: Decoder): Promise<void> {
  let text: string;
  try {
    text = path === '-' ? await readStdinText() : await readFile(path, 'utf8');
  } catch (err) {
    throw inputError(path, err);
  }
  const name = path === '-' ? 'stdin' : path;
  for (const frame of parseHexFrames(text, name)) decoder.frame(null, frame, undefined);
}

async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One line naming the input and the problem (never a stack). */
function inputError(path: string, err: unknown): CliError {
  const name = path === '-' ? 'stdin' : path;
  if (err instanceof CliError) return err;
  if (err instanceof CaptureError) {
    const msg = err.message.startsWith(`cannot read ${path}`) ? err.message : `${name}: ${err.message}`;
    return new CliError(msg, 1);
  }
  const e = err as NodeJS.ErrnoException;
  const why =
    e?.code === 'ENOENT' ? 'no such file' : e?.code === 'EACCES' ? 'permission denied' : e?.code === 'EISDIR' ? 'is a directory' : (e?.message ?? String(err));
  return new CliError(`${name}: ${why}`, 1);
}

/** With --hex, an argument is a frame if it is all hex; otherwise a file name. */
function looksLikeHexFrame(arg: string): boolean {
  return /^[0-9a-fA-F:\s-]+$/.test(arg) && arg.replace(/[:\s-]/g, '').length >= 28;
}

export async function runDecode(opts: DecodeOptions): Promise<number> {
  const out = createOutput({ json: opts.json, buffered: true });
  const decoder = new Decoder(opts, out);
  const inputs = opts.files.length > 0 ? opts.files : ['-'];
  if (!opts.hex && inputs.filter((f) => f === '-').length > 1) throw new CliError('stdin ("-") given more than once', 2);
  let failure: CliError | null = null;
  try {
    for (const input of inputs) {
      if (opts.hex && input !== '-' && looksLikeHexFrame(input)) {
        for (const frame of parseHexFrames(input, 'argument')) decoder.frame(null, frame, undefined);
      } else if (opts.hex) {
        await decodeHexFile(input, decoder);
      } else {
        await decodeCaptureFile(input, decoder);
      }
    }
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    failure = err;
  }
  decoder.finish();
  decoder.flush();
  const hint = decoder.otherEthertypeHint();
  if (hint !== null) out.note(errorLine(hint));
  if (opts.summary) decoder.tally.render(out);
  out.flush();
  if (failure) throw failure;
  return 0;
}
