// A PcapLink driven over stdin/stdout, for tests that must run it inside a
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
import { createInterface } from 'node:readline';
import { LinkError } from '../../src/io/link.js';
import { openPcapLink, type PcapLinkOptions } from '../../src/io/pcap-link.js';

const say = (obj: unknown): void => {
  process.stdout.write(JSON.stringify(obj) + '\n');
};

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as PcapLinkOptions;
  let link;
  try {
    link = await openPcapLink(options);
  } catch (err) {
    const e = err as LinkError;
    say({ event: 'open-failed', code: e instanceof LinkError ? e.code : 'other', message: e.message });
    process.exit(1);
  }
  link.onFrame((f) =>
    say({ event: 'frame', ifname: f.ifname, time: f.time, dst: f.dst, src: f.src, ethertype: f.ethertype, payload: f.payload.toString('hex'), raw: f.raw?.toString('hex') }),
  );
  link.onError((e) => say({ event: 'error', code: e.code, fatal: e.fatal, message: e.message }));
  say({ event: 'ready', mac: link.mac, index: link.index, warnings: link.warnings });
  const l = link;
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === '') return;
    const cmd = JSON.parse(line) as { send?: { dst: string; payload: string }; stats?: boolean; close?: boolean };
    if (cmd.send) l.send(cmd.send.dst, Buffer.from(cmd.send.payload, 'hex'));
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
