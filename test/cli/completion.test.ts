// `lsoe completion`: the scripts loaded into real shells and driven the way the
// shell drives them on Tab; bash always, zsh and fish where installed.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { completionScript } from '../../src/completion/index.js';
import { runLsoe } from '../helpers/run-cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'lsoe-completion-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
// the shells run in `work`, which holds only these two files; scripts go elsewhere
const work = path.join(tmp, 'work');
mkdirSync(work);
writeFileSync(path.join(work, 'capture.pcap'), '');
writeFileSync(path.join(work, 'lsoed.conf'), '');

const interfaces = readdirSync('/sys/class/net').sort();
const PDU_TYPES = ['hello', 'open', 'keepalive', 'ack', 'ipv4_encapsulation', 'ipv6_encapsulation', 'mpls_ipv4_encapsulation', 'mpls_ipv6_encapsulation', 'vendor'];

function script(shell: string): string {
  const res = runLsoe(['completion', shell]);
  if (res.code !== 0) throw new Error(res.stderr);
  const file = path.join(tmp, `lsoe.${shell}`);
  writeFileSync(file, res.stdout);
  return file;
}

function has(shell: string): boolean {
  return spawnSync(shell, ['-c', 'true']).status === 0;
}

/**
 * bash: sources the script, finds the function `complete -p lsoe` registered,
 * and calls it as bash does on Tab (COMP_WORDS split on bash's word breaks, so
 * `--type=op` is three words). One call per line typed; the candidates, sorted.
 */
