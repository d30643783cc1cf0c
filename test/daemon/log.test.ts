// The daemon's log lines: a Local ID reads in text as in every other text output
// (colon octets), while JSON lines keep PROTOCOL.md's 20 hex digits.
import t from 'tap';
import { createLogger } from '../../src/daemon/log.js';

const ID = '0b0b0b0b0b0b0b0b0b02';

function lines(format: 'text' | 'json'): string[] {
  const out: string[] = [];
  const log = createLogger({ format, debug: new Set(), write: (l) => out.push(l), now: () => 0 });
  log.log('info', 'fsm', 'session up with 02:00:00:00:00:02 on eth0', { event: 'session-up', peerId: ID });
  log.log('info', 'core', 'starting', { localId: ID, other: ID });
  return out;
}

t.test('text lines spell localId and peerId fields as colon octets', async (t) => {
  const [up, start] = lines('text');
  t.match(up, / peerId=0b:0b:0b:0b:0b:0b:0b:0b:0b:02\n$/);
  t.match(start, / localId=0b:0b:0b:0b:0b:0b:0b:0b:0b:02 /);
  t.match(start, new RegExp(` other=${ID}\\n$`), 'other fields are left alone');
});

t.test('JSON lines keep the 20 hex digits', async (t) => {
  const [up] = lines('json');
  t.equal(JSON.parse(up!).peerId, ID);
});
