// polkavm's full cost model (L2 hit) against every block cost the jam-gas-model vectors list:
// the 356 small programs and the doom, pinky and prime-sieve integration programs (Latest64 numbers).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJamProgram } from '../src/decoder/blob.ts';
import { decodeProgram, type DecodedCode } from '../src/decoder/code.ts';
import { Isa } from '../src/decoder/isa.ts';
import { fullCostModel } from '../src/gas/full.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';
import { loadJamGasModel } from './vectors/jam-gas-model.ts';

/** Every listed block whose computed cost differs, as "pc: got != expected" (or "not a block start"). */
function mismatches(code: DecodedCode, table: ReadonlyMap<number, number>): string[] {
  const costs = fullCostModel('l2').blockCosts(code);
  const out: string[] = [];
  for (const [pc, expected] of table) {
    const index = pc < code.indexOfPc.length ? code.indexOfPc[pc]! : -1;
    if (index < 0 || !code.blockStart[index]) out.push(`${pc}: not a block start`);
    else if (costs[index] !== expected) out.push(`${pc}: ${costs[index]} != ${expected}`);
  }
  return out;
}

describe.skipIf(!HAVE_SHARED)('full-l2 block costs: jam-gas-model programs', () => {
  const cases = HAVE_SHARED ? loadJamGasModel() : [];

  it('has all 356 cases', () => {
    expect(cases.length).toBe(356);
  });

  for (const c of cases) {
    it(c.name, () => {
      if (c.program.kind !== 'jam-program' || c.costModel.kind !== 'table') throw new Error(`${c.file}: unexpected case shape`);
      const code = decodeProgram(parseJamProgram(c.program.bytes, Isa.Latest64));
      expect(c.costModel.table.size).toBeGreaterThan(0);
      expect(mismatches(code, c.costModel.table)).toEqual([]);
    });
  }
});

describe.skipIf(!HAVE_SHARED)('full-l2 block costs: jam-gas-model integration programs', () => {
  for (const name of ['doom', 'pinky', 'prime-sieve']) {
    it(`${name}: every block`, () => {
      const v = JSON.parse(readFileSync(sharedPath('vectors', 'jam-gas-model', 'integration', `${name}.json`), 'utf8')) as {
        program: number[];
        'block-gas-costs': Record<string, number>;
      };
      const table = new Map(Object.entries(v['block-gas-costs']).map(([pc, cost]) => [Number(pc), cost]));
      const code = decodeProgram(parseJamProgram(Uint8Array.from(v.program), Isa.Latest64));
      // The table lists every block of the program, so nothing goes unchecked.
      expect(table.size).toBe(code.blockCount);
      expect(mismatches(code, table)).toEqual([]);
    });
  }
});
