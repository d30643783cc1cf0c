import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parseEthertype } from '../../src/cli-error.js';
import { buildConfig, ConfigError, configToRecord } from '../../src/daemon/config.js';
import { repoRoot } from '../helpers/vectors.js';

function error(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('no error');
}

t.test('defaults are lsoed’s', async (t) => {
  const c = buildConfig();
  t.equal(c.retransmitInitialInterval, 1);
  t.equal(c.retransmitExponentialBackoff, true);
  t.equal(c.retransmitMaxDrop, 3);
  t.equal(c.keepaliveSendInterval, 1);
  t.equal(c.keepaliveReceiveTimeout, 60);
  t.equal(c.helloInterval, 60);
  t.equal(c.reassemblyTimeout, 1);
  t.equal(c.helloMulticastMacaddr, '01:80:c2:00:00:0e');
  t.equal(c.localId, null);
  t.equal(c.ethertype, 0x88b5);
  t.equal(c.maxSessions, 1024);
  t.equal(c.maxSessionsPerInterface, 256);
});

t.test('an lsoed file is read like configparser reads it', async (t) => {
  const text = [
    '# comment',
    '; another',
    '[lsoed]',
    'retransmit-initial-interval = 0.5',
    'retransmit-exponential-backoff: no',
    'hello-multicast-macaddr = 01-80-C2-00-00-03',
    'local-id = 01:02:03:04:05:06:07:08:09:0a',
    'report-rfc7752-url = http://collector.example:8080/report',
    'mpls-ipv4-encapsulation = 10.0.0.1/32 label 16001 primary,',
    '   10.0.0.2/32 label 0x00fa01 17 loopback',
    '',
  ].join('\n');
  const c = buildConfig({ file: { path: 'x.conf', text } });
  t.equal(c.retransmitInitialInterval, 0.5);
  t.equal(c.retransmitExponentialBackoff, false);
  t.equal(c.helloMulticastMacaddr, '01:80:c2:00:00:03');
  t.equal(c.localId, '0102030405060708090a');
  t.equal(c.reportRfc7752Url, 'http://collector.example:8080/report');
  t.same(c.mplsIpv4Encapsulation, [
    { address: '10.0.0.1', prefixLength: 32, primary: true, loopback: false, labels: ['03e811'] },
    { address: '10.0.0.2', prefixLength: 32, primary: false, loopback: true, labels: ['00fa01', '000111'] },
  ]);
});

t.test('flags override the file', async (t) => {
  const c = buildConfig({
    file: { path: 'x.conf', text: '[lsoed]\nhello-interval = 30\n' },
    flags: { 'hello-interval': '5', ethertype: '0x8885', interface: 'eth* !eth0' },
  });
  t.equal(c.helloInterval, 5);
  t.equal(c.ethertype, 0x8885);
  t.same(c.interfaces, ['eth*', '!eth0']);
});

