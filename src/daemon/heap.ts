// The daemon's JS heap, sized for a process that runs for months on a switch.
//
// V8 starts the young generation (where short-lived objects are born) at 1 MiB per
// semi-space and doubles it whenever a burst keeps many objects alive across a collection,
// up to 16 MiB each, and never gives it back. A daemon's bursts are link flaps, session
// restarts and floods from neighbours: measured over 20 flaps of a port (issue 9's note), the
// heap held 8.5 MB of live objects while its committed pages grew by 9 MB and kept growing,
// flap after flap, towards V8's 32 MiB maximum. That looks like a leak to anyone watching
// RSS and buys nothing here: LSOE's steady traffic is a few frames a second.
//
// Holding the growth factor at 1 keeps the young generation at its initial size. The flag
// is read each time V8 considers growing, so it takes effect when set at run time (the
// maximum size is not: it is fixed when the heap is created). The price is more frequent,
// equally cheap scavenges under a burst (the hostile bench reports the CPU).
import v8 from 'node:v8';

export function holdYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
