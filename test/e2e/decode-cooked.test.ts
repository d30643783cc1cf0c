// Captures that carry other things than an Ethernet header: Linux cooked
// captures (tcpdump -i any) have no destination MAC but a direction and an
// interface index; pcapng interface names come from the file and may hold
// anything, which must not reach a terminal raw.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CaptureWriter, pcapFileHeader } from '../../src/io/capture-writer.js';
import { buildEthernet } from '../../src/proto/ethernet.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { encodePdu } from '../../src/proto/pdu/index.js';
import { jsonLines, runLsoe } from '../helpers/run-cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'lsoe-decode-cooked-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
const SRC = '02:00:00:00:00:0a';
const lsoe = (type: 'HELLO' | 'KEEPALIVE'): Buffer => splitPdu(encodePdu({ type }))[0]!;

/** An SLL2 record: protocol, reserved, ifindex, ARPHRD_ETHER, packet type, address length 6, address. */
function sll2(packetType: number, ifindex: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(0x88b5, 0);
  h.writeUInt32BE(ifindex, 4);
  h.writeUInt16BE(1, 8);
  h[10] = packetType;
  h[11] = 6;
  Buffer.from(SRC.replace(/:/g, ''), 'hex').copy(h, 12);
  return Buffer.concat([h, payload]);
}

function pcapRecord(time: number, data: Buffer): Buffer {
  const r = Buffer.alloc(16);
  r.writeUInt32LE(time, 0);
  r.writeUInt32LE(data.length, 8);
  r.writeUInt32LE(data.length, 12);
  return Buffer.concat([r, data]);
}

t.test('SLL2: no destination (dst null), the direction and interface index instead; --dst never matches', async (t) => {
  const file = path.join(tmp, 'any.pcap');
  writeFileSync(file, Buffer.concat([pcapFileHeader(262144, 276), pcapRecord(1, sll2(0, 3, lsoe('HELLO'))), pcapRecord(2, sll2(4, 7, lsoe('KEEPALIVE')))]));
  const json = runLsoe(['decode', '--json', file]);
  t.equal(json.code, 0, json.stderr);
  t.same(
    jsonLines(json.stdout).map((r) => [r.src, r.dst, r.direction, r.ifindex, r.pdu.type]),
    [
      [SRC, null, 'in', 3, 'HELLO'],
      [SRC, null, 'out', 7, 'KEEPALIVE'],
    ],
  );
  const text = runLsoe(['decode', file]);
  t.match(text.stdout, `${SRC} In ifindex 3 HELLO`);
  t.match(text.stdout, `${SRC} Out ifindex 7 KEEPALIVE`);
  t.notMatch(text.stdout, '00:00:00:00:00:00');
  for (const dst of ['00:00:00:00:00:00', '01:80:c2:00:00:0e']) {
    t.equal(runLsoe(['decode', '--json', '--dst', dst, file]).stdout, '', `--dst ${dst} matches nothing`);
  }
  t.equal(jsonLines(runLsoe(['decode', '--json', '--mac', SRC, file]).stdout).length, 2, '--mac still matches the source');
});

t.test('an interface name with control characters is shown escaped, and kept exact in JSON', async (t) => {
  const file = path.join(tmp, 'names.pcapng');
  const name = 'ev\u001b[2Jil\u0007';
  const w = new CaptureWriter(file, { format: 'pcapng' });
  w.writeFrame(1, buildEthernet('01:80:c2:00:00:0e', SRC, 0x88b5, lsoe('HELLO')), name);
  await w.close();
  const text = runLsoe(['decode', file]);
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, 'ev\\x1b[2Jil\\x07 02:00:00:00:00:0a > 01:80:c2:00:00:0e HELLO');
  t.notOk(/[\u0000-\u001f]/.test(text.stdout.replace(/\n/g, '')), 'no control character on the terminal');
  t.equal(jsonLines(runLsoe(['decode', '--json', file]).stdout)[0]!.ifname, name);
});
