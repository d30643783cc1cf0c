// The test side of link-probe.ts: a probe process inside a namespace, its JSON
// events, and commands written to it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnNode, type ManagedProcess, type Netns, type TeardownHost } from './netns.js';

export const helpers = path.dirname(fileURLToPath(import.meta.url));

export interface ProbeEvent {
  event: string;
  [k: string]: any;
}

export class Probe {
  constructor(readonly proc: ManagedProcess) {}
  events(): ProbeEvent[] {
    return this.proc.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as ProbeEvent);
  }
  frames(): ProbeEvent[] {
    return this.events().filter((e) => e.event === 'frame');
  }
  async until(pred: (e: ProbeEvent) => boolean): Promise<ProbeEvent> {
    await this.proc.waitFor(() => this.events().some(pred));
    return this.events().find(pred)!;
  }
  send(dst: string, payloadHex: string): void {
    this.proc.write(JSON.stringify({ send: { dst, payload: payloadHex } }) + '\n');
  }
  command(cmd: object): void {
    this.proc.write(JSON.stringify(cmd) + '\n');
  }
}

export async function startProbe(t: TeardownHost, ns: Netns, options: object): Promise<Probe> {
  const p = new Probe(spawnNode(t, ns, path.join(helpers, 'link-probe.js'), [JSON.stringify(options)]));
  await p.until((e) => e.event === 'ready' || e.event === 'open-failed');
  return p;
}

