// docs/schema: the schemas compile (ajv, strict, draft 2020-12), say what they
// require and allow nothing else, accept what lsoe prints, and refuse a record
// with a key missing, renamed or added.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { jsonLines, runLsoe } from '../helpers/run-cli.js';
import { assertSchema, SCHEMA_DIR, schemaErrors } from '../helpers/schema.js';
import { loadReferenceVectors, vectorsDir } from '../helpers/vectors.js';
import { buildConfig, configToRecord, KEYS } from '../../src/daemon/config.js';
import { ERROR_CODES } from '../../src/ctl/protocol.js';
import { bgpToWire } from '../../src/ctl/views.js';
import { COUNTER_SHAPES, zeroCounters } from '../../src/daemon/counters.js';
import { FakeClock } from '../../src/daemon/clock.js';
import { MemorySegment } from '../../src/io/memory-link.js';
import { makeNode, run } from '../daemon/harness.js';

const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));

/** Keys a record may leave out, each documented in its schema (PROTOCOL.md section 4, issue 9's pieces and coalesced events, issue 11's cooked captures). */
const DOCUMENTED_OPTIONAL = new Set(['auth', 'more', 'id', 'params', 'direction', 'ifindex', 'coalesced']);

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
  const decode = readFileSync(path.join(SCHEMA_DIR, 'decode.schema.json'), 'utf8');
  t.match(decode, /documented exception: present only for Linux cooked captures/);
  const event = readFileSync(path.join(SCHEMA_DIR, 'event.schema.json'), 'utf8');
  t.match(event, /documented exception: present only when events of this neighbour were folded/);
});

