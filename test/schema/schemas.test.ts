// docs/schema: the schemas compile (ajv, strict, draft 2020-12), say what they
// require and allow nothing else, accept what lsoe prints, and refuse a record
// with a key missing, renamed or added.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { jsonLines, runLsoe } from '../helpers/run-cli.js';
import { assertSchema, SCHEMA_DIR, schemaErrors } from '../helpers/schema.js';
import { loadReferenceVectors, vectorsDir } from '../helpers/vectors.js';

const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));

/** Keys a record may leave out, each documented in its schema (PROTOCOL.md section 4, issue 9's pieces). */
const DOCUMENTED_OPTIONAL = new Set(['auth', 'more', 'id', 'params', 'direction', 'ifindex']);

t.test('every object with properties requires them all and forbids others (documented exceptions aside)', async (t) => {
  let objects = 0;
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}/${i}`));
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.properties !== undefined) {
      objects++;
      t.equal(o.additionalProperties, false, `${where}: additionalProperties false`);
      const props = Object.keys(o.properties as object).filter((k) => !DOCUMENTED_OPTIONAL.has(k));
      t.same([...((o.required as string[]) ?? [])].filter((k) => !DOCUMENTED_OPTIONAL.has(k)).sort(), props.sort(), `${where}: all required`);
    }
    for (const [k, v] of Object.entries(o)) walk(v, `${where}/${k}`);
  };
  for (const f of files) {
    t.doesNotThrow(() => schemaErrors(f.replace('.schema.json', ''), null), `${f} compiles (ajv strict)`);
    const schema = JSON.parse(readFileSync(path.join(SCHEMA_DIR, f), 'utf8')) as Record<string, unknown>;
    t.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', `${f} is draft 2020-12`);
    walk(schema, f);
  }
  t.ok(objects > 30, `${objects} record shapes checked`);
  // and the documented exceptions are documented where they apply
  const pdu = readFileSync(path.join(SCHEMA_DIR, 'pdu.schema.json'), 'utf8');
  t.match(pdu, /documented exception: present only when Auth Length > 0/);
});

t.test('every reference vector is a valid PDU; the bad-frame reasons are in the error enum', async (t) => {
  const v = loadReferenceVectors();
  for (const vec of v.vectors) t.equal(schemaErrors('pdu', vec.expect), null, vec.name);
  for (const bad of v.bad) {
    t.equal(schemaErrors('decode#errorRecord', { time: 1, ifname: null, src: '', dst: '', error: { reason: bad.reason, message: 'x', offset: 0, pduType: null } }), null, bad.name);
  }
});

const exchange = path.join(vectorsDir(), 'lsoed-exchange.pcap');
const decoded = jsonLines(runLsoe(['decode', '--ethertype', '0x8885', '--json', exchange]).stdout, 'decode#pduRecord');
const open = decoded.find((r) => r.pdu.type === 'OPEN')!;
const mpls = decoded.find((r) => r.pdu.type === 'MPLS_IPV4_ENCAPSULATION')!;

const SESSION = {
  ifname: 'eth0', peerMac: '02:00:00:00:00:01', peerId: '0102030405060708090a', state: 'open',
  since: '2026-11-30T04:00:00.000Z', until: null, lastHeard: null, counters: { txPdus: 1, rxPdus: 2, retransmits: 0, errors: 0 },
};
const EVENT = { event: 'encaps-changed', time: '2026-11-30T04:00:00.000Z', ifname: 'eth0', peerMac: '02:00:00:00:00:01', peerId: null, type: 'IPV4_ENCAPSULATION', encaps: [], withdrawn: false };

/** Copies of `rec` with its key `key` removed, renamed (camelCase → snake_case or +x), and a key added. */
function mutants(rec: Record<string, unknown>, key: string): Array<[string, Record<string, unknown>]> {
  const { [key]: value, ...rest } = rec;
  const renamed = key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
  return [
    [`without ${key}`, rest],
    [`${key} renamed`, { ...rest, [renamed === key ? key + 's' : renamed]: value }],
    ['with an extra key', { ...rec, extra: 1 }],
  ];
}

t.test('a record with a key missing, renamed or added is refused', async (t) => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['decode#pduRecord', open, ['time', 'ifname', 'frames', 'pdu']],
    ['pdu', open.pdu, ['localId', 'attributes']],
    ['pdu', mpls.pdu, ['encaps']],
    ['sessions#session', SESSION, ['peerId', 'until', 'lastHeard', 'state']],
    ['event', EVENT, ['withdrawn', 'peerMac']],
  ];
  for (const [kind, rec, keys] of cases) {
    t.equal(schemaErrors(kind, rec), null, `${kind}: the record itself is valid`);
    t.equal(schemaErrors('record', rec.pdu === undefined && kind === 'pdu' ? { ...open, pdu: rec } : rec), null, `${kind}: and is some record`);
    for (const key of keys) {
      for (const [what, bad] of mutants(rec, key)) {
        t.not(schemaErrors(kind, bad), null, `${kind} ${what}`);
        t.throws(() => assertSchema(kind, bad), new RegExp(`not a valid ${kind.replace('#', '#')} record`), `${kind} ${what}: the helper throws`);
      }
    }
  }
  // nested: an MPLS entry without labels, an IPv4 entry with them
  const entry = { address: '10.0.0.1', prefixLength: 31, primary: true, loopback: false };
  t.not(schemaErrors('pdu', { type: 'MPLS_IPV4_ENCAPSULATION', encaps: [entry] }), null, 'MPLS entries carry labels');
  t.not(schemaErrors('pdu', { type: 'IPV4_ENCAPSULATION', encaps: [{ ...entry, labels: [] }] }), null, 'IPv4 entries do not');
  t.not(schemaErrors('pdu', { type: 'IPV4_ENCAPSULATION', encaps: entry }), null, 'a list of one is still a list');
  t.throws(() => jsonLines(JSON.stringify({ ...open, extra: true })), /not a valid record record/, 'jsonLines, the e2e helper, refuses it');
});
