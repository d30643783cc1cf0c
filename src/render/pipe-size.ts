// A larger pipe for decode's output. Linux pipes hold 64 KiB by default: each
// 256 KiB batch then waits for the reader to wake up and read about four
// times. With 1 MiB (the default /proc/sys/fs/pipe-max-size) a batch goes in
// while the reader works on the one before. fcntl(F_SETPIPE_SZ) through our
// addon; loaded only before the first background write (output of 64 KiB or
// more), so short runs never pay for it. Silent when it cannot be done (no addon, not a pipe,
// EPERM above pipe-max-size or the user's pipe quota): the pipe stays as it is.
import { nativeAddon } from '../io/native-addon.js';

/** No addon, or one built before pipeSize: nothing changed (-ENOSYS). */
const NO_PIPE_SIZE = -38;

/** What decode asks for. */
export const PIPE_SIZE = 1024 * 1024;

interface PipeAddon {
  pipeSize?(fd: number, size: number): number;
}

/** Asks for a pipe of `size` octets on `fd`; returns its size afterwards, or a negative errno (nothing changed). */
export function widenPipe(fd: number, size = PIPE_SIZE): number {
  const addon = nativeAddon<PipeAddon>();
  if (addon?.pipeSize === undefined) return NO_PIPE_SIZE;
  return addon.pipeSize(fd, size);
}
