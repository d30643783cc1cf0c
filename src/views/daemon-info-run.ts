// `lsoe config` and `lsoe version`.
import { errorLine } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { createOutput } from '../render/output.js';
import { withDaemon } from './daemon-client.js';

interface Target {
  socket: string;
  timeoutMs?: number;
  json: boolean;
}

interface EncapEntry {
  address: string;
  prefixLength: number;
  primary?: boolean;
  loopback?: boolean;
  labels?: string[];
}

/** An MPLS entry in the file's syntax (src/daemon/mpls-config.ts); labels as their raw 3 octets. */
function encapEntry(e: EncapEntry): string {
  const labels = (e.labels ?? []).map((l) => `0x${l}`).join(' ');
  return [`${e.address}/${e.prefixLength}`, labels ? `label ${labels}` : '', e.primary ? 'primary' : '', e.loopback ? 'loopback' : '']
    .filter((p) => p !== '')
    .join(' ');
}

function iniValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) {
    const entries = v as unknown[];
    if (entries.every((x) => typeof x === 'object' && x !== null && 'address' in x)) return (entries as EncapEntry[]).map(encapEntry).join(', ');
    return entries.map(iniValue).join(' ');
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** The running configuration as the INI file that would give it. */
export function configToIni(config: Record<string, unknown>): string {
  const lines = ['[lsoed]'];
  for (const [k, v] of Object.entries(config)) {
    // derived, not settable: a comment, so the file can be fed back as it is
    const text = iniValue(v);
    lines.push(k.startsWith('effective-') ? `# ${k} = ${text}` : text === '' ? `# ${k} =` : `${k} = ${text}`);
  }
  return lines.join('\n');
}

export async function runConfig(opts: Target): Promise<number> {
  const config = await withDaemon(opts.socket, (c) => c.request<Record<string, unknown>>('config'), opts.timeoutMs);
  const out = createOutput({ json: opts.json });
  if (out.json) out.record(config);
  else out.line(configToIni(config));
  return 0;
}

export async function runVersion(opts: Target & { client: string }): Promise<number> {
  const out = createOutput({ json: opts.json });
  let daemon: string | null = null;
  let problem: string | null = null;
  try {
    daemon = (await withDaemon(opts.socket, (c) => c.request<{ version: string }>('version'), opts.timeoutMs)).version;
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    problem = err.message;
  }
  if (out.json) out.record({ client: opts.client, daemon });
  else {
    out.line(`client: lsoe ${opts.client}`);
    out.line(`daemon: ${daemon === null ? '-' : `lsoe ${daemon} (${opts.socket})`}`);
  }
  if (problem !== null) out.note(errorLine(problem));
  return problem === null ? 0 : 1;
}
