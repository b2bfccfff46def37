// `pvm2js run`: argument parsing, exit codes and the JSON report.
import { describe, expect, it, vi } from 'vitest';
import { run, parseU64Arg } from '../src/cli/commands/run.ts';
import { UsageError } from '../src/cli/args.ts';
import { hasBackend } from '../src/runtime/index.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';

async function runCli(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { code: await run(argv), stdout };
  } finally {
    spy.mockRestore();
  }
}

describe('pvm2js run', () => {
  const argCases = [
    { text: '5', value: 5n },
    { text: '0xff', value: 255n },
    { text: '-1', value: (1n << 64n) - 1n },
    { text: '18446744073709551615', value: (1n << 64n) - 1n },
  ];
  it.each(argCases)('argument $text', ({ text, value }) => expect(parseU64Arg(text, 'x')).toBe(value));
  it.each(['18446744073709551616', 'abc', '-0x1', '1.5'])('rejects argument %s', (text) => expect(() => parseU64Arg(text, 'x')).toThrow(UsageError));

  const HELLO = sharedPath('blobs', 'polkavm', 'example-hello-world.polkavm');
  it.runIf(HAVE_SHARED)('hello-world with --ecalli-ret and --gas: finished, JSON keys', async () => {
    const { code, stdout } = await runCli([HELLO, 'add_numbers', '1', '2', '--ecalli-ret', '100', '--gas', '1000', '--json']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ status: 'finished', hostCalls: 1, gas: String(1000 - Number(out.gasUsed)) });
    expect(out.regs).toHaveLength(13);
    expect(out.regs[7]).toBe('103');
    expect(typeof out.pc).toBe('number');
    expect(Object.keys(out.timings)).toEqual(['loadMs', 'execMs']);
  });
  it.runIf(HAVE_SHARED)('a host call without --ecalli-ret stops with status ecalli, exit 1', async () => {
    const { code, stdout } = await runCli([HELLO, 'add_numbers', '1', '2', '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'ecalli', ecalli: 0, gas: null, gasUsed: null });
  });
  it.runIf(HAVE_SHARED)('usage errors', async () => {
    await expect(runCli([HELLO, 'nope'])).rejects.toThrow(UsageError);
    await expect(runCli([HELLO, 'add_numbers', ...Array(10).fill('1')])).rejects.toThrow(/too many arguments/);
    if (!hasBackend('compiled')) await expect(runCli([HELLO, 'add_numbers', '--backend', 'compiled'])).rejects.toThrow(/compiled backend is not built yet/);
  });
});
