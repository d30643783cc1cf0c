// The collector as a background process (`lsoe lab collector --state-dir DIR`,
// started detached by `lab up`): runs until SIGTERM, logging to stdout (the
// lab's collector.log).
import { startCollector } from './collector.js';
import { readPlan } from './state.js';

export class CollectorStartError extends Error {
  override readonly name = 'CollectorStartError';
}

export async function runCollectorProcess(stateDir: string): Promise<void> {
  const plan = readPlan(stateDir);
  if (!plan) throw new CollectorStartError(`no lab plan in ${stateDir}`);
  const log = (line: string): void => void process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const collector = await startCollector(plan, { log });
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      log('stopping');
      void collector.close().then(resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
