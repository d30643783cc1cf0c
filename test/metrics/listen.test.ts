// metrics-listen parsing (loopback unless an address is given) and the looking glass's
// Host check, without a daemon.
import t from 'tap';
import { buildConfig } from '../../src/daemon/config.js';
import { formatListenAddress, parseListenAddress } from '../../src/metrics/listen-address.js';
import { hostAllowed, hostOf } from '../../src/metrics/host-check.js';

t.test('a port alone means loopback', async (t) => {
  t.same(parseListenAddress('9717'), { host: '127.0.0.1', port: 9717 });
  t.same(parseListenAddress(':9717'), { host: '127.0.0.1', port: 9717 });
  t.same(parseListenAddress('localhost:9717'), { host: '127.0.0.1', port: 9717 });
  t.same(parseListenAddress('0.0.0.0:80'), { host: '0.0.0.0', port: 80 });
  t.same(parseListenAddress('[::1]:9717'), { host: '::1', port: 9717 });
  t.equal(formatListenAddress(parseListenAddress('[2001:db8::1]:9717')), '[2001:db8::1]:9717');
  for (const bad of ['', 'x', '0', '65536', 'example.com:9717', '::1:9717', '[nope]:1', '10.0.0.256:1', '9717:']) {
    t.throws(() => parseListenAddress(bad), { name: 'ListenAddressError' }, `'${bad}' refused`);
  }
});

t.test('the configuration: off by default; a bad value names the key', async (t) => {
  const c = buildConfig();
  t.equal(c.metricsListen, null);
  t.equal(c.lookingGlass, false);
  t.equal(buildConfig({ flags: { 'metrics-listen': '9100' } }).metricsListen, '127.0.0.1:9100');
  t.throws(() => buildConfig({ file: { path: 'x.conf', text: '[lsoed]\nmetrics-listen = web:80\n' } }), {
    message: "x.conf:2: metrics-listen: 'web:80' is not PORT or ADDR:PORT (e.g. 9717, 127.0.0.1:9717, [::1]:9717)",
  });
});

t.test('Host: the listen address or localhost', async (t) => {
  t.equal(hostOf('[::1]:9717'), '::1');
  t.equal(hostOf('Example.COM:80'), 'example.com');
  t.equal(hostOf(undefined), null);
  t.ok(hostAllowed('localhost:9717', '192.0.2.1'));
  t.ok(hostAllowed('127.0.0.1', '192.0.2.1'));
  t.ok(hostAllowed('[::1]:9717', '192.0.2.1'));
  t.ok(hostAllowed('192.0.2.1:9717', '192.0.2.1'));
  t.notOk(hostAllowed('192.0.2.9:9717', '192.0.2.1'), 'another address');
  t.notOk(hostAllowed('attacker.example', '192.0.2.1'), 'a DNS name (rebinding)');
  t.notOk(hostAllowed(undefined, '192.0.2.1'), 'no Host at all');
  t.notOk(hostAllowed('192.0.2.99', '0.0.0.0'), 'on a wildcard: an address this machine does not have');
});
