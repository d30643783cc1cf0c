// Entry point: every command, one small module each. Command modules only declare
// flags and lazily import their implementation, so `lsoe --help` loads neither
// libpcap nor React. The program itself is src/cli-program.ts.
import { runCli, type CommandTable } from './cli-program.js';
import { register as registerDecode } from './commands/decode.js';
import { register as registerSniff } from './commands/sniff.js';
import { register as registerHello } from './commands/hello.js';
import { register as registerDaemon } from './commands/daemon.js';
import { register as registerSessions } from './commands/sessions.js';
import { register as registerEncaps } from './commands/encaps.js';
import { register as registerBgp } from './commands/bgp.js';
import { register as registerLab } from './commands/lab.js';
import { register as registerNeighbors } from './commands/neighbors.js';
import { register as registerDaemonInfo } from './commands/daemon-info.js';
import { register as registerClear } from './commands/clear.js';
import { register as registerCompletion } from './commands/completion.js';

/** Each top-level command's registration, in `lsoe --help`'s order, with every name it answers to. */
const COMMANDS: CommandTable = [
  [['decode'], registerDecode],
  [['sniff'], registerSniff],
  [['hello'], registerHello],
  [['daemon'], registerDaemon],
  [['sessions'], registerSessions],
  [['neighbors', 'neighbours'], registerNeighbors],
  [['encaps'], registerEncaps],
  [['counters', 'config', 'version'], registerDaemonInfo],
  [['clear'], registerClear],
  [['bgp'], registerBgp],
  [['lab'], registerLab],
  [['completion'], registerCompletion],
];

void runCli(COMMANDS, process.argv);
