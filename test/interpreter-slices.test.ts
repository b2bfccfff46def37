// The interpreter runs a long call in slices of 2^20 instructions (instance.ts `run`), each one call
// of its generated loop: the stop of a budget around and past a slice's end, and of a whole run, is
// the same as on the compiled backend, whose budget logic is its own.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Module, type BackendName } from '../src/runtime/index.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';

const SLICE = 2 ** 20;

describe.skipIf(!HAVE_SHARED)('interpreter: long runs in slices', () => {
  const stop = (backend: BackendName, budget: number, gas: bigint) => {
    const bytes = readFileSync(sharedPath('blobs/polkavm/bench-pinky.polkavm'));
    const instance = Module.fromBytes(bytes, { backend, gasMetering: 'sync' }).instantiate();
    instance.prepareCall('initialize');
    instance.setGas(gas);
    instance.setInstructionBudget(budget);
    const kind = instance.run().kind;
    return { kind, pc: instance.programCounter(), next: instance.nextProgramCounter(), gas: instance.gas(), executed: instance.metrics().instructions, regs: Array.from({ length: 13 }, (_, r) => instance.reg(r)) };
  };

  const cases: [string, number, bigint][] = [
    ['budget one below a slice', SLICE - 1, 10n ** 10n],
    ['budget of one slice', SLICE, 10n ** 10n],
    ['budget one past a slice', SLICE + 1, 10n ** 10n],
    ['budget of three slices and a bit', 3 * SLICE + 7, 10n ** 10n],
    ['out of gas in the fourth slice', Infinity, 3_500_017n],
  ];
  for (const [name, budget, gas] of cases)
    it(`${name}: as on the compiled backend`, () => {
      const interpreter = stop('interpreter', budget, gas);
      expect(interpreter.executed).toBeGreaterThan(SLICE / 2);
      expect(interpreter).toEqual(stop('compiled', budget, gas));
    });
});
