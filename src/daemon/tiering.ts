// When V8 spends its optimising compiler on the daemon's code.
//
// V8 compiles a function with TurboFan once it has run a budget of bytecode (its
// "interrupt budget"), a budget sized for programs that are busy. An idle daemon is not:
// each open session runs its KEEPALIVE path about twice a second, so function after
// function reaches the budget over the first minutes, and each compile (1 to 20 ms on a
// background thread) buys nothing at that rate. Measured on an idle 8-session daemon
// (issue 10): TurboFan jobs were ~20% of its CPU samples over its first two minutes, and
// a budget ten times V8's default cut the daemon's CPU by 15% (perf task-clock, 100 s, two
// runs beside a daemon with the default). Under a flood the same code runs thousands of
// times a second and still reaches ten budgets within a fraction of a second.
//
// The budget is read each time V8 resets a function's counter, so setting it at run time,
// before the daemon's code runs, applies to all of that code.
import v8 from 'node:v8';

/** V8's default interrupt budget (Node 20: 66 KiB of bytecode) times ten. */
const DAEMON_INTERRUPT_BUDGET = 10 * 67_584;

export function optimiseOnlyBusyCode(): void {
  v8.setFlagsFromString(`--interrupt-budget=${DAEMON_INTERRUPT_BUDGET}`);
}
