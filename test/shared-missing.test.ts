// The README promises that a clone without ../shared skips the suites that need it, with a notice:
// every test file that reads shared data must still collect (a vector read at collection time fails
// the whole file; test/shared.ts prints the notice), and under CI=true the missing data must fail loudly instead.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const sharedUsers = readdirSync(join(root, 'test'))
  .filter((f) => f.endsWith('.test.ts') && f !== 'shared-missing.test.ts')
  .filter((f) => /from '\.\/(shared|pvq-fixture|vectors\/[\w-]+)\.ts'/.test(readFileSync(join(root, 'test', f), 'utf8')))
  .map((f) => `test/${f}`);

function listWithout(env: Record<string, string | undefined>) {
  const empty = mkdtempSync(join(tmpdir(), 'pvm2js-noshared-'));
  return spawnSync(process.execPath, [vitest, 'list', ...sharedUsers], {
    cwd: root,
    env: { ...process.env, PVM2JS_SHARED: empty, CI: undefined, ...env },
    encoding: 'utf8',
  });
}

describe('a clone without the shared test data', () => {
  it('finds the files that read shared data', () => {
    expect(sharedUsers.length).toBeGreaterThan(10);
  });

  it('collects every one of them', () => {
    const r = listWithout({});
    expect(r.status, r.stderr + r.stdout).toBe(0);
  });

  it('fails under CI=true', () => {
    const r = listWithout({ CI: 'true' });
    expect(r.status).not.toBe(0);
    expect(r.stderr + r.stdout).toContain('CI must have it');
  });
});
