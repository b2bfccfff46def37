// The seed's examples as runnable files: each runs in its own process and checks itself.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const run = (file: string, ...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, file), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('PVQ examples', () => {
  it('examples/pvq/memory-profile.ts: memory usage per query, debug lines, the maxMemory limit', () => {
    const r = run('examples/pvq/memory-profile.ts');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/2048 KiB -> heap 2097152 bytes, memory \d+ bytes/);
    expect(r.stdout).toMatch(/Memory usage: \d+ bytes \(heap 2097152, stack 8192\)/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('ok');
    expect(r.status).toBe(0);
  });

  it('examples/pvq/timing-analysis.ts: first query vs steady state per backend, a timeout', () => {
    const r = run('examples/pvq/timing-analysis.ts', '200');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/interpreter +first query [\d.]+ ms \(3008 instructions, module cached: false\)/);
    expect(r.stdout).toMatch(/Timeout after \d+ ms/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('ok');
    expect(r.status).toBe(0);
  });
});
