// Test helper, run inside a network namespace: a raw hostile sender built on src/io (a
// packet socket of src/io/packet-socket.ts, frames built by src/io/link.ts), never on
// the daemon's session code. It forges source MACs as an attacker on the link would.
// Usage: node hostile-sender.js IFNAME DST_MAC SCENARIO SECONDS [RATE] [COUNT]
//   group-sources   HELLO and OPEN from group and all-zero source MACs, RATE rounds/s
//   restart-flood   OPEN with a new nonce from one MAC (02:ee:00:00:00:01), RATE/s
//   encaps          COUNT MACs open blindly (OPEN, then an ACK of type OPEN) and announce
//                   maximum-size IPv4 and IPv6 encapsulations, then keep them alive
//   partial-flood   first pieces of PDUs that never complete from COUNT MACs, RATE per MAC/s
//   keepalive-flood KEEPALIVEs from this interface's own MAC (the open neighbour's: what
//                   the daemon's quiet socket takes), RATE/s
// Prints one line "sent N" on standard output when done.
import { getInterface } from '../../src/io/interfaces.js';
import { paddedEthernetFrame } from '../../src/io/link.js';
import { packetSocketHost } from '../../src/io/packet-socket.js';
import { splitPdu } from '../../src/proto/fragment.js';
import { encodeFrame } from '../../src/proto/frame.js';
import { encodePdu } from '../../src/proto/pdu/index.js';
import { PduType, type Encapsulation, type Pdu } from '../../src/proto/types.js';

const [ifname, dst, scenario, secondsText, rateText, countText] = process.argv.slice(2);
if (!ifname || !dst || !scenario) {
  process.stderr.write('usage: hostile-sender IFNAME DST_MAC SCENARIO SECONDS [RATE] [COUNT]\n');
  process.exit(2);
}
const seconds = Number(secondsText ?? '5');
const rate = Number(rateText ?? '10');
const count = Number(countText ?? '10');
const ETHERTYPE = 0x88b5;

const host = packetSocketHost();
const info = await getInterface(ifname);
if (host === null || info === undefined) {
  process.stderr.write(`hostile-sender: ${host === null ? 'packet-socket addon not built (scripts/build-native)' : `no interface ${ifname}`}\n`);
  process.exit(1);
}
const sock = host.open({ ifindex: info.index, ethertype: ETHERTYPE, receiveBuffer: 65536 });
if (typeof sock === 'number') {
  process.stderr.write(`hostile-sender: cannot open ${ifname}: errno ${sock}\n`);
  process.exit(1);
}
sock.keepAlive(false);

let sent = 0;
function send(src: string, pdu: Pdu, to = dst!): void {
  for (const f of splitPdu(encodePdu(pdu))) {
    if (sock !== null && typeof sock !== 'number' && sock.send(paddedEthernetFrame(to, src, ETHERTYPE, f)) === 0) sent++;
  }
}
function mac(i: number): string {
  return `02:ee:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:01`;
}
function open(nonce: number): Pdu {
  return { type: 'OPEN', nonce: (nonce >>> 0).toString(16).padStart(8, '0'), localId: 'ee'.repeat(10), attributes: '' };
}
const ackOpen: Pdu = { type: 'ACK', ackType: PduType.OPEN, errorType: 0, errorCode: 0, errorHint: 0 };

/** Runs `tick` every 1/perSecond s (in batches of 10 ms) for `seconds`. */
function every(perSecond: number, tick: (n: number) => void): Promise<void> {
  return new Promise((resolve) => {
    const start = Date.now();
    let n = 0;
    const timer = setInterval(() => {
      const due = Math.floor(((Date.now() - start) / 1000) * perSecond);
      while (n < due) tick(n++);
      if (Date.now() - start >= seconds * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
}

switch (scenario) {
  case 'group-sources': {
    const sources = ['ff:ff:ff:ff:ff:ff', '01:80:c2:00:00:0e', '01:00:5e:00:00:01', '00:00:00:00:00:00'];
    await every(rate, (n) => {
      for (const src of sources) {
        send(src, { type: 'HELLO' });
        send(src, open(n + 1));
      }
    });
    break;
  }
  case 'restart-flood':
    await every(rate, (n) => send(mac(0), open(n + 1)));
    break;
  case 'encaps': {
    const v4: Encapsulation[] = Array.from({ length: 10_900 }, (_, i) => ({ address: `10.${(i >> 8) & 255}.${i & 255}.1`, prefixLength: 32, primary: false, loopback: false }));
    const v6: Encapsulation[] = Array.from({ length: 3_600 }, (_, i) => ({ address: `2001:db8::${i.toString(16)}`, prefixLength: 128, primary: false, loopback: false }));
    for (let i = 0; i < count; i++) send(mac(i), open(i + 1));
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < count; i++) send(mac(i), ackOpen);
    await new Promise((r) => setTimeout(r, 200));
    // Keepalives, and blind ACKs of what the daemon announces, from now on: the daemon gives
    // a session up after `retransmit-max-drop` unanswered sends, and sending 200 maximum-size
    // announcements takes longer than that on a loaded machine (the sessions were then all
    // closed, retransmit-exhausted, before the first ACK went out).
    const alive = every(1, () => {
      for (let i = 0; i < count; i++) {
        send(mac(i), { type: 'KEEPALIVE' });
        for (const ackType of [PduType.IPV4_ENCAPSULATION, PduType.IPV6_ENCAPSULATION, PduType.MPLS_IPV4_ENCAPSULATION, PduType.MPLS_IPV6_ENCAPSULATION]) {
          send(mac(i), { type: 'ACK', ackType, errorType: 0, errorCode: 0, errorHint: 0 });
        }
      }
    });
    for (let i = 0; i < count; i++) {
      send(mac(i), { type: 'IPV4_ENCAPSULATION', encaps: v4 });
      send(mac(i), { type: 'IPV6_ENCAPSULATION', encaps: v6 });
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 20));
    }
    await alive;
    break;
  }
  case 'partial-flood': {
    const piece = encodeFrame({ last: false, number: 0, payload: Buffer.alloc(1492, 0xab) });
    await every(rate * count, (n) => {
      if (sock !== null && typeof sock !== 'number' && sock.send(paddedEthernetFrame(dst, mac(n % count), ETHERTYPE, piece)) === 0) sent++;
    });
    break;
  }
  case 'keepalive-flood':
    await every(rate, () => send(info.mac!, { type: 'KEEPALIVE' }));
    break;
  default:
    process.stderr.write(`hostile-sender: unknown scenario ${scenario}\n`);
    process.exit(2);
}
sock.close();
process.stdout.write(`sent ${sent}\n`);
process.exit(0);
