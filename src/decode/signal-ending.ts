// How `lsoe decode` ends on SIGINT or SIGTERM: what was decoded goes out whole first.
import { errorLine, systemErrorText } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import type { Output } from '../render/output.js';
import type { Decoder } from './decoder.js';

/**
 * SIGINT and SIGTERM during decode: reading stops and what was decoded goes out
 * whole, with the summary of it (as tcpdump prints its counts on ^C); then the
 * process ends with 130 or 143. The handlers stay until the output is out.
 */
export class SignalEnding {
  signalled = false;
  status = 0;
  /** the summary is printed and the output is being ended by runDecode */
  private ended = false;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.signalled) return;
    this.signalled = true;
    this.status = signal === 'SIGINT' ? 130 : 143;
    if (this.ended) return;
    // Read no further (the loop may be waiting for input that never comes, stdin left
    // open, or for the reader): this handler ends the process itself.
    this.decoder.done = true;
    if (this.summary) this.decoder.printer.tally.render(this.out);
    this.out.end().then(
      () => process.exit(this.status),
      (err: unknown) => {
        // the output failed on its way out: one line, as any other write error
        process.stderr.write(`${errorLine(err instanceof CliError ? err.message : `stdout: ${systemErrorText(err)}`)}\n`);
        process.exit(1);
      },
    );
  };

  constructor(
    private readonly decoder: Decoder,
    private readonly out: Output,
    private readonly summary: boolean,
  ) {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** runDecode prints the summary and ends the output itself from now on. */
  closing(): void {
    this.ended = true;
  }

  stop(): void {
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
  }
}
