// A bare socket speaking lines, for sending what a well-behaved client never would.
import { assertSchema } from '../helpers/schema.js';
import net from 'node:net';

export class RawLineClient {
  private buf = '';
  private lines: string[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      let nl;
      while ((nl = this.buf.indexOf('\n')) !== -1) {
        this.lines.push(this.buf.slice(0, nl));
        this.buf = this.buf.slice(nl + 1);
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(file: string): Promise<RawLineClient> {
    return new Promise((resolve, reject) => {
      const s = net.createConnection(file);
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new RawLineClient(s));
      });
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** The next line as parsed JSON, checked against docs/schema/control.schema.json; rejects if the connection closes first. */
  async next(): Promise<Record<string, unknown>> {
    while (this.lines.length === 0) {
      if (this.closed) throw new Error('connection closed');
      await new Promise<void>((r) => this.waiters.push(r));
    }
    const value = JSON.parse(this.lines.shift()!) as Record<string, unknown>;
    assertSchema('control', value);
    return value;
  }

  async request(method: string, id: number | string = 1, params?: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.send(JSON.stringify(params === undefined ? { id, method } : { id, method, params }) + '\n');
    return this.next();
  }

  /** Sends a request and returns every line up to its answer (the events before it, then the answer). */
  async linesUntil(method: string, id: number | string): Promise<Record<string, unknown>[]> {
    this.send(JSON.stringify({ id, method }) + '\n');
    const out: Record<string, unknown>[] = [];
    for (;;) {
      const line = await this.next();
      out.push(line);
      if (line.id === id) return out;
    }
  }

  waitClosed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      this.waiters.push(() => (this.closed ? resolve() : void this.waitClosed().then(resolve)));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
