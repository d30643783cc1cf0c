// Bounds-checked byte access. Every read or write names the field it is for, so a
// malformed PDU fails with one line saying what was missing and where, never with
// Buffer's RangeError.
import { DecodeError } from './errors.js';
import { hexOf } from './hex.js';

export class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    offset = 0,
    /** one past the last octet this reader may touch */
    readonly end: number = buf.length,
    /** wire type of the PDU being read, carried into errors */
    readonly pduType?: number,
  ) {
    this.pos = offset;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more octets are available for `field`. */
  need(n: number, field: string): void {
    if (this.pos + n > this.end) {
      throw new DecodeError(
        'pdu',
        `${field}: needs ${n} octet${n === 1 ? '' : 's'} at offset ${this.pos}, only ${this.end - this.pos} left`,
        this.pos,
        this.pduType,
      );
    }
  }

  u8(field: string): number {
    if (this.pos + 1 > this.end) this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field: string): number {
    if (this.pos + 2 > this.end) this.need(2, field);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    if (this.pos + 4 > this.end) this.need(4, field);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A view (no copy) of the next `n` octets. */
  bytes(n: number, field: string): Buffer {
    if (this.pos + n > this.end) this.need(n, field);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** The next `n` octets as lowercase hex. */
  hex(n: number, field: string): string {
    if (this.pos + n > this.end) this.need(n, field);
    // Short fields (nonce, IDs) are cheaper from the table; long data from the native call.
    const v = n <= 16 ? hexOf(this.buf, this.pos, this.pos + n) : this.buf.toString('hex', this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Throws if octets are left over after the last field. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) {
      throw new DecodeError(
        'pdu',
        `${what}: ${this.end - this.pos} trailing octet${this.end - this.pos === 1 ? '' : 's'} at offset ${this.pos}`,
        this.pos,
        this.pduType,
      );
    }
  }

  /** A DecodeError at the current position (or `at`), for field-level checks. */
  error(message: string, at: number = this.pos): DecodeError {
    return new DecodeError('pdu', `${message} at offset ${at}`, at, this.pduType);
  }
}

export class Writer {
  pos: number;
  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly pduType?: number,
  ) {
    this.pos = offset;
  }

  private room(n: number, field: string): void {
    if (this.pos + n > this.buf.length) {
      throw new DecodeError(
        'pdu',
        `${field}: no room for ${n} octets at offset ${this.pos} (buffer is ${this.buf.length})`,
        this.pos,
        this.pduType,
      );
    }
  }

  u8(v: number, field: string): void {
    this.room(1, field);
    this.buf[this.pos++] = v;
  }

  u16(v: number, field: string): void {
    this.room(2, field);
    this.buf[this.pos] = v >>> 8;
    this.buf[this.pos + 1] = v & 0xff;
    this.pos += 2;
  }

  u32(v: number, field: string): void {
    this.room(4, field);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  bytes(src: Uint8Array, field: string): void {
    this.room(src.length, field);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** Writes hex text that must be exactly `octets` long (checked by the codec beforehand). */
  hex(text: string, field: string): void {
    const n = text.length >>> 1;
    this.room(n, field);
    const written = this.buf.write(text, this.pos, n, 'hex');
    if (written !== n) {
      throw new DecodeError('pdu', `${field}: "${text}" is not hex`, this.pos, this.pduType);
    }
    this.pos += n;
  }
}
