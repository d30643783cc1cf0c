// `lsoe daemon` refuses bad configuration in one line, before touching the network.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runLsoe } from '../helpers/run-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lsoe-daemon-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('a bad value in the file names the file, the line and the key', async (t) => {
  const file = path.join(dir, 'bad.conf');
  writeFileSync(file, '[lsoed]\nhello-interval = 5\nretransmit-max-drop = lots\n');
  const r = runLsoe(['daemon', '-c', file, '--no-socket']);
  t.equal(r.code, 2);
  t.equal(r.stderr, `lsoe: ${file}:3: retransmit-max-drop: 'lots' is not a whole number\n`);
});

t.test('an unknown key is refused', async (t) => {
  const file = path.join(dir, 'unknown.conf');
  writeFileSync(file, '[lsoed]\nhelo-interval = 5\n');
  const r = runLsoe(['daemon', '-c', file, '--no-socket']);
  t.equal(r.code, 2);
  t.equal(r.stderr, `lsoe: ${file}:2: unknown key 'helo-interval'\n`);
});

t.test('a bad flag value names the flag', async (t) => {
  const r = runLsoe(['daemon', '--local-id', 'xyz', '--no-socket']);
  t.equal(r.code, 2);
  t.equal(r.stderr, "lsoe: --local-id: 'xyz' is not 10 octets of hex\n");
});

t.test('a missing file and a bad --debug list are one-line errors', async (t) => {
  const r = runLsoe(['daemon', '-c', path.join(dir, 'missing.conf'), '--no-socket']);
  t.equal(r.code, 2);
  t.match(r.stderr, /^lsoe: .*missing\.conf: cannot read \(ENOENT\)\n$/);
  const d = runLsoe(['daemon', '--debug', 'fsm,nope', '--no-socket']);
  t.equal(d.code, 2);
  t.equal(d.stderr, "lsoe: --debug: unknown subsystem 'nope' (one of core, fsm, io, iface, config, report, plugin, bounds, ctl, bgp, all)\n");
});
