// Reading vector files: every JSON file is schema-checked before a loader looks at it, so a changed or
// corrupted vector is reported as such instead of surfacing later as a puzzling runtime diff.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseJson, type JsonValue } from './json.ts';
import { validate, type Schema } from './schema.ts';

export class VectorFormatError extends Error {
  override readonly name = 'VectorFormatError';
  readonly file: string;
  readonly problems: readonly string[];
  constructor(file: string, problems: readonly string[]) {
    super(`${file}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`);
    this.file = file;
    this.problems = problems;
  }
}

/** Parses `text` and checks it against `schema`; throws VectorFormatError naming the file otherwise. */
export function checkedJson(file: string, text: string, schema: Schema): JsonValue {
  let value: JsonValue;
  try {
    value = parseJson(text);
  } catch (error) {
    throw new VectorFormatError(file, [(error as Error).message]);
  }
  const problems = validate(value, schema);
  if (problems.length > 0) throw new VectorFormatError(file, problems);
  return value;
}

export const readCheckedJson = (path: string, schema: Schema): JsonValue => checkedJson(basename(path), readFileSync(path, 'utf8'), schema);

/** The files of `dir` ending in `ext`, sorted by name (the order the reference tools use). */
export function listFiles(dir: string, ext: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => join(dir, f));
}

export const bytesOf = (v: JsonValue): Uint8Array => Uint8Array.from(v as number[]);
