// The CI differential suite, shared by the test files that split the fixed seed's programs between
// them (vitest runs files in parallel, one per core).
import { describe, expect, it } from 'vitest';
import { ISA_NAMES } from '../../src/decoder/isa.ts';
import type { BackendName } from '../../src/runtime/index.ts';
import { Coverage, generateCase } from './generator.ts';
import { describeDivergence, runDifferential } from './runner.ts';
import { defaultSides, runtimeSide } from './sides.ts';

export const CI_SEED = 0x5eed;

export function differentialSuite(first: number, count: number): void {
  describe('differential fuzzing', () => {
    const { a, b, selfCheck, every10th } = defaultSides();
    // The tiered backend with forced tier-up points, on every other program (taking the
    // variants in turn), so that the suite's cost grows by half, not by two.
    const tiered = (['tiered-eager', 'tiered-one', 'tiered-random'] as const).map((name) => runtimeSide(name as unknown as BackendName));
    // Every fourth program also on tiny regions (sides.ts).
    const copies = runtimeSide('compiled-copies' as BackendName);
    if (selfCheck)
      console.warn(`NOTICE: the compiled backend is not registered; differential fuzzing compares ${a.name} against ${b.name} until it is`);

    it(`programs ${first}..${first + count - 1} of seed ${CI_SEED}: ${a.name} and ${b.name} (and every other program ${tiered.map((t) => t.name).join(' / ')}, every fourth ${copies.name}) agree at every stop`, () => {
      const coverage = new Coverage();
      const stopKinds = new Set<string>();
      const failures: string[] = [];
      let unsupported = 0;
      for (let index = first; index < first + count && failures.length < 3; index++) {
        const c = generateCase(CI_SEED, index);
        coverage.add(c);
        const result = runDifferential(c, a, b);
        if (result.outcome === 'unsupported') unsupported++;
        for (const stop of result.stops) stopKinds.add(stop.replace(/\(.*$/, ''));
        if (result.divergence) failures.push(describeDivergence(c, result, a, b));
        if (index % 2 === 1) {
          const side = tiered[(index >> 1) % tiered.length]!;
          const third = runDifferential(c, a, side);
          if (third.divergence) failures.push(describeDivergence(c, third, a, side));
        }
        if (index % 4 === 2) {
          const third = runDifferential(c, a, copies);
          if (third.divergence) failures.push(describeDivergence(c, third, a, copies));
        }
        if (every10th && index % 10 === 0) {
          const second = runDifferential(c, every10th.a, every10th.b);
          if (second.divergence) failures.push(describeDivergence(c, second, every10th.a, every10th.b));
        }
      }
      if (unsupported > 0) console.warn(`NOTICE: ${b.name} is not built for ${unsupported} of ${count} programs yet (it says so); those were not compared`);
      expect(failures, failures.join('\n\n')).toEqual([]);
      // The run must have exercised every instruction and every kind of stop, or a green result means little.
      for (const [isa, name] of ISA_NAMES.entries()) expect(coverage.missing(isa as 0 | 1 | 2 | 3), `${name}: never emitted`).toEqual([]);
      expect([...stopKinds].sort()).toEqual(['budget', 'ecalli', 'finished', 'not-enough-gas', 'segfault', 'trap']);
    });
  });
}
