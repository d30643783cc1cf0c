// What a real bin/lsoe loads: `node --import` of this file (through NODE_OPTIONS, see
// moduleLogEnv) registers module-log-hooks.js, which appends the URL of every module
// Node loads to $LSOE_MODULE_LOG. Bundled or not, a module is loaded only when some
// code asked for it, so tests can tell what a command did not need.
import { register } from 'node:module';

register('./module-log-hooks.js', import.meta.url);
