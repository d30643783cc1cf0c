// decode's output pipe, through our addon. Linux pipes hold 64 KiB by default:
// each 256 KiB batch then waits for the reader to wake up and read about four
// times. With 1 MiB (the default /proc/sys/fs/pipe-max-size, fcntl F_SETPIPE_SZ)
// a batch goes in while the reader works on the one before. pipeRoom() asks how
// much the pipe takes now without waiting (F_GETPIPE_SZ less FIONREAD), so that
// fd-transport.ts writes a batch at once when it cannot block. The addon is
// loaded at the first batch of a quarter of 256 KiB or more, so short runs never
// pay for it. Silent when it cannot be done (no addon, not a pipe, EPERM above
// pipe-max-size or the user's pipe quota): the pipe stays as it is, and a room
// nobody knows sends every batch the background way.
import { nativeAddon } from '../io/native-addon.js';

/** No addon, or one built before pipeSize: nothing changed (-ENOSYS). */
const NO_PIPE_SIZE = -38;

/** What decode asks for. */
export const PIPE_SIZE = 1024 * 1024;

interface PipeAddon {
  pipeSize?(fd: number, size: number): number;
  pipeRoom?(fd: number): number;
}

/** Asks for a pipe of `size` octets on `fd`; returns its size afterwards, or a negative errno (nothing changed). */
export function widenPipe(fd: number, size = PIPE_SIZE): number {
  const addon = nativeAddon<PipeAddon>();
  if (addon?.pipeSize === undefined) return NO_PIPE_SIZE;
  return addon.pipeSize(fd, size);
}

/**
 * Octets the pipe `fd` takes now without waiting for its reader (its size less what is
 * queued in it), or a negative errno (not a pipe, no addon): then nobody knows.
 */
export function pipeRoom(fd: number): number {
  const addon = nativeAddon<PipeAddon>();
  if (addon?.pipeRoom === undefined) return NO_PIPE_SIZE;
  return addon.pipeRoom(fd);
}
