// One error format for everything, commander's own errors included, and --help that
// reads well: through the real binary, as a user meets them.
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLsoe } from '../helpers/run-cli.js';

const ONE_LINE = /^lsoe: [^\n]+\n$/;

t.test('every error is one line: lsoe: <command>: <what>, exit 2 for usage', async (t) => {
  const cases: Array<[string[], RegExp, number]> = [
    [['decode', '--foo'], /^lsoe: decode: unknown option '--foo' \(lsoe decode --help for usage\)\n$/, 2],
    [['hello'], /^lsoe: hello: required option '-i, --interface <IF>' not specified/, 2],
    [['nosuch'], /^lsoe: unknown command 'nosuch'/, 2],
    [['daemon', '--log-format', 'xml'], /^lsoe: daemon: option '--log-format <FORMAT>' argument 'xml' is invalid/, 2],
    [['lab', 'up', '--spines', 'x'], /^lsoe: lab up: --spines: 'x' is not a whole number\n$/, 2],
    [['sessions', '--socket', '/nonexistent/lsoe.sock'], /^lsoe: sessions: no daemon listening on \/nonexistent\/lsoe.sock/, 1],
  ];
  for (const [args, want, code] of cases) {
    const r = runLsoe(args);
    t.equal(r.code, code, args.join(' '));
    t.match(r.stderr, ONE_LINE, `${args.join(' ')}: one line`);
    t.match(r.stderr, want);
  }
});

t.test('system errors in words, never their codes', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lsoe-msg-'));
  const missing = runLsoe(['daemon', '-c', path.join(dir, 'none.conf'), '--no-socket']);
  t.equal(missing.stderr, `lsoe: daemon: ${dir}/none.conf: cannot read: no such file or directory\n`);
  const isDir = runLsoe(['lab', 'up', '--topology', dir]);
  t.match(isDir.stderr, /^lsoe: lab up: --topology: cannot read .*: is a directory\n$/);
  for (const r of [missing, isDir]) t.notMatch(r.stderr, /E[A-Z]{3,}/, 'no raw errno code');
});

t.test('--help: no (default: false), no (default: []), no doubled default; lsoe help lab up', async (t) => {
  for (const cmd of [['decode'], ['sniff'], ['hello'], ['daemon'], ['sessions'], ['encaps'], ['lab', 'up']]) {
    const r = runLsoe([...cmd, '--help']);
    t.equal(r.code, 0);
    t.notMatch(r.stdout, /default: false|default: \[\]|\(default[^)]*\)\s*\(default/, `${cmd.join(' ')} --help`);
    t.match(r.stdout, /--color <WHEN>/, 'the global --color is listed');
  }
  t.match(runLsoe(['decode', '--help']).stdout, /\(default 0x88b5\)/);
  const help = runLsoe(['help', 'lab', 'up']);
  t.equal(help.code, 0);
  t.match(help.stdout, /^Usage: lsoe lab up \[options\]/);
  t.match(help.stdout, /--spines <N>/);
});

t.test('--help fits the terminal: 80 columns in a pipe', async (t) => {
  const r = runLsoe(['daemon', '--help']);
  const wide = r.stdout.split('\n').filter((l) => l.length > 80);
  t.same(wide, [], 'no line wider than 80 columns');
});

t.test('a Local ID is taken in every usual spelling and shown in one', async (t) => {
  const { formatLocalId, parseLocalId } = await import('../../src/proto/local-id.js');
  for (const text of ['0a1b2c3d4e5f60718293', '0x0A1B2C3D4E5F60718293', '0a:1b:2c:3d:4e:5f:60:71:82:93', '0a-1b-2c-3d-4e-5f-60-71-82-93', '0a.1b.2c.3d.4e.5f.60.71.82.93']) {
    t.equal(parseLocalId(text), '0a1b2c3d4e5f60718293', text);
  }
  for (const bad of ['0a1b', '0a:1b:2c:3d:4e:5f:60:71:82', 'zz1b2c3d4e5f60718293', '0a1b2c3d4e5f6071829']) t.equal(parseLocalId(bad), null, bad);
  t.equal(formatLocalId('0a1b2c3d4e5f60718293'), '0a:1b:2c:3d:4e:5f:60:71:82:93');
  // through the binary: the daemon's --local-id takes the colon form (and starts, here without privilege checks failing first)
  const r = runLsoe(['daemon', '--local-id', '0a:1b:2c:3d:4e:5f:60:71:82', '--no-socket']);
  t.equal(r.stderr, "lsoe: daemon: --local-id: '0a:1b:2c:3d:4e:5f:60:71:82' is not 10 octets of hex\n");
});

t.test('plurals: "1 frame, 1 PDU, 1 error"', async (t) => {
  const { plural } = await import('../../src/render/plural.js');
  t.equal(plural(1, 'frame'), '1 frame');
  t.equal(plural(2, 'PDU'), '2 PDUs');
  t.equal(plural(0, 'neighbour'), '0 neighbours');
  // through the binary: one HELLO frame
  const r = runLsoe(['decode', '--summary', '--hex', '0180c200000e02000000000188b50080000bea89ca1c000003']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^1 frame, 1 PDU, 0 errors, 0 non-LSOE frames skipped\n/);
});

t.test('contradicting options are refused, naming both', async (t) => {
  const cases: Array<[string[], string]> = [
    [['daemon', '--socket', '/tmp/x.sock', '--no-socket'], 'lsoe: daemon: --socket and --no-socket contradict each other: give one\n'],
    [['decode', '--json', '-v', '--hex', '00'], 'lsoe: decode: --json and --verbose contradict each other: give one\n'],
    [['decode', '-x', '--json', '--hex', '00'], 'lsoe: decode: --json and --hexdump contradict each other: give one\n'],
    [['sniff', '-w', '/tmp/lsoe-never.pcap', '--json', '-i', 'nosuch0'], 'lsoe: sniff: --json and -w FILE contradict each other: -w writes the frames instead of printing them (add --print to print them as well)\n'],
    [['encaps', '-c', '/tmp/lsoed.conf'], 'lsoe: encaps: -c/--config applies only with --local (what --local computes when no daemon runs); without --local the daemon is asked\n'],
  ];
  for (const [args, stderr] of cases) {
    const r = runLsoe(args);
    t.same({ code: r.code, stderr: r.stderr }, { code: 2, stderr }, args.join(' '));
  }
});
