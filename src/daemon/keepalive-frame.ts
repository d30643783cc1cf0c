// The KEEPALIVE, every second of every open session, in both directions, has no fields:
// its LSOE frame is the same octets every time. It is made once, by the encoder, and a
// received frame that starts with exactly those octets is that PDU: the daemon takes it
// without the stream's frame decoding, checksum, reassembly and PDU walk (issue 10: an
// idle daemon's per-frame work runs unoptimised, so what it skips is what it saves).
// Anything else, a KEEPALIVE with another checksum or version included, goes the long way.
import { splitPdu } from '../proto/fragment.js';
import { encodePdu } from '../proto/pdu/index.js';
import { KEEPALIVE } from '../proto/session/index.js';

/** The KEEPALIVE's frames (the session machine's one frozen KEEPALIVE, encoded once; one frame; links copy it into the Ethernet frame). */
export const KEEPALIVE_FRAMES: readonly Buffer[] = splitPdu(encodePdu(KEEPALIVE));

const octets = [...KEEPALIVE_FRAMES[0]!];

/** True when `payload` (an Ethernet payload, padding after it ignored) is our KEEPALIVE's frame. */
export function isKeepaliveFrame(payload: Uint8Array): boolean {
  if (payload.length < octets.length) return false;
  for (let i = 0; i < octets.length; i++) if (payload[i] !== octets[i]) return false;
  return true;
}
