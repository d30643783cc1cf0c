// The JSON byte sink: a walked PDU's JSON text written straight from its
// octets into a ByteWriter, with no Pdu object or string made on the way.
// The text is JSON.stringify of what the object sink (proto/pdu/object-sink.ts)
// builds for the same walk, octet for octet (test/render/pdu-json-sink.test.ts
// holds it to that). The walker has checked everything; this only writes.
import type { PduSink } from '../proto/pdu-sink.js';
import { ENCAPSULATION_LAYOUT_LIST, type EncapsulationLayout } from '../proto/pdu/encapsulation-layout.js';
import { ascii, TAIL_OCTETS, TAIL_WORDS, type Ascii, type ByteWriter } from './byte-writer.js';

/** Room for the record's closing octets after a PDU's JSON ('}' of the record, newline). */
export const PDU_JSON_TAIL = 8;

export class PduJsonSink implements PduSink<void> {
  private ipv6 = false;
  private mpls = false;
  /** entries of the encapsulation PDU still to come (the count encapsBegin was given) */
  private left = 0;

  /**
   * Each call makes room for what it writes (plus PDU_JSON_TAIL): room for a
   * whole PDU up front (16 × its length) took a fresh buffer, outside the
   * reused batches, for every PDU of a few KB.
   */
  constructor(private readonly w: ByteWriter) {}

  empty(type: 'HELLO' | 'KEEPALIVE'): void {
    this.w.ensure(32 + PDU_JSON_TAIL);
    this.w.ascii(type === 'HELLO' ? HELLO : KEEPALIVE);
  }

  open(buf: Uint8Array, at: number, attributesEnd: number, authAt: number, end: number): void {
    const w = this.w;
    w.ensure(2 * (end - at) + 96 + PDU_JSON_TAIL);
    w.ascii(OPEN_HEAD);
    w.hex(buf, at, at + 4);
    w.ascii(LOCAL_ID_KEY);
    w.hex(buf, at + 4, at + 14);
    w.ascii(ATTRIBUTES_KEY);
    w.hex(buf, at + 15, attributesEnd);
    if (end > authAt) {
      w.ascii(AUTH_KEY);
      w.hex(buf, authAt, end);
    }
    w.ascii(QUOTE_BRACE);
  }

  ack(ackType: number, errorType: number, errorCode: number, errorHint: number): void {
    const w = this.w;
    w.ensure(128 + PDU_JSON_TAIL);
    // everything up to the error code in one copy, by acked type and error type
    const head = (ackType << 4) | errorType;
    w.ascii((ACK_HEADS[head] ??= ascii(`{"type":"ACK","ackType":${ackType},"errorType":${errorType},"errorCode":`)));
    w.uint(errorCode);
    w.ascii(ERROR_HINT_KEY);
    w.uint(errorHint);
    w.byte(CLOSE_BRACE);
  }

  /**
   * Entries are written address first: the head ends with the first entry's
   * `{"address":"`, and each entry's tail with the next one's (see
   * encapsEntry), so an entry is one address and one copy.
   */
  encapsBegin(layout: EncapsulationLayout, count: number): void {
    this.ipv6 = layout.ipv6;
    this.mpls = layout.mpls;
    this.left = count;
    // by the layout's index, not by the type's name: a keyed load by four names was megamorphic
    this.w.ensure(80 + PDU_JSON_TAIL);
    this.w.ascii(count > 0 ? ENCAPS_HEAD_ENTRY[layout.index]! : ENCAPS_HEAD[layout.index]!);
  }

  encapsEntry(buf: Uint8Array, flags: number, labelsAt: number, labelCount: number, addressAt: number, prefixLength: number): void {
    const w = this.w;
    // The longest entry: an IPv6 address (39), its tail, 9 octets a label and the labels' end (16).
    w.ensure(39 + TAIL_OCTETS + 9 * labelCount + 16 + PDU_JSON_TAIL);
    const next = --this.left > 0;
    // Everything between the address and the labels (or the next address) in one copy.
    const tail = (prefixLength << 2) | ((flags >>> 6) & 3);
    const mpls = this.mpls;
    const text = mpls
      ? (ENTRY_TAIL_LABELS[tail] ??= entryTail(tail, ',"labels":['))
      : next
        ? (ENTRY_TAIL_NEXT[tail] ??= entryTail(tail, NEXT_ENTRY))
        : (ENTRY_TAIL_LAST[tail] ??= entryTail(tail, '}'));
    if (!this.ipv6) w.ipv4(buf, addressAt, text);
    else w.ipv6(buf, addressAt, text);
    if (mpls) w.quotedHex3List(buf, labelsAt, labelCount, next ? LABELS_END_NEXT : LABELS_END);
  }

