// The JSON line of a decoded record, written by hand for speed: a capture of
// encapsulation PDUs is mostly thousands of small entry objects, and building
// their text directly is several times faster than JSON.stringify on objects.
// The result is byte-for-byte JSON.stringify(toJsonRecord(rec)) (a test holds
// it to that), so there is still one definition of the record: records.ts.
import type { StreamRecord } from '../proto/stream.js';
import type { Encapsulation, Pdu } from '../proto/types.js';
import { toJsonRecord } from './records.js';

/** `time` overrides the record's time (null: the input had none). */
export function recordJsonLine(rec: StreamRecord, time: number | null = rec.time): string {
  if (rec.kind === 'error') {
    const obj = toJsonRecord(rec) as { time: number | null };
    obj.time = time;
    return JSON.stringify(obj);
  }
  return (
    '{"time":' +
    num(time) +
    ',"ifname":' +
    (rec.ifname === undefined ? 'null' : JSON.stringify(rec.ifname)) +
    ',"src":"' +
    rec.src +
    '","dst":"' +
    rec.dst +
    '","frames":' +
    rec.frames.length +
    ',"length":' +
    rec.bytes.length +
    ',"pdu":' +
    pduJson(rec.pdu) +
    '}'
  );
}

function num(n: number | null): string {
  return n === null || !Number.isFinite(n) ? 'null' : String(n);
}

function pduJson(p: Pdu): string {
  if ('encaps' in p) return '{"type":"' + p.type + '","encaps":[' + encapsJson(p.encaps) + ']}';
  return JSON.stringify(p);
}

// Addresses, labels and types are made by our own formatters from digits,
// hex, '.' and ':' only: nothing in them needs escaping.
function encapsJson(list: Encapsulation[]): string {
  let s = '';
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    s +=
      (i === 0 ? '{"address":"' : ',{"address":"') +
      e.address +
      '","prefixLength":' +
      e.prefixLength +
      (e.primary ? ',"primary":true' : ',"primary":false') +
      (e.loopback ? ',"loopback":true' : ',"loopback":false') +
      (e.labels === undefined ? '}' : ',"labels":' + labelsJson(e.labels) + '}');
  }
  return s;
}

function labelsJson(labels: string[]): string {
  if (labels.length === 0) return '[]';
  return '["' + labels.join('","') + '"]';
}
