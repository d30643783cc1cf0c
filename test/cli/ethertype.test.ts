// One EtherType rule for every command: 0x is hex, digits alone decimal, and a bare
// four-character form that reads as a hex EtherType is refused, not guessed.
import t from 'tap';
import { CliError, parseEthertype } from '../../src/cli-error.js';
import { foreignEthertypeWarning, readEthertypeList } from '../../src/ethertype.js';
import { runLsoe } from '../helpers/run-cli.js';

t.test('0x is hex, plain digits decimal', async (t) => {
  t.equal(parseEthertype('0x88b5'), 0x88b5);
  t.equal(parseEthertype('0X88B5'), 0x88b5);
  t.equal(parseEthertype('34997'), 0x88b5);
  t.equal(parseEthertype('2048'), 0x0800, '2048 is decimal, as the man page says');
  for (const bad of ['0x05dc', 'zz', '', '0x1ffff', '88b5x', '1500']) {
    t.throws(() => parseEthertype(bad), CliError, bad);
  }
});

t.test('a bare four-character hex-looking EtherType is refused with both spellings', async (t) => {
  for (const [text, hex, dec] of [
    ['8885', '0x8885', 34949],
    ['88b5', '0x88b5', 34997],
    ['86DD', '0x86dd', 34525],
    ['0800', '0x0800', 2048],
  ] as const) {
    t.throws(() => parseEthertype(text), { message: `--ethertype: '${text}' is ambiguous: write ${hex} (hex) or ${dec} (decimal)` });
  }
});

t.test('lists and foreign EtherTypes', async (t) => {
  t.same(readEthertypeList('0x88b5,0x8885,0x88b5'), [0x88b5, 0x8885]);
  t.throws(() => readEthertypeList('0x88b5,'));
  t.match(foreignEthertypeWarning(0x0800), /0x0800 belongs to IPv4/);
  t.equal(foreignEthertypeWarning(0x88b5), null);
});

t.test('through the binary: the same rule and message in decode and the daemon', async (t) => {
  const d = runLsoe(['decode', '--ethertype', '8885', '--hex', '0180c200000e02000000000188b50080000bea89ca1c000003']);
  t.equal(d.code, 2);
  t.equal(d.stderr, "lsoe: decode: --ethertype: '8885' is ambiguous: write 0x8885 (hex) or 34949 (decimal)\n");
  const ok = runLsoe(['decode', '--ethertype', '34997', '--hex', '0180c200000e02000000000188b50080000bea89ca1c000003']);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /HELLO/);
  const daemon = runLsoe(['daemon', '--ethertype', '88b5', '--no-socket']);
  t.equal(daemon.code, 2);
  t.match(daemon.stderr, /^lsoe: daemon: .*'88b5' is ambiguous: write 0x88b5 \(hex\) or 34997 \(decimal\)\n$/);
});

t.test('a capture of the other LSOE EtherType: decode says which flag to use', async (t) => {
  const { repoRoot } = await import('../helpers/vectors.js');
  const path = await import('node:path');
  const exchange = path.join(repoRoot(), 'examples', 'lsoed-exchange.pcap');
  const r = runLsoe(['decode', exchange]);
  t.equal(r.code, 0);
  t.equal(r.stdout, '');
  t.equal(r.stderr, "lsoe: decode: no frame of EtherType 0x88b5, but 63 frames of EtherType 0x8885 (the published lsoed's): add --ethertype 0x8885\n");
  const right = runLsoe(['decode', '--ethertype', '0x8885', exchange]);
  t.equal(right.stderr, '', 'no hint when the EtherType is right');
  t.match(right.stdout, /HELLO/);
});
