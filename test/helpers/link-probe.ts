// A PcapLink (or, with "kind":"packet", a packet-socket link) driven over stdin/stdout, for tests that must run it inside a
// network namespace (a process lives in one namespace; the test runner stays
// in the host's). Run: node dist/test/helpers/link-probe.js '<PcapLinkOptions JSON>'
//
// stdout, one JSON object per line:
//   {"event":"ready","mac":..,"index":..,"warnings":[..]}
//   {"event":"frame","ifname":..,"time":..,"dst":..,"src":..,"ethertype":..,"payload":hex,"raw":hex}
//   {"event":"error","code":..,"fatal":..,"message":..}
//   {"event":"stats",...}   {"event":"closed"}
//   {"event":"open-failed","code":..,"message":..}   (then exit 1)
// stdin, one JSON object per line:
//   {"send":{"dst":"aa:..","payload":"hex"}}   {"stats":true}   {"close":true}
//   {"quiet":{"peers":["aa:.."],"prefix":hex}}   (the link's quietPeers; answers {"event":"quieted"})
//   {"drain":true}   (drainQuietLinks; answers {"event":"drained"} after the frames it read)
//   {"raw":hex}   (a whole frame, any source MAC, on a socket of its own: packet links only)
// Frames read from a quiet socket carry "late":true.
import { createInterface } from 'node:readline';
import { drainQuietLinks, openEndpointLink } from '../../src/io/endpoint-link.js';
import { packetSocketHost } from '../../src/io/packet-socket.js';
import type { CaptureSocket } from '../../src/io/capture-host.js';
import { getInterface } from '../../src/io/interfaces.js';
import { LinkError, type Link } from '../../src/io/link.js';
import { openPcapLink, type PcapLinkOptions } from '../../src/io/pcap-link.js';
import { HELLO_MULTICAST } from '../../src/proto/ethernet.js';

type ProbeOptions = PcapLinkOptions & { kind?: 'pcap' | 'packet' };

/** The kind of link asked for; 'packet' needs the addon (scripts/build-native). */
async function open(options: ProbeOptions): Promise<{ link: Link; index: number; warnings: string[] }> {
  if (options.kind === 'packet') {
    const iface = await getInterface(options.ifname);
    if (iface === undefined) throw new LinkError('no-such-interface', `${options.ifname}: no such interface`, options.ifname, true);
    const link = await openEndpointLink(iface, { ethertype: options.ethertype ?? 0x88b5, groups: [HELLO_MULTICAST], allowDown: options.allowDown });
    return { link, index: iface.index, warnings: [] };
  }
  const link = await openPcapLink(options);
  return { link, index: link.index, warnings: link.warnings };
}

const say = (obj: unknown): void => {
  process.stdout.write(JSON.stringify(obj) + '\n');
};

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ProbeOptions;
  let link, index, warnings;
  try {
    ({ link, index, warnings } = await open(options));
  } catch (err) {
    const e = err as LinkError;
    say({ event: 'open-failed', code: e instanceof LinkError ? e.code : 'other', message: e.message });
    process.exit(1);
  }
  link.onFrame((f) =>
    say({
      event: 'frame',
      ifname: f.ifname,
      time: f.time,
      dst: f.dst,
      src: f.src,
      ethertype: f.ethertype,
      payload: f.payload.toString('hex'),
      raw: f.raw?.toString('hex'),
      ...(f.late ? { late: true, readAt: Date.now() / 1000 } : {}),
    }),
  );
  link.onError((e) => say({ event: 'error', code: e.code, fatal: e.fatal, message: e.message }));
  say({ event: 'ready', mac: link.mac, index, warnings });
  const l = link;
  let rawSocket: CaptureSocket | number | undefined;
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === '') return;
    const cmd = JSON.parse(line) as {
      send?: { dst: string; payload: string };
      stats?: boolean;
      close?: boolean;
      quiet?: { peers: string[]; prefix: string };
      drain?: boolean;
      raw?: string;
    };
    if (cmd.send) l.send(cmd.send.dst, Buffer.from(cmd.send.payload, 'hex'));
    if (cmd.raw) {
      rawSocket ??= packetSocketHost()?.open({ ifindex: index, ethertype: options.ethertype ?? 0x88b5, receiveBuffer: 4096 }) ?? -1;
      if (typeof rawSocket !== 'number') rawSocket.send(Buffer.from(cmd.raw, 'hex'));
    }
    if (cmd.quiet) {
      l.quietPeers?.(cmd.quiet.peers, Buffer.from(cmd.quiet.prefix, 'hex'));
      say({ event: 'quieted' });
    }
    if (cmd.drain) {
      drainQuietLinks();
      say({ event: 'drained' });
    }
    if (cmd.stats) say({ event: 'stats', ...l.stats() });
    if (cmd.close) {
      l.close();
      say({ event: 'closed' });
      // node-pcap keeps the socket's poll handle until the next frame: exit explicitly.
      process.exit(0);
    }
  });
}

await main();
