// Where this installation of lsoe lives: the directory holding bin/, native/ and dist/.
// Found from the running module's own URL, which is dist/src/<dir>/<file>.js when tsc's
// output runs (tests) and dist/lsoe/<chunk>.js when the bundle runs (bin/lsoe), so
// no caller may count '../' from its own file.
import { fileURLToPath } from 'node:url';

/** The package root for a module at `moduleUrl` (its `import.meta.url`) under dist/ or src/. */
export function packageRoot(moduleUrl: string): string {
  const file = fileURLToPath(moduleUrl);
  for (const dir of ['/dist/', '/src/']) {
    const at = file.lastIndexOf(dir);
    if (at >= 0) return file.slice(0, at);
  }
  throw new Error(`${file}: not inside lsoe's dist/ or src/`);
}
