// Reading a Prometheus scrape in the e2e tests: curl inside a namespace (the daemon's
// listener is there), the text format's sample lines parsed, one sample looked up, and
// `promtool check metrics` on the text.
import type { Netns } from './netns.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a text-format scrape (enough of the format for what prom-client writes). */
export function parseScrape(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The first sample of `name` whose labels include `labels`. */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** curl in `ns`: exit code, HTTP status, body. */
export async function curl(ns: Netns, url: string, ...args: string[]) {
  const r = await ns.exec('curl', ['-sS', '--max-time', '10', '-w', '\n%{http_code}', ...args, url]);
  const cut = r.stdout.lastIndexOf('\n');
  return { code: r.code, status: Number(r.stdout.slice(cut + 1)), body: r.stdout.slice(0, cut), stderr: r.stderr };
}

/** `promtool check metrics` on a scrape (the real tool's lint): null when it passes, else what it said. */
export async function promtoolErrors(ns: Netns, text: string): Promise<string | null> {
  const check = await ns.exec('promtool', ['check', 'metrics'], { input: text });
  return check.code === 0 ? null : `${check.stdout}${check.stderr}`;
}
