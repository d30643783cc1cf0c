// The stand-in the daemon holds until a bgp-peer is configured: it answers as the real
// northbound without peers does, refuses a peer it was not prepared for, and hands its
// subscribers to the real one once a configuration with a peer loads it.
import t from 'tap';
import { buildConfig } from '../../src/daemon/config.js';
import { LazyBgpNorthbound } from '../../src/daemon/bgp-lazy.js';
import { BgpNorthbound, type BgpEvent } from '../../src/daemon/bgp-northbound.js';
import { FakeClock } from '../../src/daemon/clock.js';
import { silentLogger } from '../../src/daemon/log.js';
import type { NetInterface } from '../../src/io/interfaces.js';
import { InMemoryDaemonCore } from '../ctl/in-memory-core.js';

const lo = (...v4: string[]): NetInterface => ({
  name: 'lo', index: 1, mac: null, adminUp: true, lowerUp: true, up: true, loopback: true, mtu: 65536, linkType: 'loopback',
  addresses: v4.map((address) => ({ family: 'inet' as const, address, prefixLength: 32, scope: 'global', secondary: false, tentative: false })),
});

const options = (table: NetInterface[]) => ({ core: new InMemoryDaemonCore(), clock: new FakeClock(), log: silentLogger, interfaces: () => table });

t.test('without peers: the same answer as the real northbound, nothing loaded', async (t) => {
  for (const [flags, table] of [
    [{}, [lo('10.255.0.9', '10.255.0.3')]],
    [{ 'bgp-asn': '65001' }, [lo('10.255.0.7')]],
    [{}, []],
  ] as Array<[Record<string, string>, NetInterface[]]>) {
    const config = buildConfig({ flags });
    const lazy = new LazyBgpNorthbound(options(table));
    await lazy.prepare(config);
    lazy.configure(config);
    const real = new BgpNorthbound(options(table));
    real.configure(config);
    t.strictSame(lazy.status(), real.status(), `flags ${JSON.stringify(flags)}, loopbacks ${table.flatMap((i) => i.addresses.map((a) => a.address)).join(' ') || 'none'}`);
    t.notOk(lazy.loaded, 'the real northbound was not loaded');
    await lazy.stop();
  }
});

t.test('a peer needs prepare() first; then the real northbound runs and keeps earlier subscribers', async (t) => {
  const withPeer = buildConfig({ flags: { 'bgp-peer': '127.0.0.1:1', 'bgp-asn': '65000' } });
  const lazy = new LazyBgpNorthbound(options([lo('10.255.0.1')]));
  t.teardown(() => lazy.stop());
  lazy.configure(buildConfig({ flags: {} }));
  t.throws(() => lazy.configure(withPeer), /not loaded/);
  const seen: BgpEvent[] = [];
  const gone: BgpEvent[] = [];
  lazy.subscribe((e) => seen.push(e));
  const off = lazy.subscribe((e) => gone.push(e));
  off();
  await lazy.prepare(withPeer);
  t.ok(lazy.loaded);
  lazy.configure(withPeer);
  t.match(lazy.status(), { enabled: true, routerId: '10.255.0.1', asn: 65000, peers: [{ peer: '127.0.0.1:1' }] });
  // the speaker starts connecting: a state change reaches the subscriber made before loading
  for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.ok(seen.some((e) => e.event === 'bgp-state'), `events after loading reach an earlier subscriber (${seen.map((e) => e.event).join(', ')})`);
  t.strictSame(gone, [], 'an unsubscribed listener gets nothing');
});
