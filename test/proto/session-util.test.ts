// Session helpers: timing defaults and guards, the table key, the nonce generator.
import t from 'tap';
import { DEFAULT_TIMING, resolveTiming, sessionKey } from '../../src/proto/session/index.js';
import { nextNonce } from '../../src/proto/session/nonce.js';

t.test('resolveTiming fills defaults and rejects unusable values', async (t) => {
  t.strictSame(resolveTiming(), DEFAULT_TIMING);
  t.strictSame(resolveTiming({ retransmitMaxDrop: 6, keepaliveReceiveTimeout: 0 }),
    { ...DEFAULT_TIMING, retransmitMaxDrop: 6, keepaliveReceiveTimeout: 0 }, '0 = never is kept');
  t.strictSame(
    resolveTiming({ retransmitMaxDrop: 0, retransmitInitialInterval: -1, keepaliveSendInterval: 0, keepaliveReceiveTimeout: NaN }),
    DEFAULT_TIMING, 'values that would stall or spin the machine fall back to the defaults');
  t.equal(resolveTiming({ retransmitMaxDrop: 2.5 }).retransmitMaxDrop, 3, 'a count must be an integer');
});

t.test('sessionKey is per interface and case-insensitive on the MAC', async (t) => {
  t.equal(sessionKey('eth1', 'AA:BB:CC:DD:EE:FF'), sessionKey('eth1', 'aa:bb:cc:dd:ee:ff'));
  t.not(sessionKey('eth1', 'aa:bb:cc:dd:ee:ff'), sessionKey('eth2', 'aa:bb:cc:dd:ee:ff'));
});

t.test('nonces: 8 hex digits, deterministic per state, never the previous one', async (t) => {
  let rng = 1234;
  let previous: string | null = null;
  const seen = new Set<string>();
  const problems: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const d = nextNonce(rng, previous);
    if (!/^[0-9a-f]{8}$/.test(d.nonce)) problems.push(`bad form ${d.nonce}`);
    if (d.nonce === previous) problems.push(`repeated ${d.nonce}`);
    seen.add(d.nonce);
    previous = d.nonce;
    rng = d.rng;
  }
  t.strictSame(problems, [], 'well formed, never the previous one');
  t.ok(seen.size > 990, `spread out (${seen.size} distinct of 1000)`);
  t.strictSame(nextNonce(99, null), nextNonce(99, null), 'same state, same nonce');
  const first = nextNonce(5, null);
  const avoided = nextNonce(5, first.nonce);
  t.not(avoided.nonce, first.nonce, 'draws again when it would repeat the previous nonce');
});
