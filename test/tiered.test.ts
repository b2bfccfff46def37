// What the tiered backend promises beyond exactness (which the behaviour, conformance and differential
// tests check on it and on its forced-threshold variants): nothing is generated before the first
// instruction, hot regions are generated and entered, generated regions are shared by modules of the
// same code, and generating is not guest time.
import { describe, expect, it, vi } from 'vitest';
import { assemble } from '../src/assembler/assemble.ts';
import { CompiledInstance, LEFT_COMPILED_CODE } from '../src/codegen/index.ts';
import { Module, registerBackend, type BackendName } from '../src/runtime/index.ts';
import { clearTieredCache, createTieredBackend, SHORT_RUN_DISCOUNT, TieredModule } from '../src/tiered/index.ts';

// a0 = n; sums n + (n-1) + ... + 1 into a1, then returns it in a0.
const LOOP = 'pub @main:\n  a1 = 0\n@loop:\n  a1 = a1 + a0\n  a0 = a0 - 1\n  jump @loop if a0 != 0\n  a0 = a1\n  ret';
const tieredModule = (m: Module): TieredModule => {
  const backendModule = (m as unknown as { backendModule: unknown }).backendModule;
  expect(backendModule).toBeInstanceOf(TieredModule);
  return backendModule as TieredModule;
};

registerBackend(createTieredBackend({ name: 'tiered-test', threshold: 1000, slice: 256 }));
const backend = 'tiered-test' as unknown as BackendName;
// The default threshold and discount for short runs.
registerBackend(createTieredBackend({ name: 'tiered-test-default' }));
const defaultBackend = 'tiered-test-default' as unknown as BackendName;
// Short runs count fully, on regions of a few instructions.
registerBackend(createTieredBackend({ name: 'tiered-test-short', threshold: 1000, regionSize: 3 }));
const shortBackend = 'tiered-test-short' as unknown as BackendName;
// Blocks must have run twice on the interpreter to be generated; and every block generated.
registerBackend(createTieredBackend({ name: 'tiered-test-runs', threshold: 1000, slice: 256, minBlockRuns: 2 }));
registerBackend(createTieredBackend({ name: 'tiered-test-all', threshold: 1000, slice: 256, minBlockRuns: 0 }));

// main(a0): sums a0 + (a0-1) + ... + 1, and counts in a2 the values that are multiples of 1024 (a rare
// block inside the loop's region); returns the sum plus the count.
const RARE = `pub @main:
  a1 = 0
  a2 = 0
@loop:
  a1 = a1 + a0
  a3 = a0 & 1023
  jump @rare if a3 == 0
@back:
  a0 = a0 - 1
  jump @loop if a0 != 0
  a0 = a1 + a2
  ret
@rare:
  a2 = a2 + 1
  jump @back`;

// main(a0): the hot loop when a0 != 0; a0 = 0 takes a cold path through a function of its own
// (other regions at regionSize 3), which returns 7.
const BRANCHY = `pub @main:
  jump @cold if a0 == 0
  a1 = 0
@loop:
  a1 = a1 + a0
  a0 = a0 - 1
  jump @loop if a0 != 0
  a0 = a1
  ret
@cold:
  a2 = 3
  a3 = 4
  a0 = a2 + a3
  a0 = a0 + 0
  ret`;

// main(a0): calls `@count` a0 times, which sums the values into a1 and counts in a2 those that are
// multiples of 1,024 (`@hit`, a block that has not run when the loop gets hot). In regions of 6
// instructions `@count` has a region of its own and is copied into the region of `main` that calls it.
const COPIED_RARE = `pub @main:
  a3 = ra
  a1 = 0
  a2 = 0
@loop:
  ra = @back
  jump @count
@back:
  i32 a0 = a0 - 1
  jump @loop if a0 != 0
  i32 a0 = a1 + a2
  ra = a3
  ret
@count:
  i32 a1 = a1 + a0
  a4 = a0 & 1023
  jump @hit if a4 == 0
  ret
@hit:
  i32 a2 = a2 + 1
  ret`;
// Copies from the start, blocks generated once they have run twice, regions of 6 instructions.
registerBackend(createTieredBackend({ name: 'tiered-test-copies', threshold: 1000, slice: 256, minBlockRuns: 2, regionSize: 6, copiesAfter: 0 }));
const copiesBackend = 'tiered-test-copies' as unknown as BackendName;