function bashComplete(file: string, lines: string[][]): string[][] {
  const calls = lines
    .map((words) => {
      const arr = words.map((w) => `'${w}'`).join(' ');
      return `COMP_WORDS=(${arr}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); "$fn"; printf '%s\\n' "\${COMPREPLY[*]}"`;
    })
    .join('\n');
  const prog = `source '${file}'\nspec=$(complete -p lsoe) || exit 3\nfn=\${spec#*-F }; fn=\${fn%% *}\n${calls}\n`;
  const res = spawnSync('bash', ['--norc', '--noprofile', '-c', prog], { cwd: work, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`bash failed (${res.status}): ${res.stderr}`);
  return res.stdout.split('\n').slice(0, lines.length).map((l) => l.split(' ').filter(Boolean).sort());
}

// [words typed, with the one being completed last] → candidates
const CASES: Array<[string[], string[]]> = [
  [['lsoe', ''], ['bgp', 'clear', 'completion', 'config', 'counters', 'daemon', 'decode', 'encaps', 'hello', 'lab', 'neighbors', 'sessions', 'sniff', 'version']],
  [['lsoe', 'sn'], ['sniff']],
  [['lsoe', 'sniff', '--ty'], ['--type']],
  [['lsoe', 'sniff', '-t', ''], [...PDU_TYPES].sort()],
  [['lsoe', 'decode', '--type', 'ip'], ['ipv4_encapsulation', 'ipv6_encapsulation']],
  [['lsoe', 'sniff', '-i', ''], interfaces],
  [['lsoe', 'daemon', '--interface', ''], interfaces],
  [['lsoe', 'lab', ''], ['down', 'status', 'up']],
  [['lsoe', 'lab', 'up', '--sp'], ['--spines']],
  [['lsoe', 'daemon', '--log-format', ''], ['json', 'text']],
  [['lsoe', 'daemon', '--config', 'ls'], ['lsoed.conf']],
  [['lsoe', 'decode', 'cap'], ['capture.pcap']],
  [['lsoe', 'completion', ''], ['bash', 'fish', 'zsh']],
  // option values are skipped when finding the command: `open` is not a command
  [['lsoe', 'sniff', '-i', 'eth0', '-t', 'open', '--js'], ['--json']],
  [['lsoe', 'sniff', '--count', ''], []],
];

t.test('bash: subcommands, options, interfaces for -i, PDU types for -t, files', async (t) => {
  const file = script('bash');
  const got = bashComplete(file, CASES.map(([words]) => words));
  CASES.forEach(([words, want], i) => t.same(got[i], want, words.join(' ')));
  const eq = bashComplete(file, [['lsoe', 'sniff', '--type', '=', 'op']]);
  t.same(eq[0], ['open'], 'bash splits --type=op at =; the value is still a PDU type');
});

t.test('a command or option added to the program is completed without touching the generator', async (t) => {
  const program = new Command('lsoe');
  program.command('frobnicate').option('--widget <FILE>', 'a widget').addOption(new Option('--mode <M>').choices(['fast', 'slow']));
  const file = path.join(tmp, 'custom.bash');
  writeFileSync(file, completionScript('bash', program));
  const got = bashComplete(file, [['lsoe', 'fr'], ['lsoe', 'frobnicate', '--w'], ['lsoe', 'frobnicate', '--mode', ''], ['lsoe', 'frobnicate', '--widget', 'cap']]);
  t.same(got, [['frobnicate'], ['--widget'], ['fast', 'slow'], ['capture.pcap']]);
});

t.test('zsh: the same answers through compadd', { skip: has('zsh') ? false : 'zsh is not installed' }, async (t) => {
  const file = script('zsh');
  // compadd offers everything and zsh matches it against the word typed: do the matching here
  const prog = [
    `source '${file}'`,
    'compadd() { shift $(( ${@[(i)--]} )); local w; for w in "$@"; do [[ $w == ${PREFIX}* ]] && print -r -- $w; done }',
    'compset() { PREFIX=${PREFIX#*=} }',
    '_files() { print -rl -- ${PREFIX}*(N) }',
    ...CASES.map(([words]) => `words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; PREFIX=$words[CURRENT]; _lsoe | sort | tr '\\n' ' '; print`),
  ].join('\n');
  const res = spawnSync('zsh', ['-f', '-c', prog], { cwd: work, encoding: 'utf8' });
  t.equal(res.status, 0, res.stderr);
  const got = res.stdout.split('\n').slice(0, CASES.length).map((l) => l.split(' ').filter(Boolean).sort());
  CASES.forEach(([words, want], i) => t.same(got[i], want, words.join(' ')));
});

/**
 * zsh as a person uses it: an interactive zsh on a pseudo-terminal (zsh/zpty) with the
 * real completion system (compinit) and the script sourced. Each line is typed with a
 * Tab, then Ctrl-X d, bound to a widget that appends the edited line to a file and
 * clears it: Enter is never sent, so nothing typed runs (and `lsoe` is not on the PATH).
 * The driver waits for each line to land in the file before typing the next.
 */
function zshTab(file: string, lines: string[], how: 'sourced' | 'fpath'): string[] {
  const out = path.join(tmp, 'zsh-lines');
  writeFileSync(out, '');
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  // installed for good: the script as `_lsoe` in a directory of $fpath, found by compinit
  const fpathDir = path.join(tmp, 'zsh-functions');
  if (how === 'fpath') {
    mkdirSync(fpathDir, { recursive: true });
    writeFileSync(path.join(fpathDir, '_lsoe'), readFileSync(file));
  }
  const init = [
    "PS1='PROMPT> '",
    ...(how === 'fpath' ? [`fpath=(${q(fpathDir)} $fpath)`] : []),
    'autoload -Uz compinit',
    'compinit -u -D',
    ...(how === 'sourced' ? [`source ${q(file)}`] : []),
    `dump() { print -r -- "$BUFFER" >> ${q(out)}; BUFFER= }`,
    'zle -N dump',
    "bindkey '^Xd' dump",
  ].join('; ');
  const prog = [
    'zmodload zsh/zpty',
    `zpty z ${q('TERM=dumb zsh -f -i')}`,
    `zpty -w z ${q(init)}`,
    // the prompt after the set-up: the line editor is reading keys
    "zpty -r z line '*PROMPT> *PROMPT> *' || exit 3",
    'n=0',
    ...lines.flatMap((l) => [
      `zpty -w -n z ${q(l)}$'\\t\\x18d'`,
      'n=$((n + 1)); for i in {1..200}; do (( $(wc -l < ' + q(out) + ') >= n )) && break; sleep 0.05; done',
    ]),
    'zpty -d z',
  ].join('\n');
  const res = spawnSync('zsh', ['-f', '-c', prog], { cwd: work, encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) throw new Error(`zsh failed (${res.status}): ${res.stderr}`);
  return readFileSync(out, 'utf8').split('\n').slice(0, -1);
}

t.test('zsh: Tab with the real completion system (compinit) on a terminal', { skip: has('zsh') ? false : 'zsh is not installed' }, async (t) => {
  const file = script('zsh');
  const typed = ['lsoe dae', 'lsoe sniff --ty', 'lsoe decode -t keepa', 'lsoe lab st', 'lsoe daemon --log-format js', 'lsoe decode cap', 'lsoe completion fi'];
  const want = [
    'lsoe daemon ',
    'lsoe sniff --type ',
    'lsoe decode -t keepalive ',
    'lsoe lab status ',
    'lsoe daemon --log-format json ',
    'lsoe decode capture.pcap ',
    'lsoe completion fish ',
  ];
  t.same(zshTab(file, typed, 'sourced'), want, 'sourced after compinit (source <(lsoe completion zsh))');
  t.same(zshTab(file, typed, 'fpath'), want, 'installed as _lsoe in $fpath: the first Tab already completes');
});

t.test('fish: the same answers from complete -C', { skip: has('fish') ? false : 'fish is not installed' }, async (t) => {
  const file = script('fish');
  // installed for good: lsoe.fish in a directory of fish_complete_path, loaded on first use
  // of a command named lsoe that is on the PATH (fish loads nothing for an unknown command)
  const dir = path.join(tmp, 'fish-completions');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'lsoe.fish'), readFileSync(file));
  for (const [how, load] of [['sourced', `source '${file}'`], ['from fish_complete_path', `set -p fish_complete_path '${dir}'`]]) {
    const prog = [load, ...CASES.map(([words]) => `echo (complete -C '${words.join(' ')}' | string replace -r '\\t.*' '' | sort)`)].join('\n');
    const env = { ...process.env, PATH: `${path.resolve('bin')}:${process.env.PATH}` };
    const res = spawnSync('fish', ['--no-config', '-c', prog], { cwd: work, encoding: 'utf8', env });
    t.equal(res.status, 0, res.stderr);
    const got = res.stdout.split('\n').slice(0, CASES.length).map((l) => l.split(' ').filter(Boolean).sort());
    CASES.forEach(([words, want], i) => t.same(got[i], want, `${how}: ${words.join(' ')}`));
  }
});

t.test('an unknown shell is a usage error', async (t) => {
  const res = runLsoe(['completion', 'tcsh']);
  t.equal(res.code, 2);
  t.match(res.stderr, /tcsh/);
});
