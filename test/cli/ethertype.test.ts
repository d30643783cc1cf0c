// EtherTypes are hex: every command reads them the same way.
import t from 'tap';
import { CliError, parseEthertype } from '../../src/cli-error.js';

t.test('hex with or without 0x; long plain digits are decimal', async (t) => {
  t.equal(parseEthertype('0x88b5'), 0x88b5);
  t.equal(parseEthertype('0X88B5'), 0x88b5);
  t.equal(parseEthertype('88b5'), 0x88b5);
  t.equal(parseEthertype('8885'), 0x8885, 'four digits are hex, as lsoed writes it');
  t.equal(parseEthertype('34997'), 0x88b5, 'five digits can only be decimal');
  for (const bad of ['0x05dc', '05dc', 'zz', '', '0x1ffff', '88b5x']) {
    t.throws(() => parseEthertype(bad), CliError, bad);
  }
});
