// The generated interpreter loops are exactly what their generator makes from today's instruction
// table (a stale file would dispatch on old op ids). PVM2JS_UPDATE_GENERATED=1 rewrites the file.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateLoops } from '../src/interpreter/gen/generate.ts';

const FILE = new URL('../src/interpreter/gen/loops.generated.ts', import.meta.url);

describe('generated interpreter loops', () => {
  it('src/interpreter/gen/loops.generated.ts is up to date', () => {
    const text = generateLoops();
    if (process.env.PVM2JS_UPDATE_GENERATED === '1') writeFileSync(FILE, text);
    expect(readFileSync(FILE, 'utf8') === text, 'stale: run PVM2JS_UPDATE_GENERATED=1 npx vitest run test/interpreter-generated.test.ts').toBe(true);
  });
});
