// Entry point of `lsoe decode` as bin/lsoe starts it: decode's CommonJS bundle
// (dist/lsoe/decode.cjs, scripts/bundle.mjs) is built from here, so it holds decode's
// code alone, not the daemon, lab, BGP or views that no decode runs. bin/lsoe sends it
// only `lsoe decode …`, for which src/cli.ts registers decode alone too: the same
// program, the same help and errors.
import { runCli } from './cli-program.js';
import { register as registerDecode } from './commands/decode.js';

void runCli([[['decode'], registerDecode]], process.argv);
