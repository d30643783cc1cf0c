// The monitor re-reads the table on every kernel event line and emits the
// differences; driven here by a fake `ip monitor` child and a fake table.
import t, { type Test } from 'tap';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import { parseIpAddrJson } from '../../src/io/interfaces.js';
import { InterfaceMonitor, parseLinkFlags, type InterfaceEvent } from '../../src/io/interface-monitor.js';

const TABLE = `[{"ifindex":2,"ifname":"x1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"link_type":"ether","address":"9a:1d:d7:8d:04:e4","addr_info":[{"family":"inet","local":"10.1.2.3","prefixlen":31,"scope":"global"}]}]`;

function fakeChild(): ChildProcess & { stdout: PassThrough; stderr: PassThrough } {
  const child = new EventEmitter() as ChildProcess & { stdout: PassThrough; stderr: PassThrough };
  (child as { stdout: PassThrough }).stdout = new PassThrough();
  (child as { stderr: PassThrough }).stderr = new PassThrough();
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

/** A monitor over a fake child and a table the test changes; counts the reads, fails one when told. */
async function scripted(t: Test) {
  const state = { table: parseIpAddrJson(TABLE), reads: 0, failNext: false };
  const child = fakeChild();
  const m = await new InterfaceMonitor({
    read: async () => {
      state.reads++;
      if (state.failNext) {
        state.failNext = false;
        throw new Error('ip -j addr show: busy');
      }
      return state.table;
    },
    spawnMonitor: () => child,
  }).start();
  t.teardown(() => m.close());
  return { m, child, state };
}

t.test('a kernel event line triggers a re-read and the differences are emitted', async (t) => {
  const { m, child, state } = await scripted(t);
  t.equal(state.reads, 1, 'the table is read once at start');
  t.equal(m.current()[0]!.name, 'x1');

  const table = state.table;
  state.table = [{ ...table[0]!, up: false, lowerUp: false, addresses: [] }];
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

t.test('the monitor child dying is an error event, not a throw; it is started again and the table re-read', async (t) => {
  const children = [fakeChild(), fakeChild()];
  let spawned = 0;
  let table = parseIpAddrJson(TABLE);
  const m = await new InterfaceMonitor({ read: async () => table, spawnMonitor: () => children[spawned++]! }).start();
  t.teardown(() => m.close());
  // the restart's timer is unref'd (a daemon has other handles): keep this process up for it
  const keepUp = setInterval(() => {}, 100);
  t.teardown(() => clearInterval(keepUp));
  await new Promise((r) => setTimeout(r, 400)); // past the re-read shortly after start
  const err = new Promise<Error>((resolve) => m.on('error', resolve));
  children[0]!.emit('exit', 1, null);
  t.match(await err, { message: /ip monitor exited \(code 1\); started again in 1 s/ });
  // a change while no one listens is found by the re-read after the restart
  table = [{ ...table[0]!, up: false, lowerUp: false }];
  const events = await waitForEvents(m, 1);
  t.equal(spawned, 2, 'a second monitor child');
  t.same(events.map((e) => e.type), ['link-down'], 'the missed change is emitted');
  // and the new child's lines are heard
  table = [{ ...table[0]!, up: true, lowerUp: true }];
  const again = waitForEvents(m, 1);
  children[1]!.stdout.write('2: x1@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\n');
  t.same((await again).map((e) => e.type), ['link-up']);
});

t.test('a failed re-read is an error event and the last table stays', async (t) => {
  const child = fakeChild();
  let fail = false;
  const m = await new InterfaceMonitor({
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

t.test('nothing re-reads the table on a clock: an idle monitor reads only at start', async (t) => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const timersBefore = timers();
  const { state } = await scripted(t);
  // the one re-read shortly after start (the monitor's netlink subscription races the first read)
  await new Promise((r) => setTimeout(r, 400));
  t.equal(state.reads, 2, 'read at start and once shortly after');
  // no timer is left behind by the monitor: only kernel events and lost events cause reads
  t.equal(timers() - timersBefore, 0, 'no timer pending in the monitor');
});

t.test("a line on the monitor's stderr (netlink overflow: events lost) re-reads the table and says so", async (t) => {
  const { m, child, state } = await scripted(t);
  await new Promise((r) => setTimeout(r, 400));
  const before = state.reads;
  state.table = [{ ...state.table[0]!, up: false, lowerUp: false }];
  const lost = new Promise<string>((resolve) => m.on('lost', resolve));
  const events = waitForEvents(m, 1);
  // what iproute2's rtnl_listen prints when the kernel dropped events for it (ENOBUFS)
  child.stderr.write('netlink receive error No buffer space available (105)\n');
  t.equal(await lost, 'netlink receive error No buffer space available (105)');
  t.same((await events).map((e) => e.type), ['link-down'], 'the change missed by the lost events is found');
  t.equal(state.reads, before + 1);
});

t.test('a failed re-read is retried until one succeeds', async (t) => {
  const { m, child, state } = await scripted(t);
  state.table = [{ ...state.table[0]!, addresses: [] }];
  state.failNext = true;
  const err = new Promise<Error>((resolve) => m.on('error', resolve));
  const events = waitForEvents(m, 1);
  // an address line: only a read says what changed
  child.stdout.write('Deleted 2: x1    inet 10.1.2.3/31 scope global x1\n');
  t.match(await err, { message: /busy/ });
  // the retry timer does not hold the process (the daemon's links do): this test does
  const hold = setTimeout(() => {}, 10_000);
  t.teardown(() => clearTimeout(hold));
  // retried 1 s later, by itself: no kernel event comes again
  t.same((await events).map((e) => e.type), ['address-removed']);
});

/** A monitor whose table reads wait until the test releases them, each with the table it gives. */
async function heldReads(t: Test) {
  const pending: ((table: ReturnType<typeof parseIpAddrJson>) => void)[] = [];
  let first = true;
  const child = fakeChild();
  const m = await new InterfaceMonitor({
    read: () => {
      if (first) {
        first = false;
        return Promise.resolve(parseIpAddrJson(TABLE));
      }
      return new Promise((resolve) => pending.push(resolve));
    },
    spawnMonitor: () => child,
  }).start();
  t.teardown(() => m.close());
  const events: string[] = [];
  m.on('change', (e) => events.push(`${e.type} ${e.iface.name}`));
  // the re-read shortly after start: let it come and answer it with the same table
  await new Promise((r) => setTimeout(r, 400));
  pending.shift()?.(parseIpAddrJson(TABLE));
  await new Promise((r) => setImmediate(r));
  return { m, child, pending, events };
}

const settle = () => new Promise((r) => setImmediate(r));
const DOWN_LINE = '2: x1@if5: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default \n';

t.test("a link's flags line is applied at once, before the re-read it triggers answers", async (t) => {
  const { m, child, pending, events } = await heldReads(t);
  child.stdout.write(DOWN_LINE);
  await settle();
  t.same(events, ['link-down x1'], 'down from the line, the read still running');
  t.equal(m.current()[0]!.up, false);
  t.equal(m.current()[0]!.adminUp, true, 'administratively up, no carrier');
  t.equal(pending.length, 1, 'and the table is read');
  const down = parseIpAddrJson(TABLE.replace('"UP","LOWER_UP"', '"UP"'));
  pending.shift()!(down);
  await settle();
  t.same(events, ['link-down x1'], 'the read agrees: nothing more');
  child.stdout.write('2: x1@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default \n');
  await settle();
  t.same(events, ['link-down x1', 'link-up x1'], 'up from the line');
  pending.shift()!(parseIpAddrJson(TABLE));
  await settle();
  t.same(events, ['link-down x1', 'link-up x1']);
});

t.test('a read begun before a link line cannot undo it; the read after it has the last word', async (t) => {
  const { m, child, pending, events } = await heldReads(t);
  // an address line starts a read; the kernel's table it reads is from before the link went
  child.stdout.write('2: x1    inet6 fe80::1/64 scope link \n');
  await settle();
  t.equal(pending.length, 1);
  child.stdout.write(DOWN_LINE);
  await settle();
  t.same(events, ['link-down x1']);
  pending.shift()!(parseIpAddrJson(TABLE)); // still up, as it was when that read began
  await settle();
  t.same(events, ['link-down x1'], 'no flap back up from the older read');
  t.equal(m.current()[0]!.up, false);
  t.equal(pending.length, 1, 'the line asked for one more read');
  // the carrier came back meanwhile (and its line is still to come): this read says so
  pending.shift()!(parseIpAddrJson(TABLE));
  await settle();
  t.same(events, ['link-down x1', 'link-up x1'], 'a read begun after the line has the last word');
});

t.test('a link line about an interface the table does not have waits for the read', async (t) => {
  const { m, child, pending, events } = await heldReads(t);
  child.stdout.write('7: x9@if8: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default \n');
  await settle();
  t.same(events, []);
  t.equal(m.current().length, 1);
  pending.shift()!(parseIpAddrJson(TABLE.replace(/^\[/, '[{"ifindex":7,"ifname":"x9","flags":["UP","LOWER_UP"],"mtu":1500,"link_type":"ether","address":"9a:1d:d7:8d:04:e9","addr_info":[]},')));
  await settle();
  t.same(events, ['added x9']);
});

t.test('link flags lines as iproute2 6.1 prints them', async (t) => {
  t.same(parseLinkFlags('5: lsoetmpB@lsoetmpA: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default '),
    { index: 5, name: 'lsoetmpB', adminUp: true, lowerUp: true });
  t.same(parseLinkFlags('6: lsoetmpA@lsoetmpB: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default '),
    { index: 6, name: 'lsoetmpA', adminUp: true, lowerUp: false });
  t.same(parseLinkFlags('5: lsoetmpB@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default '),
    { index: 5, name: 'lsoetmpB', adminUp: false, lowerUp: false });
  t.same(parseLinkFlags('2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000'),
    { index: 2, name: 'eth0', adminUp: true, lowerUp: true });
  t.equal(parseLinkFlags('Deleted 6: lsoetmpA@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default '), null, 'a deletion: the read says');
  t.equal(parseLinkFlags('2: eth0    inet 10.0.0.1/24 brd 10.0.0.255 scope global eth0'), null, 'an address');
  t.equal(parseLinkFlags('    link/ether 62:5b:43:8a:03:c0 brd ff:ff:ff:ff:ff:ff'), null, 'a continuation');
});
