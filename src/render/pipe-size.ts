// decode's output pipe, through our addon. Linux pipes hold 64 KiB by default:
// each 256 KiB batch then waits for the reader to wake up and read about four
// times. With 1 MiB (the default /proc/sys/fs/pipe-max-size, fcntl F_SETPIPE_SZ)
// a batch goes in while the reader works on the one before. writeNowait() is a
// write(2) that never waits (pwritev2 RWF_NOWAIT): fd-transport.ts writes a batch
// at once with it, and what the pipe does not take goes the background way. The
// addon is loaded at the first batch of a quarter of 256 KiB or more, so short
// runs never pay for it. Silent when it cannot be done (no addon, not a pipe,
// EPERM above pipe-max-size or the user's pipe quota, a kernel without RWF_NOWAIT
// for pipes): the pipe stays as it is, and every batch goes the background way.
import { nativeAddon } from '../io/native-addon.js';

/** No addon, or one built before the call: nothing done (-ENOSYS). */
const NO_PIPE_SIZE = -38;

/** What decode asks for. */
export const PIPE_SIZE = 1024 * 1024;

interface PipeAddon {
  pipeSize?(fd: number, size: number): number;
  writeNowait?(fd: number, chunk: Uint8Array): number;
}

/** Asks for a pipe of `size` octets on `fd`; returns its size afterwards, or a negative errno (nothing changed). */
export function widenPipe(fd: number, size = PIPE_SIZE): number {
  const addon = nativeAddon<PipeAddon>();
  if (addon?.pipeSize === undefined) return NO_PIPE_SIZE;
  return addon.pipeSize(fd, size);
}

/**
 * Writes what `fd` takes of `chunk` now, without waiting for its reader: the octets
 * written, or a negative errno with nothing written (-EAGAIN: the pipe is full;
 * -EOPNOTSUPP: this kernel cannot; -ENOSYS: no addon).
 */
export function writeNowait(fd: number, chunk: Uint8Array): number {
  const addon = nativeAddon<PipeAddon>();
  if (addon?.writeNowait === undefined) return NO_PIPE_SIZE;
  return addon.writeNowait(fd, chunk);
}
