// process.stdout made only when something writes through it. Node makes it on first
// access, and making it loads net, the streams (and tty on a terminal), ~10 M
// instructions (~7 ms here) of a short `lsoe decode`, which writes fd 1 itself
// (fd-transport.ts) and needs none of it. What must happen to process.stdout once it
// exists (the EPIPE handler, fd 1 put back in blocking mode) goes through
// whenStdoutMade(): at once where nobody watches (every command but decode: the ES
// modules' `import 'node:process'` makes it before any code runs anyway), else when
// something first makes it (commander's --help, an error path, the EAGAIN fallback).

type Waiter = (stdout: NodeJS.WriteStream) => void;

let watching = false;
let made = false;
const waiting: Waiter[] = [];

/**
 * Making process.stdout loads one of these (a pipe or socket: net; a terminal: tty; a
 * file or device: sync_write_stream). While none is loaded, nothing has made it; once one
 * is (a preload in NODE_OPTIONS, tap's hooks), it may have been.
 */
const MAKERS = ['NativeModule net', 'NativeModule tty', 'NativeModule internal/fs/sync_write_stream'];

/**
 * From now on, learn when process.stdout is first made (decode's CommonJS entry,
 * src/cli-decode.ts, before its program runs). Where it may have been made already, or
 * without Node's accessor to wrap, nothing is watched: whenStdoutMade() acts at once.
 */
export function watchStdout(): void {
  const own = Object.getOwnPropertyDescriptor(process, 'stdout');
  const make = own?.get;
  const loaded = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList;
  if (watching || make === undefined || own?.configurable !== true) return;
  if (loaded === undefined || MAKERS.some((m) => loaded.includes(m))) return;
  watching = true;
  Object.defineProperty(process, 'stdout', {
    configurable: true,
    enumerable: own.enumerable === true,
    get() {
      Object.defineProperty(process, 'stdout', own); // Node's own accessor from now on
      const stdout = make.call(process) as NodeJS.WriteStream;
      made = true;
      for (const fn of waiting.splice(0)) fn(stdout);
      return stdout;
    },
  });
}

/** `fn(process.stdout)`: now if it exists or nobody watches (then making it), else once something makes it. */
export function whenStdoutMade(fn: Waiter): void {
  if (!watching || made) fn(process.stdout);
  else waiting.push(fn);
}
