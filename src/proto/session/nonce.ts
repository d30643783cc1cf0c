// Deterministic nonce generator held inside the session state, so that `step` stays
// pure: the runtime seeds it with random bits, tests with a constant. A nonce only has
// to differ from the previous start's (the peer detects our restart by the change), so
// a 32-bit mixing generator (mulberry32) is enough; it is not a secret.

export interface NonceDraw {
  nonce: string; // 8 lowercase hex digits
  rng: number; // the generator state to keep for the next draw
}

export function nextNonce(rng: number, previous: string | null): NonceDraw {
  let state = rng >>> 0;
  for (;;) {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    z = (z ^ (z >>> 14)) >>> 0;
    const nonce = z.toString(16).padStart(8, '0');
    if (nonce !== previous) return { nonce, rng: state };
  }
}
