// The daemon's real clock with timer slack: timers due close together share one wake-up,
// short timers are exact, cleared ones never fire. Real time, with generous bounds: the
// tests check which timers share a turn, never how fast anything is.
import t from 'tap';
import { DAEMON_TIMER_SLACK, realClock } from '../../src/daemon/clock.js';

const GRID = 0.2;

/** Arms timers of `delays` seconds; resolves with, per timer, the turn it fired in (same number = same synchronous run). */
function fireTurns(delays: number[], cleared: number[] = [], slack = { grid: GRID, from: 0.1 }): Promise<(number | null)[]> {
  const clock = realClock(slack);
  const turns: (number | null)[] = delays.map(() => null);
  let turn = 0;
  let inTurn = false;
  return new Promise((resolve) => {
    const handles = delays.map((d, i) =>
      clock.setTimer(d, () => {
        if (!inTurn) {
          inTurn = true;
          turn++;
          queueMicrotask(() => (inTurn = false));
        }
        turns[i] = turn;
      }),
    );
    for (const i of cleared) clock.clearTimer(handles[i]!);
    setTimeout(() => resolve(turns), (Math.max(...delays) + slack.grid) * 1000 + 300);
  });
}

t.test('timers due within one slot fire in one turn; a short one is not delayed to the grid', async (t) => {
  // start just after a slot boundary, so 0.3-0.33 s from now fall in one slot
  await new Promise((r) => setTimeout(r, (GRID - ((Date.now() / 1000) % GRID)) * 1000 + 5));
  const turns = await fireTurns([0.3, 0.31, 0.33, 0.05]);
  t.equal(turns[3], 1, 'the 0.05 s timer (under `from`) fired first, on its own');
  t.ok(turns[0] !== null && turns[0] === turns[1] && turns[1] === turns[2], `the three due together fired in one turn (${turns.join(',')})`);
});

t.test('the daemon’s slack: keepalives re-armed from their due time (a little under 1 s) share a wake-up', async (t) => {
  // just after a slot boundary: 0.8 and 0.9 s from now fall in one slot of the daemon's grid
  const grid = DAEMON_TIMER_SLACK.grid;
  await new Promise((r) => setTimeout(r, (grid - ((Date.now() / 1000) % grid)) * 1000 + 5));
  const turns = await fireTurns([0.8, 0.9], [], DAEMON_TIMER_SLACK);
  t.ok(turns[0] !== null && turns[0] === turns[1], `both fired in one turn (${turns.join(',')})`);
});

t.test('a cleared timer never fires, and the others of its slot still do', async (t) => {
  const turns = await fireTurns([0.3, 0.3, 0.3], [1]);
  t.equal(turns[1], null, 'cleared');
  t.ok(turns[0] !== null && turns[0] === turns[2], 'the rest of the slot fired');
});

t.test('every callback of a slot runs even when one throws', async (t) => {
  const clock = realClock({ grid: GRID, from: 0.1 });
  const ran: number[] = [];
  const errors: unknown[] = [];
  const onError = (err: unknown): void => void errors.push(err);
  process.on('uncaughtException', onError);
  t.teardown(() => process.off('uncaughtException', onError));
  clock.setTimer(0.3, () => ran.push(1));
  clock.setTimer(0.3, () => {
    throw new Error('boom');
  });
  clock.setTimer(0.3, () => ran.push(3));
  await new Promise((r) => setTimeout(r, 900));
  t.same(ran, [1, 3]);
  t.equal(errors.length, 1, 'the error still surfaces');
});

t.test('no timer fires before its delay', async (t) => {
  const clock = realClock({ grid: GRID, from: 0.1 });
  const started = clock.now();
  const at = await new Promise<number>((resolve) => clock.setTimer(0.25, () => resolve(clock.now())));
  t.ok(at - started >= 0.25, `fired ${(at - started).toFixed(3)} s after being armed for 0.25 s`);
});
