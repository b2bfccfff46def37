import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';

async function runCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('pvm2js demo (npm start)', () => {
  const cases = [
    { limit: 1000, primes: 168 },
    { limit: 30_000, primes: 3245 },
  ];
  for (const backend of ['interpreter', 'compiled'] as const) {
    it.each(cases)(`counts the primes below $limit on the ${backend} backend`, async ({ limit, primes }) => {
      const { hasBackend } = await import('../src/runtime/backends.ts');
      if (!hasBackend(backend)) return;
      const r = await runCli(['demo', '--limit', String(limit), '--backend', backend]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`count_primes(${limit}) = ${primes}  (plain JavaScript says ${primes}: same)`);
      expect(r.stdout).toMatch(/\d+ guest instructions .* M instructions\/s/);
    });
  }

  it.each([['--limit', '1'], ['--limit', 'x'], ['--limit', '9000000'], ['--backend', 'nope'], ['--bogus']])('rejects %s %s with exit 2', async (...argv) => {
    const r = await runCli(['demo', ...argv.filter((a) => a !== undefined)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pvm2js demo: /);
  });
});
