// A minimal LSOE neighbour on src/io for tests (until `lsoe daemon` exists):
// answers every HELLO with an OPEN, unicast to the sender, and reports every
// PDU it receives. It never acks and keeps no session.
// Run: node dist/test/helpers/open-responder.js '{"ifname":"vb..","localId":"hex20","nonce":"hex8","attributes":"hex"}'
// stdout: {"event":"ready","mac":..} then {"event":"pdu","src":..,"dst":..,"pdu":{..}} and
// {"event":"sent","type":"OPEN","dst":..} lines.
import { LinkError } from '../../src/io/link.js';
import { openPcapLink } from '../../src/io/pcap-link.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { encodePdu } from '../../src/proto/pdu/index.js';
import { LsoeStream } from '../../src/proto/stream.js';

interface ResponderOptions {
  ifname: string;
  localId: string;
  nonce: string;
  attributes?: string;
  ethertype?: number;
}

const say = (obj: unknown): void => {
  process.stdout.write(JSON.stringify(obj) + '\n');
};

const opts = JSON.parse(process.argv[2] ?? '{}') as ResponderOptions;
let link;
try {
  link = await openPcapLink({ ifname: opts.ifname, ethertype: opts.ethertype });
} catch (err) {
  say({ event: 'open-failed', message: (err as LinkError).message });
  process.exit(1);
}
const l = link;
const stream = new LsoeStream();
l.onError((e) => say({ event: 'error', code: e.code, message: e.message }));
l.onFrame((f) => {
  for (const rec of stream.push({ time: f.time, ifname: f.ifname, src: f.src, dst: f.dst, payload: f.payload })) {
    if (rec.kind !== 'pdu') {
      say({ event: 'bad', src: rec.src, reason: rec.error.reason });
      continue;
    }
    say({ event: 'pdu', src: rec.src, dst: rec.dst, pdu: rec.pdu });
    if (rec.pdu.type === 'HELLO') {
      const open = encodePdu({ type: 'OPEN', nonce: opts.nonce, localId: opts.localId, attributes: opts.attributes ?? '' });
      for (const frame of splitPdu(open)) l.send(rec.src, frame);
      say({ event: 'sent', type: 'OPEN', dst: rec.src });
    }
  }
});
say({ event: 'ready', mac: l.mac });
process.on('SIGTERM', () => process.exit(0));