  encapsEnd(): void {
    this.w.ensure(2 + PDU_JSON_TAIL);
    this.w.byte(CLOSE_BRACKET);
    this.w.byte(CLOSE_BRACE);
  }

  vendor(enterpriseNumber: number, enterpriseType: number, buf: Uint8Array, dataAt: number, end: number): void {
    const w = this.w;
    w.ensure(2 * (end - dataAt) + 96 + PDU_JSON_TAIL);
    w.ascii(VENDOR_HEAD);
    w.uint(enterpriseNumber);
    w.ascii(ENTERPRISE_TYPE_KEY);
    w.u8(enterpriseType);
    w.ascii(DATA_KEY);
    w.hex(buf, dataAt, end);
    w.ascii(QUOTE_BRACE);
  }

  unknown(typeCode: number, buf: Uint8Array, start: number, end: number): void {
    const w = this.w;
    w.ensure(2 * (end - start) + 64 + PDU_JSON_TAIL);
    w.ascii(UNKNOWN_HEAD);
    w.u8(typeCode);
    w.ascii(RAW_KEY);
    w.hex(buf, start, end);
    w.ascii(QUOTE_BRACE);
  }
}

const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

const HELLO = ascii('{"type":"HELLO"}');
const KEEPALIVE = ascii('{"type":"KEEPALIVE"}');
const OPEN_HEAD = ascii('{"type":"OPEN","nonce":"');
const LOCAL_ID_KEY = ascii('","localId":"');
const ATTRIBUTES_KEY = ascii('","attributes":"');
const AUTH_KEY = ascii('","auth":"');
const QUOTE_BRACE = ascii('"}');
/**
 * An ACK's text up to its error code, by acked type << 4 | error type (4
 * bits), made when first needed: one copy instead of three keys and two
 * numbers (a smaller compiled ack() too, so TurboFan's job for it is shorter).
 */
const ACK_HEADS: (Ascii | undefined)[] = new Array<Ascii | undefined>(256 * 16).fill(undefined);
const ERROR_HINT_KEY = ascii(',"errorHint":');
const VENDOR_HEAD = ascii('{"type":"VENDOR","enterpriseNumber":');
const ENTERPRISE_TYPE_KEY = ascii(',"enterpriseType":');
const DATA_KEY = ascii(',"data":"');
const UNKNOWN_HEAD = ascii('{"type":"UNKNOWN","typeCode":');
const RAW_KEY = ascii(',"raw":"');
/** An entry's end when another follows: its `}` and the next one's head. */
const NEXT_ENTRY = '},{"address":"';
/** The four layouts' heads by their index (encapsBegin), without and with the first entry's head. */
const ENCAPS_HEAD = ENCAPSULATION_LAYOUT_LIST.map(({ name }) => ascii(`{"type":"${name}","encaps":[`));
const ENCAPS_HEAD_ENTRY = ENCAPSULATION_LAYOUT_LIST.map(({ name }) => ascii(`{"type":"${name}","encaps":[{"address":"`));
const LABELS_END = ascii(']}', 2);
const LABELS_END_NEXT = ascii(`]${NEXT_ENTRY}`, 2);
/**
 * Everything of an entry after its address, by prefix length (0..255: the
 * walker rejects too long ones only after the walk) << 2 | flags >>> 6
 * (Primary 0x80, Loopback 0x40): one copy per entry. LAST ends the entry,
 * NEXT goes on to the next one's address, LABELS to its labels. Each is made
 * when first needed: all 3 × 1,024 at load cost ~100 M instructions at every start.
 */
const ENTRY_TAIL_LAST: (Ascii | undefined)[] = new Array<Ascii | undefined>(256 * 4).fill(undefined);
const ENTRY_TAIL_NEXT: (Ascii | undefined)[] = new Array<Ascii | undefined>(256 * 4).fill(undefined);
const ENTRY_TAIL_LABELS: (Ascii | undefined)[] = new Array<Ascii | undefined>(256 * 4).fill(undefined);
function entryTail(tail: number, end: string): Ascii {
  const text = `","prefixLength":${tail >>> 2},"primary":${(tail & 2) !== 0},"loopback":${(tail & 1) !== 0}${end}`;
  if (text.length > TAIL_OCTETS) throw new RangeError(`entryTail(): ${text.length} octets, more than ${TAIL_OCTETS}`);
  return ascii(text, TAIL_WORDS);
}
