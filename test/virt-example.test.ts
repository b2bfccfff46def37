// The virt examples are executable documentation: each must run to completion and say what it showed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

const examples: { file: string; mustPrint: RegExp[]; stderr: RegExp }[] = [
  {
    file: 'examples/virt/counter.ts',
    mustPrint: [/: compiled; again: cached/, /counter: finished after 5 syscalls, \d+ gas, counter 8/, /counter 16/, /increment_forever: OutOfGas/, /do_panic: Trap/, /runTests: every case passed/],
    // The crate's one-time notice, through the default logger, and nothing else.
    stderr: /^pvm2js \[virtualization\]: sp-virtualization is UNSTABLE and not meant for production[^\n]*\n$/,
  },
];

describe('virt examples', () => {
  it.each(examples.map((e) => [e.file, e] as const))('%s runs', (_file, e) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, e.file)], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toMatch(e.stderr);
    expect(run.status).toBe(0);
    for (const pattern of e.mustPrint) expect(run.stdout).toMatch(pattern);
  });
});