t.test('every reference vector is a valid PDU; the bad-frame reasons are in the error enum', async (t) => {
  const v = loadReferenceVectors();
  for (const vec of v.vectors) t.equal(schemaErrors('pdu', vec.expect), null, vec.name);
  for (const bad of v.bad) {
    t.equal(schemaErrors('decode#errorRecord', { time: 1, ifname: null, src: '', dst: '', vlan: [], error: { reason: bad.reason, message: 'x', offset: 0, pduType: null } }), null, bad.name);
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
const ADDRESS = { address: '10.9.0.2', prefixLength: 31, primary: true, loopback: false };
const NEIGHBOR = {
  peerMac: '02:00:00:00:00:01', peerId: '0102030405060708090a', state: 'open', since: '2026-11-30T04:00:00.000Z', until: null, lastHeard: null,
  ipv4: [ADDRESS], ipv6: [], flaps: 1, lastDown: { time: '2026-11-30T03:59:00.000Z', reason: 'admin' },
};
const INTERFACE = { ifname: 'eth0', mac: '02:00:00:00:00:02', up: true, running: true, neighbors: [NEIGHBOR] };
/** Every counter of the declared list: 0, or a map (one with a reason in it). */
const COUNTERS: Record<string, unknown> = { ...zeroCounters(), sessionsUp: 1, malformedBy: { checksum: 2 } };
const READING = {
  time: '2026-11-30T04:00:00.000Z', daemon: COUNTERS,
  interfaces: [{ ifname: 'eth0', up: true, open: 1, opening: 0, hopeless: 0, down: 0, flaps: 1 }],
};
const CONFIG = configToRecord(buildConfig({}), { 'effective-local-id': '0102030405060708090a' });
const ZERO_MESSAGES = { OPEN: 1, UPDATE: 2, NOTIFICATION: 0, KEEPALIVE: 3, ROUTE_REFRESH: 0 };
const ZERO_NLRI = { node: 1, link: 1, 'ipv4-prefix': 2, 'ipv6-prefix': 0 };
const PEER = {
  peer: '198.51.100.2', asn: 65000, peerAsn: 65000, state: 'established', since: '2026-11-30T04:00:00.000Z', peerRouterId: '10.255.0.9',
  localAddress: '198.51.100.1', linkState: true, messagesSent: ZERO_MESSAGES, messagesReceived: ZERO_MESSAGES, announced: ZERO_NLRI,
  withdrawn: ZERO_NLRI, held: 4, connects: 1, lastError: null,
};
const BGP_LINE = { routerId: '10.255.0.1', routes: 4, heldBack: 0, ...PEER };
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
    ['decode#pduRecord', open, ['time', 'ifname', 'vlan', 'frames', 'pdu']],
    ['pdu', open.pdu, ['localId', 'attributes']],
    ['pdu', mpls.pdu, ['encaps']],
    ['sessions#session', SESSION, ['peerId', 'until', 'lastHeard', 'state']],
    ['event', EVENT, ['withdrawn', 'peerMac']],
    ['neighbors#interface', INTERFACE, ['ifname', 'mac', 'running', 'neighbors']],
    ['neighbors#neighbor', NEIGHBOR, ['peerId', 'since', 'until', 'lastHeard', 'ipv6', 'flaps', 'lastDown']],
    ['counters#reading', READING, ['time', 'daemon', 'interfaces']],
    ['counters#interface', READING.interfaces[0]!, ['hopeless', 'flaps']],
    ['control#countersResult', COUNTERS, ['framesReceived', 'malformedBy', 'retransmits', 'reportBacklog', 'pluginErrors']],
    ['config#config', CONFIG, ['local-id', 'effective-local-id', 'bgp-ls-remote-asn']],
    ['version#version', { client: '0.1.0', daemon: null }, ['client', 'daemon']],
    ['clear#cleared', { cleared: 0 }, ['cleared']],
    ['bgp#peerLine', BGP_LINE, ['routerId', 'heldBack', 'peerRouterId', 'linkState', 'lastError', 'messagesSent']],
  ];
  for (const [kind, rec, keys] of cases) {
    t.equal(schemaErrors(kind, rec), null, `${kind}: the record itself is valid`);
    // a neighbour and a counters row are parts of a record, not records
    if (!['neighbors#neighbor', 'counters#interface', 'control#countersResult'].includes(kind))
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

t.test("a core's counters, with no reporter or plugin wired, carry every declared key", async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const a = makeNode(clock, segment, { ifname: 'eth0', mac: '02:00:00:00:00:0a', localId: '0a0a0a0a0a0a0a0a0a0a', addrs: ['10.0.0.1/31'] });
  makeNode(clock, segment, { ifname: 'eth1', mac: '02:00:00:00:00:0b', localId: '0b0b0b0b0b0b0b0b0b0b', addrs: ['10.0.0.0/31'] });
  await run(clock, 3);
  const counters = a.core.counters();
  t.ok(counters.sessionsUp === 1 && (counters.pdusSentBy.HELLO ?? 0) > 0, 'a session opened');
  t.equal(schemaErrors('control#countersResult', counters), null, 'valid against control#countersResult');
  t.same(Object.keys(counters).sort(), Object.keys(COUNTER_SHAPES).sort(), 'the same keys as the declared list');
  a.core.stop();
});

t.test('the operator and bgp records: the schemas follow the code', async (t) => {
  // config: a key the daemon gains must be described (KEYS is the one list of them)
  const cfg = JSON.parse(readFileSync(path.join(SCHEMA_DIR, 'config.schema.json'), 'utf8')) as { $defs: { config: { required: string[] } } };
  t.same([...cfg.$defs.config.required].sort(), [...KEYS.map((k) => k.key), 'effective-local-id'].sort(), 'config.schema.json has every configuration key');
  t.equal(schemaErrors('config', { ...CONFIG, 'bgp-ls-remote-asn': 'eth0=65001, *=65002' }), null, 'bgp-ls-remote-asn as in the file');
  t.not(schemaErrors('config', { ...CONFIG, 'bgp-ls-remote-asn': { byInterface: { eth0: 65001 }, fallback: null } }), null, 'not as the daemon holds it');
  // control: every error code the daemon sends is listed; the new results are results
  const ctl = JSON.parse(readFileSync(path.join(SCHEMA_DIR, 'control.schema.json'), 'utf8')) as { $defs: { errorResponse: { properties: { error: { properties: { code: { enum: string[] } } } } } } };
  t.same([...ctl.$defs.errorResponse.properties.error.properties.code.enum].sort(), Object.values(ERROR_CODES).sort(), 'every error code, forbidden and bad-params included');
  for (const code of ['forbidden', 'bad-params']) t.equal(schemaErrors('control#errorResponse', { id: 1, error: { code, message: 'x' } }), null, code);
  const results: Array<[string, unknown]> = [
    ['neighbors', [INTERFACE]],
    ['interfaces.selection', { patterns: ['eth*', 'nosuch9'], unmatched: ['nosuch9'] }],
    ['bgp (not running)', bgpToWire(null)],
    ['bgp', { enabled: true, routerId: '10.255.0.1', asn: 65000, routes: 4, heldBack: [{ ifname: 'eth0', peerMac: '02:00:00:00:00:01' }], peers: [PEER] }],
    ['clear', { cleared: 2 }],
    ['config', CONFIG],
  ];
  for (const [method, result] of results) t.equal(schemaErrors('control#response', { id: 1, result }), null, `${method}'s result`);
  // counters: every counter by name, as src/daemon/counters.ts declares them (COUNTER_SHAPES
  // is typed over Counters, so the type, that list and this schema cannot drift apart)
  const counters = ctl.$defs as unknown as { countersResult: { required: string[]; properties: Record<string, { $ref: string }> } };
  t.same([...counters.countersResult.required].sort(), Object.keys(COUNTER_SHAPES).sort(), 'control.schema.json names every counter of Counters');
  t.same(
    Object.fromEntries(Object.entries(counters.countersResult.properties).map(([k, v]) => [k, v.$ref.endsWith('/countMap') ? 'map' : 'count'])),
    COUNTER_SHAPES,
    'each as a count or a map, as declared',
  );
  t.not(schemaErrors('control#countersResult', { ...COUNTERS, malformedBy: 3 }), null, 'a map given as a number is refused');
  t.not(schemaErrors('control#countersResult', { ...COUNTERS, framesReceived: { x: 1 } }), null, 'a count given as a map is refused');
  t.not(schemaErrors('control#bgpResult', { ...bgpToWire(null), peers: [{ ...PEER, held: undefined }] }), null, 'a bgp peer without held is refused');
  t.not(schemaErrors('control#selectionResult', { patterns: [] }), null, 'a selection without unmatched is refused');
  t.not(schemaErrors('control#neighborsResult', [{ ...INTERFACE, neighbors: [{ ...NEIGHBOR, ipv4: null }] }]), null, 'ipv4 stays a list');
});
