import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasBackend } from '../src/runtime/backends.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';
import { runMain, type CliResult } from './cli-capture.ts';

const runCli = (argv: string[]): Promise<CliResult> => runMain(argv);

const dir = mkdtempSync(join(tmpdir(), 'pvm2js-cost-table-'));
const table = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe.skipIf(!HAVE_SHARED)('pvm2js run --cost-table', () => {
  const hello = () => sharedPath('blobs/polkavm/example-hello-world.polkavm');
  // add_numbers runs 10 instructions, two of them add_32, one ecalli: 10 - 2 - 1 + 2*5 + 0 = 17.
  const cases = [
    { table: '{}', gasUsed: '10' },
    { table: '{"add_32": 5, "ecalli": 0}', gasUsed: '17' },
    { table: '{"invalid": 100}', gasUsed: '10' },
  ];
  for (const backend of ['interpreter', 'compiled'] as const) {
    it.skipIf(!hasBackend(backend)).each(cases)(`${backend}: $table uses $gasUsed gas`, async ({ table: content, gasUsed }) => {
      const path = table(`t${content.length}.json`, content);
      const r = await runCli(['run', hello(), 'add_numbers', '1', '2', '--ecalli-ret', '100', '--gas', '1000', '--cost-table', path, '--json', '--backend', backend]);
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout);
      expect(json.regs[7]).toBe('103');
      expect(json.gasUsed).toBe(gasUsed);
    });
  }

  it.each([
    ['{"bogus": 1}', /unknown instruction 'bogus'/],
    ['{"add_32": -1}', /the cost of add_32 must be an integer/],
    ['[1]', /expected an object/],
    ['not json', /not JSON/],
  ])('rejects %s with exit 2', async (content, message) => {
    const path = table(`bad${content.length}.json`, content);
    const r = await runCli(['run', hello(), 'add_numbers', '--gas', '10', '--cost-table', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('rejects --cost-model together with --cost-table', async () => {
    const r = await runCli(['run', hello(), 'add_numbers', '--gas', '10', '--cost-model', 'naive', '--cost-table', table('ok.json', '{}')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/either --cost-model or --cost-table/);
  });
});