describe('tiered backend', () => {
  it('is the default backend', () => {
    expect(Module.fromBytes(assemble(LOOP, { isa: 'latest64' })).options.backend).toBe('tiered');
  });

  for (const isa of ['latest32', 'latest64']) {
    it(`${isa}: short runs stay on the interpreter (no analysis, no code); a hot loop is generated and entered`, () => {
      clearTieredCache();
      const m = Module.fromBytes(assemble(LOOP, { isa }), { backend });
      const t = tieredModule(m);
      const i = m.instantiate();
      expect(i.call('main', 10).a0).toBe(55n);
      expect(t.compiled).toBeUndefined();
      expect(t.generatedRegions).toBe(0);
      expect(i.call('main', 100_000).a0).toBe(5_000_050_000n & (isa === 'latest32' ? 0xffffffffn : (1n << 64n) - 1n));
      expect(t.generatedRegions).toBeGreaterThan(0);
      const reference = Module.fromBytes(assemble(LOOP, { isa }), { backend: 'interpreter' }).instantiate();
      reference.call('main', 100_000);
      expect(i.metrics()).toEqual(reference.metrics());
    });
  }

  it(`runs that end before their slice count ${SHORT_RUN_DISCOUNT} times less; a loop that fills slices counts fully`, () => {
    clearTieredCache();
    const m = Module.fromBytes(assemble(LOOP, { isa: 'latest64' }), { backend: defaultBackend });
    const t = tieredModule(m);
    const i = m.instantiate();
    // 2,000 runs of ~300 instructions: 600,000 instructions, 30x the threshold, but short.
    for (let k = 0; k < 2000; k++) expect(i.call('main', 100).a0).toBe(5050n);
    expect(t.generatedRegions).toBe(0);
    expect(t.compiled).toBeUndefined();
    i.call('main', 100_000);
    expect(t.generatedRegions).toBeGreaterThan(0);
  });

  it('a small program that short runs made hot has each region generated when a run first reaches it, and runs as on the interpreter', () => {
    clearTieredCache();
    const bytes = assemble(BRANCHY, { isa: 'latest64' });
    const m = Module.fromBytes(bytes, { backend: shortBackend });
    const t = tieredModule(m);
    const reference = Module.fromBytes(bytes, { backend: 'interpreter' }).instantiate();
    const i = m.instantiate();
    for (let k = 0; k < 100; k++) expect(i.call('main', 10).a0).toBe(reference.call('main', 10).a0);
    const hot = t.generatedRegions;
    expect(hot).toBeGreaterThan(0);
    // The cold path was never run: its regions are not generated until a run reaches them, at once.
    expect(i.call('main', 0).a0).toBe(7n);
    reference.call('main', 0);
    expect(t.generatedRegions).toBeGreaterThan(hot);
    expect(i.metrics()).toEqual(reference.metrics());
  });

  it('a small program that a loop made hot is generated whole', () => {
    clearTieredCache();
    const m = Module.fromBytes(assemble(BRANCHY, { isa: 'latest64' }), { backend: shortBackend });
    m.instantiate().call('main', 100_000);
    const t = tieredModule(m);
    expect(t.generatedRegions).toBe(t.compiled!.program.regionMembers.length);
  });

  it('a block that had run fewer than minBlockRuns times is left out of the code, runs on the interpreter, and is in the region once it has run enough', () => {
    const bytes = assemble(RARE, { isa: 'latest64' });
    const reference = Module.fromBytes(bytes, { backend: 'interpreter' }).instantiate();
    const generations: Record<string, number[]> = {};
    for (const name of ['tiered-test-runs', 'tiered-test-all']) {
      clearTieredCache();
      const m = Module.fromBytes(bytes, { backend: name as unknown as BackendName });
      const t = tieredModule(m);
      const i = m.instantiate();
      generations[name] = [];
      // The first call makes the loop hot before the rare block has run (it runs every 1,024 values).
      for (const n of [1000, 200_000, 200_000, 200_000]) {
        expect(i.call('main', n).a0).toBe(reference.call('main', n).a0);
        expect(i.metrics()).toEqual(reference.metrics());
        generations[name]!.push(t.generatedRegions);
      }
    }
    const [allFirst, ...allLater] = generations['tiered-test-all']!;
    // With every block generated, the loop's region is generated once.
    expect(allLater.every((g) => g === allFirst)).toBe(true);
    // Without the rare block, its exits make the region be generated again, and then no more.
    const runs = generations['tiered-test-runs']!;
    expect(runs[0]).toBeGreaterThan(0);
    expect(runs[1]).toBeGreaterThan(runs[0]!);
    expect(runs[3]).toBe(runs[1]);
  });

  it('a block left out of a copy (callee code inside its caller\'s region) has the region generated again once it has run enough', () => {
    clearTieredCache();
    const bytes = assemble(COPIED_RARE, { isa: 'latest32' });
    const reference = Module.fromBytes(bytes, { backend: 'interpreter' }).instantiate();
    const m = Module.fromBytes(bytes, { backend: copiesBackend });
    const i = m.instantiate();
    const t = tieredModule(m);
    // Times compiled code left for the interpreter (at a block its region's code left out: every region
    // is generated in the first call).
    let leftOut = 0;
    const run = CompiledInstance.prototype.run;
    const spy = vi.spyOn(CompiledInstance.prototype, 'run').mockImplementation(function (this: CompiledInstance) {
      const interrupt = run.call(this);
      if (interrupt === LEFT_COMPILED_CODE) leftOut++;
      return interrupt;
    });
    try {
      const exits: number[] = [];
      // The first call makes the loop hot before `@hit` has run (it runs every 1,024 values).
      for (const n of [1000, 200_000, 200_000, 200_000]) {
        leftOut = 0;
        expect(i.call('main', n).a0).toBe(reference.call('main', n).a0);
        expect(i.metrics()).toEqual(reference.metrics());
        exits.push(leftOut);
      }
      const p = t.compiled!.program;
      const caller = p.regionOf[p.code.indexOfPc[0]!]!;
      // The caller's region holds a copy of the callee, which lives in a region of its own.
      expect(p.copies?.of(caller)?.members.length ?? 0).toBeGreaterThan(0);
      // The copy left `@hit` out, and its exits (each then runs on the interpreter) stop once the
      // caller's region is generated again with it; what is left is the block after the loop, which
      // runs once a call (too rarely to be generated again for).
      expect(exits[1]).toBeGreaterThan(10);
      expect(exits[3]).toBeLessThanOrEqual(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('modules of the same code share what was generated', () => {
    clearTieredCache();
    const bytes = assemble(LOOP, { isa: 'latest64' });
    const first = Module.fromBytes(bytes, { backend });
    first.instantiate().call('main', 100_000);
    const generated = tieredModule(first).generatedRegions;
    expect(generated).toBeGreaterThan(0);
    const second = Module.fromBytes(bytes, { backend });
    second.instantiate().call('main', 100_000);
    expect(tieredModule(second).generatedRegions).toBe(generated);
  });

  it('generating code moves the deadline on by the time it took (a host cost, not guest time)', () => {
    clearTieredCache();
    const m = Module.fromBytes(assemble(LOOP, { isa: 'latest64' }), { backend });
    const i = m.instantiate();
    i.prepareCall('main', [100_000]);
    i.setDeadline(60_000);
    const set = i.state.deadline;
    expect(i.run().kind).toBe('finished');
    expect(tieredModule(m).generatedRegions).toBeGreaterThan(0);
    expect(i.state.deadline).toBeGreaterThan(set);
  });

  it('an instruction budget stops at the same instruction count whatever the tier', () => {
    for (const budget of [1, 2, 3, 4, 5, 299, 300, 301, 3001, 299_999]) {
      clearTieredCache();
      const counts: number[] = [];
      for (const b of ['interpreter', backend] as BackendName[]) {
        const i = Module.fromBytes(assemble(LOOP, { isa: 'latest64' }), { backend: b }).instantiate();
        i.prepareCall('main', [100_000]);
        i.setInstructionBudget(budget);
        expect(i.run()).toEqual({ kind: 'budget', reason: 'instructions' });
        counts.push(i.metrics().instructions, Number(i.reg(7)), i.programCounter() ?? -1);
      }
      expect(counts.slice(3), `budget ${budget}`).toEqual(counts.slice(0, 3));
    }
  });
});
