// Tiered backends with forced tier-up points, registered for the tests that run once per backend:
// 'tiered-eager' generates every region, with every block, the first time a slice ends in it, and
// slices are one instruction (a slice ends at every block edge), so control changes tier at nearly
// every block; 'tiered-one' generates a region once one slice of 16 instructions has been booked to it,
// with the blocks that have run once, and again as others run (exits at blocks left out);
// 'tiered-random' picks its threshold and slice at random per module, so tier changes land at
// arbitrary blocks, mid-host-call, under out-of-gas and budget stops, and regions are generated again
// with copies of their callees (codegen/copies.ts) at once ('tiered-eager') or at a random point.
import { registerBackend, type BackendName } from '../src/runtime/index.ts';
import { clearTieredCache, createTieredBackend } from '../src/tiered/index.ts';

export const TIERED_VARIANTS = ['tiered-eager', 'tiered-one', 'tiered-random'] as unknown as readonly BackendName[];

let seed = Number(process.env.TIERED_SEED ?? Date.now() % 1_000_000);
/** A small deterministic generator, so a failure's seed can be replayed with TIERED_SEED. */
export function nextRandom(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
export const tieredSeed = (): number => seed;
/** Restarts the generator (the fuzzer seeds it from each program, so a report replays). */
export function seedTiered(value: number): void {
  seed = value >>> 0;
}

export function registerTieredVariants(): void {
  registerBackend(createTieredBackend({ name: 'tiered-eager', threshold: 0, minBlockRuns: 0, slice: 1, shortSlice: 1, copiesAfter: 0 }));
  registerBackend(createTieredBackend({ name: 'tiered-one', threshold: 1, minBlockRuns: 1, slice: 16, shortSlice: 16 }));
  registerBackend(
    createTieredBackend({
      name: 'tiered-random',
      // Each module gets its own cache of generated regions only if the cache is cleared; modules of
      // the same program otherwise share what an earlier module generated, which is part of the test.
      threshold: () => (nextRandom() < 0.3 ? 0 : Math.floor(nextRandom() * 200)),
      slice: () => 1 + Math.floor(nextRandom() * 300),
      minBlockRuns: () => Math.floor(nextRandom() * 40),
      // Regions generated again with their callees' copies at a random point of the run.
      copiesAfter: () => (nextRandom() < 0.3 ? 0 : Math.floor(nextRandom() * 2000)),
    }),
  );
}

export { clearTieredCache };
