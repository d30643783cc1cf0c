// A broken BGP peer for the daemon tests, run inside a namespace:
//   node fake-bgp-peer.js HOST PORT MODE     MODE = bad-marker | short | bad-version | silent
// Accepts connections, sends what MODE says, prints one JSON line per connection
// and per NOTIFICATION it receives.
import { createServer } from 'node:net';
import { MessageSplitter } from '../../src/bgp/wire/header.js';
import { decodeMessage, encodeMessage } from '../../src/bgp/wire/message.js';

const [host, port, mode] = process.argv.slice(2) as [string, string, string];
const open = encodeMessage({ type: 'OPEN', version: 4, myAs: 65000, holdTime: 90, bgpId: '192.0.2.99', capabilities: [] });
const BYTES: Record<string, Buffer | null> = {
  'bad-marker': Buffer.concat([Buffer.alloc(16, 0xfe), Buffer.from([0, 19, 4])]),
  short: Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0, 10, 4])]),
  'bad-version': Buffer.concat([open.subarray(0, 19), Buffer.from([3]), open.subarray(20)]),
  silent: null,
};
let n = 0;
const server = createServer((s) => {
  const index = n++;
  console.log(JSON.stringify({ connection: index }));
  const splitter = new MessageSplitter();
  s.on('data', (c) => {
    try {
      for (const raw of splitter.push(c)) {
        const m = decodeMessage(raw);
        if (m.type === 'NOTIFICATION') console.log(JSON.stringify({ connection: index, notification: [m.code, m.subcode] }));
      }
    } catch {
      // not our concern here
    }
  });
  s.on('error', () => undefined);
  s.on('close', () => console.log(JSON.stringify({ connection: index, closed: true })));
  const b = BYTES[mode];
  if (b) s.write(b);
});
server.listen(Number(port), host, () => console.log(JSON.stringify({ listening: `${host}:${port}` })));
