'use strict';
// Runs a CommonJS bundle (dist/lsoe/decode.cjs, scripts/bundle.mjs) compiled through
// V8's code cache (FILE.cache, written at build time by a training run), so a short
// `lsoe decode` neither parses the bundle nor compiles the functions that run at start:
// ~100 M instructions of a 1-frame decode's ~270 M. Node 20 has no code cache for ES
// modules, hence CommonJS and vm.Script. V8 checks the cache against the bundle (its
// length), its own version and the V8 flags: a cache that does not fit, or none at all,
// is set aside and the bundle compiles as usual, silently. The length is all V8 compares
// of the source, so the two are only ever made together: scripts/bundle.mjs writes both
// into a fresh directory and swaps it in whole (a failed training run swaps nothing).
//   node bin/run-cached.cjs --write-cache FILE ARGS…   a training run: runs FILE with
//   ARGS as `lsoe ARGS…` would, and writes FILE.cache when it exits (node started with
//   launcherV8Flags(), as bin/lsoe starts it).
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire, wrap } = require('node:module');

/** The bundle `file` compiled (with its cache when V8 takes it); `cache` says which. */
function compile(file) {
  const source = readFileSync(file, 'utf8');
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined; // none: compiled as usual
  }
  const script = new vm.Script(wrap(source), {
    filename: file,
    cachedData,
    // the bundle's import() of external packages (pcap) goes through Node's own loader;
    // the constant is Node >= 20.12 (decode itself imports no outside package)
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  return {
    cache: cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used',
    run() {
      const module = { exports: {} };
      script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
    },
    createCachedData: () => script.createCachedData(),
  };
}

/**
 * The V8 flag bin/lsoe starts node with for the cached program (`lsoe_v8=`, first thing on
 * its second line after `':' //;`; none when empty): the cache must be written under the
 * same flags for V8 to take it. One word, as /bin/sh passes it unquoted; anything else
 * there is an error, not a silent [].
 */
function launcherV8Flags(launcher = path.join(__dirname, 'lsoe')) {
  const line = readFileSync(launcher, 'utf8').split('\n')[1] ?? '';
  const m = /^':' \/\/; lsoe_v8=([^\s;'"$`\\]*);/.exec(line);
  if (m === null) throw new Error(`${launcher}: its second line does not begin with ':' //; lsoe_v8=WORD;`);
  return m[1] === '' ? [] : [m[1]];
}

module.exports = { compile, launcherV8Flags };

if (require.main === module && process.argv[2] === '--write-cache') {
  const [node, , , file, ...args] = process.argv;
  process.argv = [node, file, ...args];
  const bundle = compile(file);
  // after the run, so the functions it compiled are in the cache too
  process.on('exit', () => writeFileSync(`${file}.cache`, bundle.createCachedData()));
  bundle.run();
}
