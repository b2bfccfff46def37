// Copies of callees inside their callers' regions (src/codegen/copies.ts): the plan makes them where
// it should, and code that runs in a copy stops, resumes and ends exactly as on the interpreter: at
// every instruction budget and gas stop, at a host call inside a copy, and on real programs cut into
// small regions so that most of their calls go to copies.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/assemble.ts';
import { analyse, compileToJs, createCompiledBackend } from '../src/codegen/index.ts';
import { interpreterBackend } from '../src/interpreter/index.ts';
import { createTieredBackend } from '../src/tiered/index.ts';
import { Module, registerBackend, type BackendName, type Instance } from '../src/runtime/index.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';

// Regions of 6 instructions: `main` (11) is cut in two, `inc` (5) and `twice` (6) live in regions of
// their own and are copied into the region of `main` that calls them.
const COPIES = { regionSize: 6, copyRegionSize: 64 } as const;
registerBackend({ ...createCompiledBackend(interpreterBackend, COPIES), name: 'compiled-copies-test' });
const BACKEND = 'compiled-copies-test' as BackendName;
// Real programs in regions of 40 instructions with copies up to 120.
const SMALL = { regionSize: 40, copyRegionSize: 120 } as const;
registerBackend({ ...createCompiledBackend(interpreterBackend, SMALL), name: 'compiled-copies-small' });
// The tiered backend on small regions, generated again with copies after 5,000 compiled instructions.
registerBackend(createTieredBackend({ name: 'tiered-copies-small', threshold: 0, minBlockRuns: 0, regionSize: 40, copiesAfter: 5_000 }));

const CALLS = `%stack_size = 4096
%import host
pub @main:
  a3 = ra
  a1 = 0
@loop:
  ra = @back1
  jump @inc
@back1:
  ra = @back2
  jump @twice
@back2:
  i32 a0 = a0 - 1
  jump @loop if a0 != 0
  ra = a3
  ret
@inc:
  i32 a1 = a1 + 3
  jump @skip if a1 != 3
  ecalli host
@skip:
  ret
@twice:
  a2 = a1 & 1
  jump @odd if a2 != 0
  i32 a1 = a1 + a1
  ret
@odd:
  i32 a1 = a1 + 1
  ret
`;

const bytes = assemble(CALLS, { isa: 'latest32' });
const imageOf = (data: Uint8Array) => Module.fromBytes(data, { backend: 'interpreter', gasMetering: 'sync' }).image;

interface Stop {
  kind: string;
  pc: number | undefined;
  next: number | undefined;
  gas: bigint;
  a0: bigint;
  a1: bigint;
  executed: number;
}

function runAll(backend: BackendName, setup: (i: Instance, round: number) => void): Stop[] {
  const instance = Module.fromBytes(bytes, { backend, gasMetering: 'sync' }).instantiate();
  instance.prepareCall('main', [7n]);
  instance.setGas(10_000n);
  const stops: Stop[] = [];
  for (let round = 0; round < 2_000; round++) {
    setup(instance, round);
    const interrupt = instance.run();
    stops.push({ kind: interrupt.kind, pc: instance.programCounter(), next: instance.nextProgramCounter(), gas: instance.gas(), a0: instance.reg(7), a1: instance.reg(8), executed: instance.metrics().instructions });
    if (interrupt.kind === 'finished' || interrupt.kind === 'trap') break;
  }
  return stops;
}

