// Module hooks (Node runs them on their own thread): every module's URL, as it loads,
// appended to $LSOE_MODULE_LOG. Registered by module-log.ts.
import { appendFileSync } from 'node:fs';

type Next = (url: string, context: unknown) => Promise<unknown>;

export async function load(url: string, context: unknown, nextLoad: Next): Promise<unknown> {
  const file = process.env.LSOE_MODULE_LOG;
  if (file !== undefined && url.startsWith('file:')) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
