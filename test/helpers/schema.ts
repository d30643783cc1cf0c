// The one place tests check JSON against docs/schema (draft 2020-12) with ajv:
// every record a command prints with --json, and every control-socket line.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { repoRoot } from './vectors.js';

export const SCHEMA_DIR = path.join(repoRoot(), 'docs', 'schema');
const BASE = 'https://lsoe.invalid/schema/';

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function load(): Ajv2020 {
  if (ajv) return ajv;
  // strict: an unknown keyword or a loose type in a schema is an error, not a no-op
  ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'))) {
    ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMA_DIR, file), 'utf8')) as object);
  }
  return ajv;
}

/** A schema by file name, optionally a definition in it: 'event', 'sessions#session'. */
function validator(kind: string): ValidateFunction {
  let v = compiled.get(kind);
  if (v === undefined) {
    const [file, def] = kind.split('#');
    const id = `${BASE}${file}.schema.json${def ? `#/$defs/${def}` : ''}`;
    v = load().getSchema(id);
    if (v === undefined) throw new Error(`no schema ${id} in ${SCHEMA_DIR}`);
    compiled.set(kind, v);
  }
  return v;
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 6)
    .map((e) => `${e.instancePath || '(record)'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`)
    .join('; ');
}

/** The kinds 'record' (any command's record) is made of, for saying which one a bad record is nearest. */
const RECORD_KINDS = [
  'decode#pduRecord', 'decode#errorRecord', 'decode#summaryRecord', 'hello', 'sessions#session', 'sessions#summary',
  'encaps#learned', 'encaps#local', 'event#sessionUp', 'event#sessionDown', 'event#encapsChanged', 'event#eventsDropped',
  'lab#up', 'lab#status', 'lab#down', 'neighbors#interface', 'counters#reading', 'config#config', 'version#version',
  'clear#cleared', 'bgp#peerLine', 'interfaces',
];

/** Why `value` is not a `kind` record, or null when it is. */
export function schemaErrors(kind: string, value: unknown): string | null {
  const v = validator(kind);
  if (v(value)) return null;
  if (kind !== 'record') return describe(v.errors);
  // "matches none of 21 shapes" helps nobody: name the nearest one and what it misses
  let best: { kind: string; errors: ErrorObject[] } | undefined;
  for (const k of RECORD_KINDS) {
    const one = validator(k);
    if (!one(value) && (best === undefined || (one.errors ?? []).length < best.errors.length)) best = { kind: k, errors: one.errors ?? [] };
  }
  return best === undefined ? describe(v.errors) : `nearest is ${best.kind}: ${describe(best.errors)}`;
}

/** Throws, naming the record and what is wrong, unless `value` is a valid `kind` record. */
export function assertSchema(kind: string, value: unknown): void {
  const why = schemaErrors(kind, value);
  if (why !== null) throw new Error(`not a valid ${kind} record: ${why}\n  ${JSON.stringify(value).slice(0, 400)}`);
}
