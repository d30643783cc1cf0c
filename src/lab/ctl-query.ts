// One question to a daemon's control socket (line-delimited JSON, see
// src/ctl/protocol.ts): connect, send one request, read the answer, hang up.
// The lab asks a dozen daemons every second, so this never throws: an absent
// or silent daemon is an answer too.
import net from 'node:net';
import { encodeLine } from '../ctl/protocol.js';

export type CtlAnswer = { ok: true; result: unknown } | { ok: false; error: string };

export function ctlQuery(socketPath: string, method: string, timeoutMs = 1000): Promise<CtlAnswer> {
  return new Promise((resolve) => {
    let buffer = '';
    let done = false;
    const sock = net.createConnection(socketPath);
    const finish = (answer: CtlAnswer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ ok: false, error: 'no answer' }), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(encodeLine({ id: 1, method, params: {} })));
    sock.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let msg: { id?: unknown; result?: unknown; error?: { message?: string } };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          finish({ ok: false, error: 'bad answer' });
          return;
        }
        if (msg.id !== 1) continue; // an event line, not our answer
        if (msg.error) finish({ ok: false, error: msg.error.message ?? 'error' });
        else finish({ ok: true, result: msg.result });
      }
    });
    sock.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, error: err.code ?? err.message }));
    sock.on('close', () => finish({ ok: false, error: 'closed' }));
  });
}
