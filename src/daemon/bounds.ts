// What a peer or an attacker can make the daemon hold is bounded: sessions in total
// and per interface, and new sessions per second per interface (a token bucket, so a
// burst up to one second's worth passes). Whatever exceeds is refused and counted by
// the caller; nothing here allocates per refused sender.

export class TokenBucket {
  private tokens: number;
  private last: number | null = null;

  constructor(
    private rate: number,
    private burst = rate,
  ) {
    this.tokens = burst;
  }

  setRate(rate: number, burst = rate): void {
    this.rate = rate;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  /** Takes one token at time `now` (seconds); false when none is left. */
  take(now: number): boolean {
    if (this.last !== null && now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.rate);
    }
    if (this.last === null || now > this.last) this.last = now;
    if (this.tokens < 1 - 1e-9) return false; // rounding of fractional refills
    this.tokens -= 1;
    return true;
  }
}

export interface SessionLimits {
  maxSessions: number;
  maxSessionsPerInterface: number;
}

export type Refusal = 'max-sessions' | 'max-sessions-per-interface' | 'new-session-rate';

/** Which size bound one more session would exceed (the interface's share first: a victim there frees both). */
export function sizeRefusal(limits: SessionLimits, total: number, onInterface: number): 'max-sessions' | 'max-sessions-per-interface' | null {
  if (onInterface >= limits.maxSessionsPerInterface) return 'max-sessions-per-interface';
  if (total >= limits.maxSessions) return 'max-sessions';
  return null;
}

/** Says whether one more session may be created; the rate is checked last so a refusal for size costs no token. */
export function admitSession(
  limits: SessionLimits,
  total: number,
  onInterface: number,
  bucket: TokenBucket,
  now: number,
): Refusal | null {
  const full = sizeRefusal(limits, total, onInterface);
  if (full !== null) return full;
  if (!bucket.take(now)) return 'new-session-rate';
  return null;
}
