// Entry point of `lsoe decode` as bin/lsoe starts it: decode's CommonJS bundle
// (dist/lsoe/decode.cjs, scripts/bundle.mjs) is built from here, so it holds decode's
// code alone, not the daemon, lab, BGP or views that no decode runs. bin/lsoe sends it
// only `lsoe decode …`, for which src/cli.ts registers decode alone too, and `lsoe
// --version`, for which it registers none: the same program, the same help and errors.
import { runCli } from './cli-program.js';
import { register as registerDecode } from './commands/decode.js';
import { watchStdout } from './render/stdout-watch.js';

// decode --json into a pipe or file never needs process.stdout: made only if used
// (stdout-watch.ts; a CommonJS bundle imports no ES module, which would make it).
watchStdout();
void runCli([[['decode'], registerDecode]], process.argv);
