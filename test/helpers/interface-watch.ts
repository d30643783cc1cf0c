// Prints InterfaceMonitor events as JSON lines, for tests that run it inside
// a network namespace: {"event":"ready","interfaces":[names]}, then
// {"event":"change","type":..,"ifname":..,"address":"a/len"?} and {"event":"error",..}.
import { watchInterfaces } from '../../src/io/interface-monitor.js';

const say = (obj: unknown): void => {
  process.stdout.write(JSON.stringify(obj) + '\n');
};

const m = await watchInterfaces();
m.on('change', (e) =>
  say({
    event: 'change',
    type: e.type,
    ifname: e.iface.name,
    ...('address' in e ? { address: `${e.address.address}/${e.address.prefixLength}` } : {}),
  }),
);
m.on('error', (e) => say({ event: 'error', message: e.message }));
say({ event: 'ready', interfaces: m.current().map((i) => i.name) });
// Keep running until the test kills us (the monitor child is unref'd).
setInterval(() => {}, 1 << 30);
