// The real host's endpoint sockets on several interfaces of one namespace, driven over
// stdin/stdout (test/io/socket-set.test.ts): they share the addon's one poll, so the
// test can hold them all at once and see what each wake-up reports.
// Run: node dist/test/helpers/set-probe.js '{"ifnames":["a0","a1"]}'
//
// stdout, one JSON object per line:
//   {"event":"ready"}   {"event":"held","held":bool}   {"event":"closed","ifname":..}
//   {"event":"frame","ifname":..,"turn":n,"payload":hex}   {"event":"error","ifname":..,"errno":n}
//   ("turn" counts the event loop's turns: frames reported by one wake-up share it)
// stdin, one JSON object per line:   {"hold":bool}   {"close":"a1"}
import { createInterface } from 'node:readline';
import type { CaptureSocket, FrameSink } from '../../src/io/capture-host.js';
import { getInterface } from '../../src/io/interfaces.js';
import { packetSocketHost } from '../../src/io/packet-socket.js';

const say = (obj: unknown): void => void process.stdout.write(JSON.stringify(obj) + '\n');

const { ifnames } = JSON.parse(process.argv[2] ?? '{}') as { ifnames: string[] };
const host = packetSocketHost();
if (host === null) {
  say({ event: 'open-failed', message: 'the addon is not built' });
  process.exit(1);
}
let turn = 0;
const countTurns = (): void => {
  turn++;
  setImmediate(countTurns).unref();
};
countTurns();
const sockets = new Map<string, CaptureSocket>();
for (const ifname of ifnames) {
  const iface = await getInterface(ifname);
  const socket = iface === undefined ? -19 : host.open({ ifindex: iface.index, ethertype: 0x88b5, receiveBuffer: 65536 });
  if (typeof socket === 'number') {
    say({ event: 'open-failed', ifname, errno: socket });
    process.exit(1);
  }
  const sink: FrameSink = {
    frame: (frame) => say({ event: 'frame', ifname, turn, payload: frame.subarray(14).toString('hex') }),
    failed: (errno) => say({ event: 'error', ifname, errno }),
  };
  socket.watch((errno) => {
    if (errno !== 0) say({ event: 'error', ifname, errno });
    else while (socket.receive(64, sink));
  });
  sockets.set(ifname, socket);
}
say({ event: 'ready' });
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === '') return;
  const cmd = JSON.parse(line) as { hold?: boolean; close?: string };
  if (cmd.hold !== undefined) {
    host.hold(cmd.hold);
    say({ event: 'held', held: cmd.hold });
  }
  if (cmd.close !== undefined) {
    sockets.get(cmd.close)?.close();
    say({ event: 'closed', ifname: cmd.close });
  }
});
