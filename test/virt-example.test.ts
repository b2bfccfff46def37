// The virt examples are executable documentation: each must run to completion and say what it showed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

const examples: { file: string; mustPrint: RegExp[] }[] = [
  {
    file: 'examples/virt/counter.ts',
    mustPrint: [/^warn \[virtualization\] sp-virtualization is UNSTABLE/m, /: compiled; again: cached/, /counter: finished after 5 syscalls, \d+ gas, counter 8/, /counter 16/, /increment_forever: OutOfGas/, /do_panic: Trap/, /live instances after the body: 0/],
  },
];

describe('virt examples', () => {
  it.each(examples.map((e) => [e.file, e] as const))('%s runs', (_file, e) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, e.file)], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const pattern of e.mustPrint) expect(run.stdout).toMatch(pattern);
  });
});
