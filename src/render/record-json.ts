// The JSON line of every record lsoe prints, defined once: a PDU record
// (decode, sniff), an error record (a frame or PDU that does not decode), and
// hello's answer record share one head and one PDU writer. Lines are written
// as bytes into the output's ByteWriter; the PDU part straight from its
// octets through the walker and the JSON byte sink (no Pdu object made).
//
//   {"time":T|null,"ifname":S|null,"src":MAC,"dst":MAC|null,
//    ["direction":"in"|"out","ifindex":N|null,]   (Linux cooked captures only)
//    "vlan":[N…],                                  (PDU and error records)
//    "frames":N,"length":N,"pdu":{…}}              (PDU record)
//    "error":{"reason":S,"message":S,"offset":N,"pduType":N|null}}   (error record)
//    "kind":S,"probe":N,"timeToAnswer":S,"pdu":{…}} (hello answer)
import { DecodeError } from '../proto/errors.js';
import { walkPdu } from '../proto/pdu/index.js';
import { pduErrorRecord, type ErrorRecord, type RawPduRecord, type RecordBase } from '../proto/stream.js';
import { ascii, type ByteWriter } from './byte-writer.js';
import { PduJsonSink } from './pdu-json-sink.js';

export class RecordJsonWriter {
  private readonly pduSink: PduJsonSink;

  constructor(private readonly w: ByteWriter) {
    this.pduSink = new PduJsonSink(w);
  }

  /**
   * The line of a reassembled PDU (`time` null: the input had none). A PDU that
   * does not decode is written as its error record instead, which is returned.
   */
  pdu(rec: RawPduRecord, time: number | null): ErrorRecord | null {
    const w = this.w;
    w.beginRecord();
    this.head(rec, time);
    w.ensure(64);
    if ((rec.vlan === undefined || rec.vlan.length === 0) && rec.frames.length === 1) {
      // most records: untagged, one frame, so one copy from `,"vlan"` to `"length":`
      w.ascii(NO_VLAN_ONE_FRAME);
    } else {
      this.vlan(rec);
      w.ensure(64);
      w.ascii(FRAMES_KEY);
      w.uint(rec.frames.length);
      w.ascii(LENGTH_KEY);
    }
    w.uint(rec.bytes.length);
    w.ascii(PDU_KEY);
    try {
      walkPdu(rec.bytes, this.pduSink);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      // Take back the part written and say what is wrong instead.
      w.rewind();
      w.endRecord();
      const err = pduErrorRecord(rec, e);
      this.error(err, time);
      return err;
    }
    w.byte(CLOSE_BRACE);
    w.byte(NEWLINE);
    w.endRecord();
    return null;
  }

  /** The line of an error record. */
  error(rec: ErrorRecord, time: number | null): void {
    const w = this.w;
    const e = rec.error;
    this.head(rec, time);
    this.vlan(rec);
    w.text(',"error":{"reason":');
    w.jsonString(e.reason);
    w.text(',"message":');
    w.jsonString(e.message);
    w.text(`,"offset":${e.offset},"pduType":${e.pduType ?? 'null'}}}\n`);
  }

  /**
   * hello's answer: what kind (an OPEN, or another PDU saying alive), the HELLO it
   * followed, how long after it (seconds), and the PDU (octets that decoded).
   */
  answer(rec: RecordBase, a: { kind: string; probe: number; timeToAnswer: number }, pdu: Buffer): void {
    const w = this.w;
    this.head(rec, rec.time);
    w.text(',"kind":');
    w.jsonString(a.kind);
    w.text(`,"probe":${a.probe},"timeToAnswer":${a.timeToAnswer},"pdu":`);
    walkPdu(pdu, this.pduSink);
    w.byte(CLOSE_BRACE);
    w.byte(NEWLINE);
  }

  /** `"vlan":[IDs]` of decode's and sniff's records: outermost first, [] when untagged. */
  private vlan(rec: RecordBase): void {
    const w = this.w;
    if (rec.vlan === undefined || rec.vlan.length === 0) {
      w.ensure(16);
      w.ascii(NO_VLAN);
    } else {
      w.text(`,"vlan":[${rec.vlan.join(',')}]`);
    }
  }

  /**
   * Fixed stretches are copied whole where the record allows (no interface
   * name: `,"ifname":null,"src":`): fewer copies and calls a record, the more
   * so while the code still runs unoptimised, at the start of every run.
   */
  private head(rec: RecordBase, time: number | null): void {
    const w = this.w;
    // the time (at most 32), the keys and nulls below (40); the strings make room for themselves
    w.ensure(72);
    w.ascii(TIME_KEY);
    if (time === null || !Number.isFinite(time)) w.ascii(NULL);
    else w.seconds(time);
    if (rec.ifname === undefined) {
      w.ascii(NO_IFNAME_SRC_KEY);
    } else {
      w.ascii(IFNAME_KEY);
      w.recurringString(rec.ifname);
      w.ensure(16);
      w.ascii(SRC_KEY);
    }
    w.recurringString(rec.src);
    w.ensure(16);
    if (rec.dst === null) {
      w.ascii(NULL_DST);
    } else {
      w.ascii(DST_KEY);
      w.recurringString(rec.dst);
    }
    if (rec.cooked !== undefined) {
      w.text(`,"direction":"${rec.cooked.direction}","ifindex":${rec.cooked.ifindex ?? 'null'}`);
    }
  }
}

const TIME_KEY = ascii('{"time":');
const NULL = ascii('null');
const IFNAME_KEY = ascii(',"ifname":');
const SRC_KEY = ascii(',"src":');
const DST_KEY = ascii(',"dst":');
const NO_IFNAME_SRC_KEY = ascii(',"ifname":null,"src":');
const NULL_DST = ascii(',"dst":null');
const NO_VLAN = ascii(',"vlan":[]');
const NO_VLAN_ONE_FRAME = ascii(',"vlan":[],"frames":1,"length":');
const FRAMES_KEY = ascii(',"frames":');
const LENGTH_KEY = ascii(',"length":');
const PDU_KEY = ascii(',"pdu":');
const CLOSE_BRACE = 0x7d;
const NEWLINE = 0x0a;
