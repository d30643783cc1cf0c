// bgp-ls-remote-asn: parsed from the configuration and spelt back the same way, so the
// control socket's `config` answer (and `lsoe config`) holds plain JSON a reload accepts.
import t from 'tap';
import { parseRemoteAsn, remoteAsnFor, remoteAsnText } from '../../src/daemon/bgp-config.js';
import { buildConfig, configToRecord } from '../../src/daemon/config.js';

t.test('one AS, a per-interface list, or nothing', async (t) => {
  t.equal(remoteAsnText(parseRemoteAsn('')), null);
  t.equal(remoteAsnText(parseRemoteAsn('65001')), '65001');
  const list = parseRemoteAsn('swp1=65011, swp2=65012, *=65000');
  t.equal(remoteAsnText(list), 'swp1=65011, swp2=65012, *=65000');
  t.same(parseRemoteAsn(remoteAsnText(list)!), list, 'the text parses back to the same value');
  t.equal(remoteAsnFor(list, 'swp2', 64999), 65012);
  t.equal(remoteAsnFor(list, 'swp9', 64999), 65000);
  t.equal(remoteAsnText(parseRemoteAsn('swp1=65011')), 'swp1=65011');
});

t.test("the config record carries the text, not the parsed object", async (t) => {
  const c = buildConfig({ flags: { 'bgp-ls-remote-asn': 'swp1=65011, *=65000' } });
  t.equal(configToRecord(c)['bgp-ls-remote-asn'], 'swp1=65011, *=65000');
});
