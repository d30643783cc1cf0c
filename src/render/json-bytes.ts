// The JSON lines of `decode --json` built as bytes in a large buffer instead of
// as strings: a PDU record's line is written straight from the PDU's octets
// (proto/pdu-json.ts) and the buffer goes out in big chunks. Each line is
// byte-for-byte recordJsonLine's (a test holds it to that); records this
// writer cannot vouch for come back to the caller for the slow path.
import { ascii, pduJsonBound, pduJsonInto, putAscii, putUint, type Ascii } from '../proto/pdu-json.js';

const CHUNK = 1 << 20;

export class JsonLineBuffer {
  private buf: Buffer = Buffer.allocUnsafeSlow(CHUNK);
  /** start of what has not been handed to the sink yet */
  private start = 0;
  private pos = 0;
  private lastTime: number | null = null;
  private lastTimeText = 'null';
  private lastIfname: string | undefined = undefined;
  private lastIfnameJson: Buffer = Buffer.from('null');

  /** `sink` receives finished lines; a chunk is never written to again once handed over. */
  constructor(private readonly sink: (chunk: Buffer) => void) {}

  /**
   * Appends the line of a PDU record, as recordJsonLine(rec, time) would make it.
   * Returns false, having written nothing, when the PDU would not decode (or a
   * MAC is not plain text): the caller then decodes it the slow way.
   */
  pduRecord(time: number | null, ifname: string | undefined, src: string, dst: string, frames: number, pdu: Buffer): boolean {
    if (time !== this.lastTime) {
      this.lastTime = time;
      this.lastTimeText = time === null || !Number.isFinite(time) ? 'null' : String(time);
    }
    if (ifname !== this.lastIfname) {
      this.lastIfname = ifname;
      this.lastIfnameJson = Buffer.from(ifname === undefined ? 'null' : JSON.stringify(ifname));
    }
    const ifJson = this.lastIfnameJson;
    this.ensure(128 + this.lastTimeText.length + ifJson.length + src.length + dst.length + pduJsonBound(pdu.length));
    const out = this.buf;
    let p = put(out, this.pos, TIME_KEY);
    p = putPlain(out, p, this.lastTimeText);
    if (p < 0) return false;
    p = put(out, p, IFNAME_KEY);
    ifJson.copy(out, p);
    p += ifJson.length;
    p = put(out, p, SRC_KEY);
    p = putPlain(out, p, src);
    p = put(out, p, DST_KEY);
    p = putPlain(out, p, dst);
    if (p < 0) return false;
    p = put(out, p, FRAMES_KEY);
    p = putUint(out, p, frames);
    p = put(out, p, LENGTH_KEY);
    p = putUint(out, p, pdu.length);
    p = put(out, p, PDU_KEY);
    p = pduJsonInto(pdu, out, p);
    if (p < 0) return false;
    out[p] = CLOSE_BRACE;
    out[p + 1] = NEWLINE;
    this.pos = p + 2;
    return true;
  }

  /** Appends a line made elsewhere (the slow path), keeping the order of lines. */
  line(text: string): void {
    this.ensure(Buffer.byteLength(text) + 1);
    this.pos += this.buf.write(text, this.pos, 'utf8');
    this.buf[this.pos++] = NEWLINE;
  }

  /** Hands what is written so far to the sink. */
  flush(): void {
    if (this.pos > this.start) {
      this.sink(this.buf.subarray(this.start, this.pos));
      this.start = this.pos;
    }
  }

  private ensure(n: number): void {
    if (this.buf.length - this.pos >= n) return;
    this.flush();
    // The old buffer belongs to the sink now (it may still be queued for writing).
    this.buf = Buffer.allocUnsafeSlow(Math.max(CHUNK, n));
    this.start = 0;
    this.pos = 0;
  }
}

/**
 * Text that needs no JSON escaping (our MACs, number text), copied as ASCII;
 * -1 (and so the slow path) for anything else. `p` -1 passes through.
 */
function putPlain(out: Uint8Array, p: number, text: string): number {
  if (p < 0) return -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return -1;
    out[p + i] = c;
  }
  return p + text.length;
}

function put(out: Uint8Array, p: number, text: Ascii): number {
  return p < 0 ? -1 : putAscii(out, p, text);
}

const TIME_KEY = ascii('{"time":');
const IFNAME_KEY = ascii(',"ifname":');
const SRC_KEY = ascii(',"src":"');
const DST_KEY = ascii('","dst":"');
const FRAMES_KEY = ascii('","frames":');
const LENGTH_KEY = ascii(',"length":');
const PDU_KEY = ascii(',"pdu":');
const CLOSE_BRACE = 0x7d;
const NEWLINE = 0x0a;
