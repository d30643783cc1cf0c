// The monitor re-reads the table on every kernel event line and emits the
// differences; driven here by a fake `ip monitor` child and a fake table.
import t from 'tap';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import { parseIpAddrJson, type NetInterface } from '../../src/io/interfaces.js';
import { InterfaceMonitor, type InterfaceEvent } from '../../src/io/interface-monitor.js';

const TABLE = `[{"ifindex":2,"ifname":"x1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"link_type":"ether","address":"9a:1d:d7:8d:04:e4","addr_info":[{"family":"inet","local":"10.1.2.3","prefixlen":31,"scope":"global"}]}]`;

function fakeChild(): ChildProcess & { stdout: PassThrough } {
  const child = new EventEmitter() as ChildProcess & { stdout: PassThrough };
  (child as { stdout: PassThrough }).stdout = new PassThrough();
  child.kill = () => true;
  return child;
}

function waitForEvents(m: InterfaceMonitor, n: number): Promise<InterfaceEvent[]> {
  const got: InterfaceEvent[] = [];
  return new Promise((resolve) => {
    m.on('change', (e) => {
      got.push(e);
      if (got.length === n) resolve(got);
    });
  });
}

t.test('a kernel event line triggers a re-read and the differences are emitted', async (t) => {
  let table: NetInterface[] = parseIpAddrJson(TABLE);
  let reads = 0;
  const child = fakeChild();
  const m = await new InterfaceMonitor({
    resyncInterval: 0,
    read: async () => {
      reads++;
      return table;
    },
    spawnMonitor: () => child,
  }).start();
  t.teardown(() => m.close());
  t.equal(reads, 1, 'the table is read once at start');
  t.equal(m.current()[0]!.name, 'x1');

  table = [{ ...table[0]!, up: false, lowerUp: false, addresses: [] }];
  const events = waitForEvents(m, 2);
  // iproute2 6.1 text: an event header line, then an indented continuation line
  child.stdout.write('2: x1@if5: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN group default \n');
  child.stdout.write('    link/ether 9a:1d:d7:8d:04:e4 brd ff:ff:ff:ff:ff:ff link-netns b\n');
  const got = await events;
  t.same(
    got.map((e) => e.type),
    ['link-down', 'address-removed'],
  );
  t.equal(m.current()[0]!.up, false);
});

t.test('the monitor child dying is an error event, not a throw', async (t) => {
  const child = fakeChild();
  const m = await new InterfaceMonitor({ resyncInterval: 0, read: async () => [], spawnMonitor: () => child }).start();
  t.teardown(() => m.close());
  const err = new Promise<Error>((resolve) => m.on('error', resolve));
  child.emit('exit', 1, null);
  t.match(await err, { message: /ip monitor exited \(code 1\)/ });
});

t.test('a failed re-read is an error event and the last table stays', async (t) => {
  const child = fakeChild();
  let fail = false;
  const m = await new InterfaceMonitor({
    resyncInterval: 0,
    read: async () => {
      if (fail) throw new Error('ip -j addr show: boom');
      return parseIpAddrJson(TABLE);
    },
    spawnMonitor: () => child,
  }).start();
  t.teardown(() => m.close());
  fail = true;
  const err = new Promise<Error>((resolve) => m.on('error', resolve));
  child.stdout.write('Deleted 2: x1    inet 10.1.2.3/31 scope global x1\n');
  t.match(await err, { message: /boom/ });
  t.equal(m.current().length, 1);
});
