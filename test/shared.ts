// Where the read-only conformance data lives: ../shared beside the repo (as CI has it), or
// $PVM2JS_SHARED. Suites that need it fail loudly under CI and are skipped with a notice elsewhere.
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = process.env.PVM2JS_SHARED ?? join(repoRoot, '..', 'shared');
export const HAVE_SHARED = existsSync(join(SHARED, 'vectors')) && existsSync(join(SHARED, 'blobs'));

if (!HAVE_SHARED) {
  const message = `shared test data not found at ${SHARED} (set PVM2JS_SHARED)`;
  if (process.env.CI) throw new Error(`${message}; CI must have it`);
  console.warn(`NOTICE: ${message}; suites that need it are skipped`);
}

export const sharedPath = (...parts: string[]): string => join(SHARED, ...parts);

/** A describe block that needs the shared data: without it, its body is not even collected (reading a
 * vector at collection time would fail), and one skipped test says why. */
export function describeShared(name: string, body: () => void): void {
  if (HAVE_SHARED) describe(name, body);
  else describe.skip(name, () => it.skip(`needs the shared test data at ${SHARED}`, () => {}));
}
