// A PcapLink whose capture poll can be stopped on request, for the test of the
// health check that notices a stopped poll while the interface stays up (what
// libuv does after a POLLERR that came with frames, when the link then comes
// back before the next check). Run inside a namespace:
//   node dist/test/io/deaf-probe.js IFNAME
// stdout, JSON lines: {"event":"ready"} {"event":"deaf"} {"event":"frame","payload":hex}
//   {"event":"error","code":..} {"event":"reopened"} (the link has a new capture)
// stdin lines: "deafen" (the capture's wake-ups stop reading), "exit".
import { createInterface } from 'node:readline';
import { openPcapLink } from '../../src/io/pcap-link.js';

const say = (obj: unknown): void => {
  process.stdout.write(JSON.stringify(obj) + '\n');
};

const link = await openPcapLink({ ifname: process.argv[2]!, checkInterval: 100 });
// The capture is private; this probe reaches in to break it the way libuv does.
const internals = link as unknown as { active: { session: { session: { read_callback: () => void } } } | null };
link.onFrame((f) => say({ event: 'frame', payload: f.payload.toString('hex') }));
link.onError((e) => say({ event: 'error', code: e.code }));
let deafened: unknown = null;
setInterval(() => {
  if (deafened !== null && internals.active !== null && internals.active !== deafened) {
    say({ event: 'reopened' });
    deafened = null;
  }
}, 20).unref();
say({ event: 'ready' });
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'deafen' && internals.active !== null) {
    deafened = internals.active;
    // uv_poll is level-triggered: a wake-up that leaves the frames in the ring
    // comes back at once. Answer it without reading, like a poll that is gone.
    internals.active.session.session.read_callback = () => {};
    say({ event: 'deaf' });
  }
  if (line === 'exit') process.exit(0);
});