t.test('errors name the file, the line and the key', async (t) => {
  t.equal(
    error(() => buildConfig({ file: { path: 'a.conf', text: '[lsoed]\n\nhello-interval = soon\n' } })),
    "a.conf:3: hello-interval: 'soon' is not a number of seconds",
  );
  t.equal(error(() => buildConfig({ file: { path: 'a.conf', text: '[lsoed]\nhelo-interval = 5\n' } })), "a.conf:2: unknown key 'helo-interval'");
  t.equal(error(() => buildConfig({ file: { path: 'a.conf', text: '[other]\n' } })), 'a.conf:1: unknown section [other] (only [lsoed])');
  t.equal(error(() => buildConfig({ file: { path: 'a.conf', text: 'hello-interval = 5\n' } })), "a.conf:1: key 'hello-interval' before the [lsoed] section");
  t.equal(error(() => buildConfig({ file: { path: 'a.conf', text: '[lsoed]\njust words\n' } })), "a.conf:2: expected 'key = value', got 'just words'");
  t.equal(
    error(() => buildConfig({ file: { path: 'a.conf', text: '[lsoed]\nlocal-id = 0102\n' } })),
    "a.conf:2: local-id: '0102' is not 10 octets of hex",
  );
  t.equal(
    error(() => buildConfig({ file: { path: 'a.conf', text: '[lsoed]\nretransmit-exponential-backoff = maybe\n' } })),
    "a.conf:2: retransmit-exponential-backoff: 'maybe' is not yes/no",
  );
  t.equal(error(() => buildConfig({ flags: { 'retransmit-max-drop': '0' } })), '--retransmit-max-drop: 0 is outside 1..100');
  t.equal(error(() => buildConfig({ flags: { ethertype: '0x0100' } })), "--ethertype: '0x0100' is not an EtherType (0x0600..0xffff, e.g. 0x88b5 or 88b5)");
  t.equal(error(() => buildConfig({ flags: { 'report-rfc7752-url': 'ftp://x' } })), "--report-rfc7752-url: 'ftp://x': only http, https and unix: URLs");
  t.equal(
    error(() => buildConfig({ flags: { 'mpls-ipv6-encapsulation': '2001:db8::1/129 label 1' } })),
    '--mpls-ipv6-encapsulation: prefix length 129 is too long',
  );
  t.equal(
    error(() => buildConfig({ file: { path: 'a.conf', text: '[lsoed]\ninterface = eth0 [z-a]\n' } })),
    "a.conf:2: interface: '[z-a]' is not a valid pattern (a range like [z-a] runs backwards?)",
    'a pattern that cannot compile is refused while reading, before anything is applied',
  );
  t.equal(error(() => buildConfig({ flags: { 'loopback-interfaces': '!lo[9-1]' } })), "--loopback-interfaces: 'lo[9-1]' is not a valid pattern (a range like [z-a] runs backwards?)");
  t.equal(error(() => buildConfig({ flags: { 'max-encapsulations-per-type': '10922' } })), '--max-encapsulations-per-type: 10922 is outside 1..10921');
  t.equal(
    error(() => buildConfig({ file: { path: 'a.conf', text: '[lsoed]\nhello-interval = 1\nhello-interval = 2\n' } })),
    "a.conf:3: key 'hello-interval' given twice",
  );
});

t.test('the EtherType takes the same forms as sniff, hello and decode (parseEthertype)', async (t) => {
  for (const text of ['0x88b5', '88b5', '88B5', '0X88B5', '34997']) {
    let mine: number | string;
    try {
      mine = buildConfig({ flags: { ethertype: text } }).ethertype;
    } catch (err) {
      mine = (err as Error).message;
    }
    t.equal(mine, parseEthertype(text), `${text}: daemon and the other commands agree`);
  }
  for (const text of ['0x0100', 'zz', '0x1ffff', '']) {
    t.throws(() => parseEthertype(text), `${text} refused by the other commands`);
    t.throws(() => buildConfig({ flags: { ethertype: text } }), ConfigError, `${text} refused by the daemon`);
  }
  const file = { path: 'e.conf', text: '[lsoed]\nethertype = 8885\n' };
  t.equal(buildConfig({ file }).ethertype, parseEthertype('8885'), 'a file value as the flag would read it');
});

t.test('the control socket view uses the file’s key names', async (t) => {
  const r = configToRecord(buildConfig({ flags: { 'local-id': '0a0a0a0a0a0a0a0a0a0a' } }));
  t.equal(r['hello-interval'], 60);
  t.equal(r.ethertype, '0x88b5');
  t.equal(r['local-id'], '0a0a0a0a0a0a0a0a0a0a');
});

t.test('the example configuration is valid and says the defaults', async (t) => {
  const file = path.join(repoRoot(), 'examples', 'lsoed.conf');
  t.same(buildConfig({ file: { path: file, text: readFileSync(file, 'utf8') } }), buildConfig());
});
