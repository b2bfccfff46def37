// The subset of JSON Schema (2020-12) that the vector schemas use, enough to reject a case with an
// unknown key, a missing field or an out-of-range number before any loader code reads it. jam-v0.4
// ships its own schema.json (read from ../shared at run time); the other formats have theirs in
// schemas.ts, written from their generators' serde structs.
import type { JsonValue } from './json.ts';

export interface Schema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null' | readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Schema;
  readonly propertyNames?: Schema;
  readonly pattern?: string;
  readonly items?: Schema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly enum?: readonly JsonValue[];
  readonly const?: JsonValue;
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  readonly oneOf?: readonly Schema[];
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, Schema>>;
  readonly [other: string]: unknown;
}

function typeOf(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'bigint') return 'integer';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const isObject = (v: JsonValue): v is { [key: string]: JsonValue } => typeof v === 'object' && v !== null && !Array.isArray(v);

const refs = new WeakMap<Schema, Map<string, Schema | undefined>>();

function resolveRef(root: Schema, ref: string): Schema | undefined {
  let byRoot = refs.get(root);
  if (!byRoot) refs.set(root, (byRoot = new Map()));
  if (!byRoot.has(ref)) {
    const m = /^#\/\$defs\/(.+)$/.exec(ref);
    byRoot.set(ref, m ? root.$defs?.[m[1]!] : undefined);
  }
  return byRoot.get(ref);
}

const refOnlyCache = new WeakMap<Schema, boolean>();
const refOnly = (schema: Schema): boolean => {
  let only = refOnlyCache.get(schema);
  if (only === undefined) refOnlyCache.set(schema, (only = Object.keys(schema).length === 1));
  return only;
};

/** Returns every violation as "path: problem" (empty when the value conforms). */
export function validate(value: JsonValue, schema: Schema): string[] {
  const errors: string[] = [];
  check(value, schema, schema, undefined, errors);
  return errors;
}

/** Where a value sits, built into text only when there is an error to report (most values have none). */
interface Path {
  readonly parent: Path | undefined;
  readonly step: string | number;
}

function pathText(p: Path | undefined): string {
  const steps: string[] = [];
  for (let at = p; at; at = at.parent) steps.push(typeof at.step === 'number' ? `[${at.step}]` : at.step);
  return `$${steps.reverse().join('')}`;
}

function check(value: JsonValue, schema: Schema, root: Schema, at: Path | undefined, errors: string[]): void {
  if (schema.type === 'integer' && schema.$ref === undefined && typeof value === 'number' && Number.isInteger(value)) {
    // The hot case (every byte of a program): nothing else to check but the range.
    if ((schema.minimum === undefined || value >= schema.minimum) && (schema.maximum === undefined || value <= schema.maximum)) return;
  }
  if (schema.$ref !== undefined) {
    const target = resolveRef(root, schema.$ref);
    if (!target) {
      errors.push(`${pathText(at)}: unresolvable $ref ${schema.$ref}`);
      return;
    }
    check(value, target, root, at, errors);
    if (refOnly(schema)) return;
  }
  let pathCache: string | undefined;
  const path = { toString: () => (pathCache ??= pathText(at)) };
  if (schema.type !== undefined) {
    const types = typeof schema.type === 'string' ? [schema.type] : schema.type;
    const actual = typeOf(value);
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) {
      errors.push(`${path}: expected ${types.join(' or ')}, found ${actual}`);
      return;
    }
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => e === value)) errors.push(`${path}: ${JSON.stringify(String(value))} is not one of ${schema.enum.join(', ')}`);
  if (schema.const !== undefined && schema.const !== value) errors.push(`${path}: expected ${String(schema.const)}`);
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: ${value} is below the minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: ${value} is above the maximum ${schema.maximum}`);
  }
  if (typeof value === 'string' && schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
    errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${path}: ${value.length} items, at least ${schema.minItems} required`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${path}: ${value.length} items, at most ${schema.maxItems} allowed`);
    if (schema.items) for (let i = 0; i < value.length; i++) check(value[i]!, schema.items, root, { parent: at, step: i }, errors);
  }
  if (isObject(value)) {
    for (const key of schema.required ?? []) if (!(key in value)) errors.push(`${path}: missing required "${key}"`);
    for (const [key, v] of Object.entries(value)) {
      const sub = schema.properties?.[key];
      if (schema.propertyNames) check(key, schema.propertyNames, root, { parent: at, step: ` key "${key}"` }, errors);
      if (sub) check(v, sub, root, { parent: at, step: `.${key}` }, errors);
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected key "${key}"`);
      else if (typeof schema.additionalProperties === 'object') check(v, schema.additionalProperties, root, { parent: at, step: `.${key}` }, errors);
    }
  }
  if (schema.oneOf) {
    let matching = 0;
    for (const alternative of schema.oneOf) {
      const sub: string[] = [];
      check(value, alternative, root, at, sub);
      if (sub.length === 0) matching++;
    }
    if (matching !== 1) errors.push(`${path}: matches ${matching} of the ${schema.oneOf.length} alternatives, exactly one required`);
  }
}
