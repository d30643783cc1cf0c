// Tests' side of module-log.ts: the environment that makes a spawned bin/lsoe log the
// modules it loads, and questions about what it loaded.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Env for a spawned bin/lsoe: log every module it loads to `logFile` (tap's own hooks stay). */
export function moduleLogEnv(logFile: string): NodeJS.ProcessEnv {
  const probe = pathToFileURL(path.join(import.meta.dirname, 'module-log.js')).href;
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${probe}`.trim(), LSOE_MODULE_LOG: logFile };
}

/** The files loaded, in order, once each (a missing log: none). */
export function loadedFiles(logFile: string): string[] {
  if (!existsSync(logFile)) return [];
  const urls = readFileSync(logFile, 'utf8').split('\n').filter((l) => l !== '');
  return [...new Set(urls)].map((u) => fileURLToPath(u));
}

/**
 * The loaded files that define class `name` (`class X` as tsc writes it, `X = class` as
 * the bundler does): whether that code was loaded, in either layout.
 */
export function filesDefining(files: string[], name: string): string[] {
  const definition = new RegExp(`\\bclass ${name}\\b|\\b${name} = class\\b`);
  return files.filter((f) => definition.test(readFileSync(f, 'utf8')));
}
