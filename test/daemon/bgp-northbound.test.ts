// The northbound's timing against a fake BGP peer on 127.0.0.1, its clock a fake one:
// a change after a quiet spell goes out without any timer (a link down is withdrawn at
// once); a change right after a send waits for the coalescing time (bursts stay few UPDATEs).
import { createServer, type Socket } from 'node:net';
import t from 'tap';
import { buildConfig } from '../../src/daemon/config.js';
import { BgpNorthbound, COALESCE } from '../../src/daemon/bgp-northbound.js';
import { FakeClock } from '../../src/daemon/clock.js';
import { silentLogger } from '../../src/daemon/log.js';
import type { NetInterface } from '../../src/io/interfaces.js';
import { MessageSplitter } from '../../src/bgp/wire/header.js';
import { decodeMessage, encodeMessage, type BgpMessage } from '../../src/bgp/wire/message.js';
import { InMemoryDaemonCore } from '../ctl/in-memory-core.js';

const lo = (...v4: string[]): NetInterface => ({
  name: 'lo', index: 1, mac: null, adminUp: true, lowerUp: true, up: true, loopback: true, mtu: 65536, linkType: 'loopback',
  addresses: v4.map((address) => ({ family: 'inet' as const, address, prefixLength: 32, scope: 'global', secondary: false, tentative: false })),
});

t.test('a change after a quiet spell is sent at once; one right after a send waits for the coalescing time', async (t) => {
  const updates: BgpMessage[] = [];
  const server = createServer((s: Socket) => {
    const splitter = new MessageSplitter();
    s.on('error', () => undefined);
    s.on('data', (c) => {
      for (const raw of splitter.push(c)) {
        const m = decodeMessage(raw);
        if (m.type === 'UPDATE') updates.push(m);
        if (m.type === 'OPEN') {
          const open: BgpMessage = { type: 'OPEN', version: 4, myAs: 65000, holdTime: 90, bgpId: '10.9.9.9', capabilities: [{ kind: 'multiprotocol', afi: 16388, safi: 71 }, { kind: 'four-octet-as', asn: 65000 }] };
          s.write(Buffer.concat([encodeMessage(open), encodeMessage({ type: 'KEEPALIVE' })]));
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  const waitFor = async (pred: () => boolean, what: string, ms = 10000) => {
    for (let i = 0; i < ms / 20 && !pred(); i++) await new Promise((r) => setTimeout(r, 20));
    if (!pred()) throw new Error(`timed out waiting for ${what}`);
  };

  const clock = new FakeClock();
  let table = [lo('10.255.0.1')];
  const nb = new BgpNorthbound({ core: new InMemoryDaemonCore(), clock, log: silentLogger, interfaces: () => table });
  t.teardown(() => nb.stop());
  nb.configure(buildConfig({ flags: { 'bgp-peer': `127.0.0.1:${port}`, 'bgp-asn': '65000' } }));
  await waitFor(() => updates.length >= 1, 'the first UPDATE');
  const first = updates.length;
  clock.advance(1); // a quiet spell

  table = [lo('10.255.0.1', '10.255.0.9')];
  nb.changed();
  await waitFor(() => updates.length === first + 1, 'the new loopback, with the fake clock standing still');
  t.match(updates.at(-1), { attributes: [{}, {}, {}, { kind: 'mp-reach', nlri: [{ type: 'ipv4-prefix', prefix: '10.255.0.9' }] }] }, 'sent without any timer');

  table = [lo('10.255.0.1')];
  nb.changed();
  await new Promise((r) => setTimeout(r, 300));
  t.equal(updates.length, first + 1, 'right after a send: held back while the clock stands still');
  clock.advance(COALESCE);
  await waitFor(() => updates.length === first + 2, 'the withdrawal once the coalescing time passed');
  t.match(updates.at(-1), { attributes: [{ kind: 'mp-unreach', nlri: [{ prefix: '10.255.0.9' }] }] });
});
