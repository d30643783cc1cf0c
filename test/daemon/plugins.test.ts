import path from 'node:path';
import t from 'tap';
import { MemorySegment } from '../../src/io/memory-link.js';
import { FakeClock } from '../../src/daemon/clock.js';
import { memoryLogger } from '../../src/daemon/log.js';
import { loadPlugin, PluginError, PluginRegistry } from '../../src/daemon/plugins.js';
import { repoRoot } from '../helpers/vectors.js';
import { makeNode, run } from './harness.js';

const EXAMPLE = path.join(repoRoot(), 'examples', 'hostname-plugin.js');

interface ExampleModule {
  createHostnamePlugin(name: string): { register(api: unknown): void; names: Map<string, string> };
}

t.test('the example plugin loads from its file and registers enterprise 32473', async (t) => {
  const reg = new PluginRegistry(memoryLogger());
  await loadPlugin(reg, EXAMPLE);
  t.same(reg.enterpriseNumbers(), [32473]);
});

t.test('two cores exchange host names through the example plugin', async (t) => {
  const { createHostnamePlugin } = (await import(EXAMPLE)) as ExampleModule;
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const pa = createHostnamePlugin('alpha');
  const pb = createHostnamePlugin('bravo');
  const logA = memoryLogger();
  const regA = new PluginRegistry(logA);
  const regB = new PluginRegistry(memoryLogger());
  await regA.register('alpha', { default: pa.register });
  await regB.register('bravo', { default: pb.register });
  const a = makeNode(clock, segment, { ifname: 'eth0', mac: '02:00:00:00:00:0a', localId: '0a'.repeat(10), plugins: regA });
  const b = makeNode(clock, segment, { ifname: 'eth1', mac: '02:00:00:00:00:0b', localId: '0b'.repeat(10), plugins: regB });
  await run(clock, 4);
  t.same([...pa.names.values()], ['bravo']);
  t.same([...pb.names.values()], ['alpha']);
  t.ok(logA.lines.some((l) => l.subsystem === 'plugin' && l.message === 'peer 02:00:00:00:00:0b on eth0 is bravo'));
  t.equal(regA.counters.vendorDelivered, 1);
  a.core.stop();
  t.same([...pa.names.values()], [], 'forgotten when its session goes down');
  b.core.stop();
});

t.test('a plugin that throws is logged and counted, the session lives on', async (t) => {
  const clock = new FakeClock();
  const segment = new MemorySegment({ now: () => clock.now() });
  const log = memoryLogger();
  const reg = new PluginRegistry(log);
  await reg.register('bad', {
    default: (api: { onVendor: (n: number, h: () => void) => void }) =>
      api.onVendor(32473, () => {
        throw new Error('boom');
      }),
  });
  const { createHostnamePlugin } = (await import(EXAMPLE)) as ExampleModule;
  const sender = new PluginRegistry(memoryLogger());
  await sender.register('sender', { default: createHostnamePlugin('x').register });
  const a = makeNode(clock, segment, { ifname: 'eth0', mac: '02:00:00:00:00:0a', localId: '0a'.repeat(10), plugins: reg });
  const b = makeNode(clock, segment, { ifname: 'eth1', mac: '02:00:00:00:00:0b', localId: '0b'.repeat(10), plugins: sender });
  await run(clock, 4);
  t.equal(reg.counters.pluginErrors, 1);
  t.ok(log.lines.some((l) => l.level === 'error' && /plugin handler failed: boom/.test(l.message)));
  t.same(a.core.sessions().map((s) => s.state), ['open']);
  a.core.stop();
  b.core.stop();
});

t.test('bad plugins are refused in one line', async (t) => {
  const reg = new PluginRegistry(memoryLogger());
  await t.rejects(reg.register('empty', {}), new PluginError('plugin empty: exports neither a default function nor register()'));
  await t.rejects(
    reg.register('bad-number', { default: (api: { onVendor: (n: number, h: () => void) => void }) => api.onVendor(-1, () => undefined) }),
    { message: 'plugin bad-number: enterprise number -1 is not a 32-bit unsigned integer' },
  );
  await t.rejects(loadPlugin(reg, '/nonexistent/plugin.js'), { name: 'PluginError', message: /^plugin \/nonexistent\/plugin\.js: cannot load: / });
});