describe('codegen: copies of callees', () => {
  it('the plan copies both callees into the calling region (else this suite tests nothing)', () => {
    const p = analyse(imageOf(bytes), COPIES);
    const copied = p.regionMembers.map((_, r) => p.copies?.of(r)?.members.length ?? 0);
    // inc (5 instructions) into the first half of main, twice (6) into the second.
    expect(copied.filter((n) => n > 0).sort()).toEqual([5, 6]);
    // The generated text holds each callee twice: at home and in the copy.
    const { code } = compileToJs(imageOf(bytes), COPIES);
    expect(code.match(/\+ 3\b/g)?.length).toBe(2);
  });

  it('no copies when asked for none', () => {
    const p = analyse(imageOf(bytes), { regionSize: 6, copyRegionSize: 0 });
    expect(p.copies).toBeUndefined();
  });

  const table: [string, (i: Instance, round: number) => void][] = [
    ['one run to the end (host calls answered)', () => {}],
    // A budget below the next block's length stops before it: 3 (the longest block) at least.
    ['instruction budget 3 per run', (i) => i.setInstructionBudget(3)],
    ['instruction budget 4 per run', (i) => i.setInstructionBudget(4)],
    ['instruction budgets 3..7 in turn', (i, round) => i.setInstructionBudget(3 + (round % 5))],
    ['gas 1 at a time (out of gas at every block)', (i, round) => i.setGas(round === 0 ? 0n : i.gas() + 1n)],
    ['gas 4 at a time', (i, round) => i.setGas(round === 0 ? 0n : i.gas() + 4n)],
  ];
  for (const [name, setup] of table)
    it(`${name}: every stop as the interpreter's`, () => {
      const copies = runAll(BACKEND, setup);
      expect(copies).toEqual(runAll('interpreter', setup));
      expect(copies.some((s) => s.kind === 'ecalli')).toBe(true);
      expect(copies.at(-1)?.kind).toBe('finished');
    });
});

describe.skipIf(!HAVE_SHARED)('codegen: copies on real programs', () => {
  it('a whole program has copies only when asked (copyRegionSize): pinky', () => {
    const image = imageOf(readFileSync(sharedPath('blobs/polkavm/bench-pinky.polkavm')));
    expect(compileToJs(image).program.copies).toBeUndefined();
    const asked = compileToJs(image, { copyRegionSize: 1000 }).program;
    expect(asked.regionMembers.some((_, r) => (asked.copies?.of(r)?.members.length ?? 0) > 0)).toBe(true);
  });
});

describe.skipIf(!HAVE_SHARED)('codegen: copies on real programs cut into small regions, as the interpreter', () => {
  const blob = (name: string): Uint8Array => new Uint8Array(readFileSync(sharedPath('blobs', name)));

  for (const backend of ['compiled-copies-small', 'tiered-copies-small'] as unknown as BackendName[]) {
  it(`pinky initialize on ${backend}: the same stop at every gas budget, out of gas twice and resumed`, () => {
    const bytes = blob('polkavm/bench-pinky.polkavm');
    const p = analyse(imageOf(bytes), SMALL);
    const copied = p.regionMembers.reduce((sum, _, r) => sum + (p.copies?.of(r)?.members.length ?? 0), 0);
    expect(copied).toBeGreaterThan(p.code.count / 8);
    const modules = ([backend, 'interpreter'] as BackendName[]).map((name) => Module.fromBytes(bytes, { backend: name, gasMetering: 'sync' }));
    for (const gas of [0n, 1n, 7n, 1_000n, 12_345n, 333_333n, 1_000_003n]) {
      const [copies, reference] = modules.map((m) => {
        const instance = m.instantiate();
        instance.prepareCall('initialize');
        instance.setGas(gas);
        const stops: unknown[] = [];
        for (let k = 0; k < 3; k++) {
          const kind = instance.run().kind;
          stops.push({ kind, pc: instance.programCounter(), gas: instance.gas(), regs: Array.from({ length: 13 }, (_, r) => instance.reg(r)), executed: instance.metrics().instructions });
          if (kind !== 'not-enough-gas') break;
          instance.setGas(instance.gas() + 5_000n);
        }
        return stops;
      });
      expect(copies, `gas ${gas}`).toEqual(reference);
    }
  });

  it(`doom ext_initialize on ${backend}: host calls answered 0 and a budget stop every 997 instructions, for 200,000`, () => {
    const bytes = blob('polkavm/doom.polkavm');
    const run = (backend: BackendName): unknown[] => {
      const instance = Module.fromBytes(bytes, { backend, gasMetering: 'sync' }).instantiate();
      instance.prepareCall('ext_initialize', []);
      instance.setGas(10_000_000_000n);
      const stops: unknown[] = [];
      while (instance.metrics().instructions < 200_000) {
        instance.setInstructionBudget(997);
        const kind = instance.run().kind;
        stops.push([kind, instance.programCounter(), instance.gas(), instance.reg(0), instance.reg(1), instance.reg(7), instance.reg(10)]);
        if (kind === 'ecalli') instance.setReg(7, 0n);
        else if (kind !== 'budget') break;
      }
      return stops;
    };
    const copies = run(backend);
    expect(copies.length).toBeGreaterThan(150);
    expect(copies).toEqual(run('interpreter'));
  });
  }
});
