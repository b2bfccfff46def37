// Where code generation from strings is forbidden (CSP without 'unsafe-eval'; here node's
// --disallow-code-generation-from-strings), generated-code backends run on the interpreter with one
// notice through the logger, never an EvalError.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKEND_NAMES } from '../src/runtime/index.ts';

const ROOT = join(import.meta.dirname, '..');
const CHILD = join(ROOT, 'test/fixtures/no-eval-child.ts');

function runChild(backend: string, flags: string[]): { sums: string[]; chosen: string; notices: string[] } {
  const run = spawnSync(process.execPath, [...flags, '--import', 'tsx', CHILD, backend], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout);
}

describe('no eval: generated-code backends fall back to the interpreter', () => {
  for (const backend of BACKEND_NAMES) {
    it(`${backend}: exact result, interpreter used where it generates code, one notice for two modules`, () => {
      const r = runChild(backend, ['--disallow-code-generation-from-strings']);
      expect(r.sums).toEqual(['500500', '500500']);
      expect(r.chosen).toBe('interpreter');
      expect(r.notices.length).toBe(backend === 'interpreter' ? 0 : 1);
      if (backend !== 'interpreter') expect(r.notices[0]).toMatch(new RegExp(`code generation from strings is not allowed.*'${backend}' backend runs on the interpreter`));
    });
  }
  it('the default logger writes the notice to console.warn once', () => {
    const run = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--import', 'tsx', CHILD, 'compiled', 'console'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(0);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^pvm2js: code generation from strings is not allowed/)]);
    expect(JSON.parse(run.stdout).sums).toEqual(['500500', '500500']);
  });
  it('with code generation allowed the backend is kept and nothing is logged', () => {
    const r = runChild('compiled', []);
    expect(r).toEqual({ sums: ['500500', '500500'], chosen: 'compiled', notices: [] });
  });
});
