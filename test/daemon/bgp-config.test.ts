// The bgp-* keys: what each accepts, what it refuses (with the key and the reason),
// and section 8's router-id rule.
import t from 'tap';
import { buildConfig, ConfigError } from '../../src/daemon/config.js';
import { checkRouterId } from '../../src/daemon/bgp-northbound.js';
import { BgpConfigError } from '../../src/daemon/bgp-config.js';
import { remoteAsnFor } from '../../src/daemon/bgp-config.js';

const lo = (address: string) => ({ address, prefixLength: 32, primary: false, loopback: true });

t.test('defaults: no BGP', (t) => {
  const c = buildConfig();
  t.strictSame(c.bgpPeer, []);
  t.equal(c.bgpHoldTime, 90);
  t.equal(c.bgpLsInstanceId, 0n);
  t.equal(c.bgpLsIgpRouterId, false);
  t.end();
});

t.test('peers: ADDR, ADDR:PORT, [IPv6]:PORT, bare IPv6, in one list', (t) => {
  const c = buildConfig({ flags: { 'bgp-peer': '198.51.100.2, 198.51.100.6:1179,[2001:db8::1]:179 2001:db8::2', 'bgp-asn': '65000' } });
  t.strictSame(c.bgpPeer, [
    { host: '198.51.100.2', port: 179 },
    { host: '198.51.100.6', port: 1179 },
    { host: '2001:db8::1', port: 179 },
    { host: '2001:db8::2', port: 179 },
  ]);
  t.end();
});

t.test('the INI takes them alike; errors name the line and key', (t) => {
  const text = '[lsoed]\nbgp-peer = 198.51.100.2\nbgp-asn = 4200000000\nbgp-ls-remote-asn = swp1=65011, *=65000\nbgp-ls-instance-id = 18446744073709551615\n';
  const c = buildConfig({ file: { path: 'x.conf', text } });
  t.equal(c.bgpAsn, 4200000000);
  t.equal(c.bgpLsInstanceId, 2n ** 64n - 1n);
  t.equal(remoteAsnFor(c.bgpLsRemoteAsn, 'swp1', 1), 65011);
  t.equal(remoteAsnFor(c.bgpLsRemoteAsn, 'swp2', 1), 65000);
  t.equal(remoteAsnFor(buildConfig().bgpLsRemoteAsn, 'swp2', 64999), 64999, 'default: our AS');
  t.throws(() => buildConfig({ file: { path: 'x.conf', text: '[lsoed]\nbgp-asn = 0\n' } }), new ConfigError('x.conf:2: bgp-asn: AS 0 is outside 1..4294967295'));
  t.end();
});

t.test('bad values are refused with the reason', (t) => {
  const bad: [string, string, RegExp][] = [
    ['bgp-peer', 'example.com', /--bgp-peer: 'example.com' is not ADDR/],
    ['bgp-peer', '198.51.100.2:0', /port must be 1..65535/],
    ['bgp-peer', '198.51.100.2,198.51.100.2:179', /given twice/],
    ['bgp-hold-time', '2', /0 or 3..65535/],
    ['bgp-router-id', '10.0.0', /not an IPv4 address/],
    ['bgp-ls-remote-asn', 'swp1:65011', /not an AS number/],
    ['bgp-ls-remote-asn', 'swp1=x', /not IFNAME=AS/],
    ['bgp-ls-instance-id', '18446744073709551616', /64 bits/],
  ];
  for (const [key, value, msg] of bad) t.throws(() => buildConfig({ flags: { [key]: value, 'bgp-asn': '65000' } }), msg, `${key} ${value}`);
  t.throws(() => buildConfig({ flags: { 'bgp-peer': '198.51.100.2' } }), /bgp-peer is set but bgp-asn is not/);
  t.end();
});

t.test("router-id: our lowest loopback IPv4, and nothing else", (t) => {
  const c = buildConfig({ flags: { 'bgp-peer': '198.51.100.2', 'bgp-asn': '65000' } });
  t.equal(checkRouterId(c, [lo('10.255.0.9'), lo('10.255.0.1'), lo('127.0.0.1')]), '10.255.0.1');
  t.equal(checkRouterId({ ...c, bgpRouterId: '10.255.0.1' }, [lo('10.255.0.1')]), '10.255.0.1', 'the same, configured');
  t.throws(() => checkRouterId({ ...c, bgpRouterId: '10.255.0.9' }, [lo('10.255.0.9'), lo('10.255.0.1')]), new BgpConfigError('bgp-router-id 10.255.0.9 is refused: it must be our lowest loopback IPv4, 10.255.0.1, so that neighbours name us alike (PROTOCOL.md section 8)'));
  t.throws(() => checkRouterId(c, [lo('127.0.0.1')]), /no loopback IPv4/);
  t.end();
});
