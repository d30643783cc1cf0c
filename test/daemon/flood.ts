// Test helper, run inside a network namespace: sends a flood of LSOE frames from many
// random (seeded) source MACs to one destination, as an attacker on the link would.
// Usage: node flood.js IFNAME DST_MAC COUNT SEED [BATCH_DELAY_MS]
// (250 senders per batch; a longer delay spreads the flood so a test can watch it.)
// Per sender: a HELLO (asks for a session), a frame with a bad checksum, and the first
// piece of a large PDU that never completes (reassembly memory).
import { buildEthernet } from '../../src/proto/ethernet.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { encodeFrame } from '../../src/proto/frame.js';
import { encodePdu } from '../../src/proto/pdu/index.js';

const [ifname, dst, countText, seedText, delayText] = process.argv.slice(2);
if (!ifname || !dst) {
  process.stderr.write('usage: flood IFNAME DST_MAC COUNT SEED [BATCH_DELAY_MS]\n');
  process.exit(2);
}
const count = Number(countText ?? '10000');
const batchDelay = Number(delayText ?? '5');
let seed = Number(seedText ?? '1') >>> 0;
function next(): number {
  // xorshift32: deterministic, so a failure can be replayed
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>>= 0);
}
function randomMac(): string {
  const octets = [0x02 | (next() & 0xfc), next() & 0xff, next() & 0xff, next() & 0xff, next() & 0xff, next() & 0xff];
  return octets.map((o) => o.toString(16).padStart(2, '0')).join(':');
}

const pcap = (await import('pcap')).default as unknown as {
  createSession(dev: string, o: Record<string, unknown>): { inject(b: Buffer): void; close(): void };
};
const session = pcap.createSession(ifname, { filter: 'ether proto 0x0001', buffer_timeout: 0, promiscuous: false });
const hello = splitPdu(encodePdu({ type: 'HELLO' }))[0]!;
const bad = Buffer.from(hello);
bad[4] ^= 0xff; // checksum no longer matches
const partial = encodeFrame({ last: false, number: 0, payload: Buffer.alloc(1492, 0xab) });

let sent = 0;
function batch(): void {
  for (let i = 0; i < 250 && sent < count; i++, sent++) {
    const src = randomMac();
    for (const payload of [hello, bad, partial]) session.inject(buildEthernet(dst, src, 0x88b5, payload));
  }
  if (sent < count) setTimeout(batch, batchDelay);
  else {
    process.stdout.write(`sent ${sent}\n`);
    process.exit(0);
  }
}
batch();
