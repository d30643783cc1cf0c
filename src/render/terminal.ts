// Whether an fd is a terminal, without loading node:tty for what cannot be one. node:tty
// loads net and the streams (~5 ms at a start here); only a character device can be a
// terminal, and fstat says so without them. A pipe or a file, where decode --json
// writes, is answered by fstat alone; a character device (a terminal, /dev/null) asks
// node:tty, loaded then.
import { fstatSync } from 'node:fs';
import { createRequire } from 'node:module';

export function isTerminal(fd: number): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false; // not open: not a terminal (node:tty's isatty says the same)
  }
  const tty = createRequire(import.meta.url)('node:tty') as typeof import('node:tty');
  return tty.isatty(fd);
}

/** node:tty's `isatty` by this test: what chalk's colour detection imports in the bundle (scripts/bundle.mjs). */
export default { isatty: isTerminal };
