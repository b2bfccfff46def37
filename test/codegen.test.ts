// The code generator: golden output of a tiny program, no blob text in generated code, source-map
// positions (line = pc + 1), the module cache, and compiled-vs-interpreter cross-checks on real blobs
// stopped at many gas budgets (every stop must agree on interrupt, pc, registers and gas).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SourceMapConsumer } from 'source-map';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/assemble.ts';
import { compileCached, compileToJs, moduleId } from '../src/codegen/index.ts';
import { Module, type ModuleOptions } from '../src/runtime/index.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';

const GOLDEN = fileURLToPath(new URL('./codegen/sum-loop.golden.js', import.meta.url));

// Sums 1..a0 into a1 through memory on the stack, with a call and a return through the jump table.
const SUM_LOOP = `%stack_size = 4096
pub @main:
  a1 = 0
  sp = sp - 16
  u32 [sp + 4] = a1
@loop:
  a2 = i32 [sp + 4]
  i32 a2 = a2 + a0
  u32 [sp + 4] = a2
  i32 a0 = a0 - 1
  jump @loop if a0 != 0
  s0 = ra
  ra = @done
  jump @fetch
@done:
  ra = s0
  sp = sp + 16
  ret
@fetch:
  a1 = i32 [sp + 4]
  ret
`;

const image = (source: string, options: ModuleOptions = {}) =>
  Module.fromBytes(assemble(source, { isa: 'latest32' }), { backend: 'interpreter', ...options }).image;

describe('codegen', () => {
  it('generates the golden text for a small program (set UPDATE_GOLDEN=1 to rewrite it)', () => {
    const { code } = compileToJs(image(SUM_LOOP, { gasMetering: 'sync' }));
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, code);
    expect(code).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('puts no text from the blob into generated code: only numbers and fixed names', () => {
    const hostile = `%stack_size = 4096\n%rw_data_size = 19\n%rw_data = 2722293b70726f636573732e65786974283129\npub @evil:\n  a0 = 1\n  ret\n`;
    const bytes = assemble(hostile, { isa: 'latest32' });
    const module = Module.fromBytes(bytes, { backend: 'interpreter' });
    const { code } = compileToJs(module.image);
    expect(code).not.toMatch(/["'`]/);
    expect(code).not.toContain('evil');
    expect(code).not.toContain('process');
  });

  it('maps generated code to line pc + 1 of the blob', async () => {
    const img = image(SUM_LOOP);
    const { code, map } = compileToJs(img, { sourceMap: true, sourceName: 'sum-loop.polkavm' });
    expect(map).toBeDefined();
    const pcs = new Set(Array.from(img.code.pc.subarray(0, img.code.count)));
    const lines = new Set<number>();
    await SourceMapConsumer.with(map!, null, (consumer) => {
      expect(consumer.sources).toEqual(['sum-loop.polkavm']);
      consumer.eachMapping((m) => lines.add(m.originalLine));
    });
    for (const line of lines) expect(pcs.has(line - 1)).toBe(true);
    // Every instruction that emits code appears (the `fallthrough`-free program has no empty ones but `ret` targets).
    expect(lines.size).toBeGreaterThanOrEqual(img.code.count - 2);
    expect(code.length).toBeGreaterThan(0);
  });

  it('caches compilations by ModuleId: same bytes and code-shaping options hit, other options miss', () => {
    const a = image(SUM_LOOP, { gasMetering: 'sync' });
    const b = image(SUM_LOOP, { gasMetering: 'sync' });
    const c = image(SUM_LOOP, { costModel: 'full-l1' });
    expect(moduleId(a)).toBe(moduleId(b));
    expect(moduleId(a)).not.toBe(moduleId(c));
    expect(moduleId(a)).not.toBe(moduleId(image(SUM_LOOP, { dynamicPaging: true })));
    // Metering and the memory layout are not part of the code (memory.ts, backend.ts).
    for (const other of [{}, { gasMetering: 'async' }, { auxDataSize: 20_000 }, { stackSize: 0x30000 }, { pageSize: 0x4000 }] as ModuleOptions[])
      expect(moduleId(image(SUM_LOOP, other)), JSON.stringify(other)).toBe(moduleId(a));
    expect(moduleId(a, { regionSize: 10 })).not.toBe(moduleId(a));
    expect(compileCached(a)).toBe(compileCached(b));
    expect(compileCached(a)).not.toBe(compileCached(c));
  });

  it('links a program once per metering: later modules of the same bytes run the same region functions', () => {
    // A second evaluation of the same text would share V8's code and feedback across closures and
    // optimise worse (backend.ts `linkedRegions`).
    const regionsOf = (options: ModuleOptions) =>
      (Module.fromBytes(assemble(SUM_LOOP, { isa: 'latest32' }), { backend: 'compiled', ...options }) as unknown as { backendModule: { regions: unknown[] } }).backendModule.regions;
    const metered = regionsOf({ gasMetering: 'sync' });
    expect(regionsOf({ gasMetering: 'sync' })).toBe(metered);
    expect(regionsOf({ gasMetering: 'async' })).toBe(metered);
    const unmetered = regionsOf({});
    expect(unmetered).not.toBe(metered);
    expect(regionsOf({})).toBe(unmetered);
  });

  it('runs the small program like the interpreter: sum 1..n, same gas', () => {
    const n = 100n;
    const results = (['compiled', 'interpreter'] as const).map((backend) => {
      const module = Module.fromBytes(assemble(SUM_LOOP, { isa: 'latest32' }), { backend, gasMetering: 'sync' });
      const instance = module.instantiate();
      instance.prepareCall('main', [n]);
      instance.setGas(100_000n);
      return { kind: instance.run().kind, a1: instance.reg(8), gas: instance.gas() };
    });
    expect(results[0]).toEqual({ kind: 'finished', a1: (n * (n + 1n)) / 2n, gas: results[1]!.gas });
    expect(results[1]!.kind).toBe('finished');
  });
});

// Forward branches inside a loop body: the branch targets and the join have no switch case of their
// own (program.ts `caseBlocks`), so stops and entries there go through the fallback to the next case.
const DIAMOND = `%stack_size = 4096
pub @main:
  a1 = 0
@loop:
  a2 = a0 & 1
  jump @odd if a2 != 0
  i32 a1 = a1 + 3
  jump @join
@odd:
  i32 a1 = a1 + 5
@join:
  i32 a0 = a0 - 1
  jump @loop if a0 != 0
  ret
`;

describe('codegen: blocks without a case (structured forward branches)', () => {
  const bytes = assemble(DIAMOND, { isa: 'latest32' });
  type Stop = { kind: string; pc: number | undefined; next: number | undefined; gas: bigint; a0: bigint; a1: bigint; executed: number };
  const runAll = (backend: 'compiled' | 'interpreter', setup: (i: ReturnType<Module['instantiate']>, round: number) => void): Stop[] => {
    const module = Module.fromBytes(bytes, { backend, gasMetering: 'sync' });
    const instance = module.instantiate();
    instance.prepareCall('main', [9n]);
    instance.setGas(1_000n);
    const stops: Stop[] = [];
    for (let round = 0; round < 1_000; round++) {
      setup(instance, round);
      const interrupt = instance.run();
      const m = instance.metrics();
      stops.push({ kind: interrupt.kind, pc: instance.programCounter(), next: instance.nextProgramCounter(), gas: instance.gas(), a0: instance.reg(7), a1: instance.reg(8), executed: m.instructions });
      if (interrupt.kind === 'finished' || interrupt.kind === 'trap') break;
    }
    return stops;
  };

  it('the program has blocks without a case (else this suite tests nothing)', () => {
    const { program } = compileToJs(image(DIAMOND, { gasMetering: 'sync' }));
    const caseless = Array.from({ length: program.code.count }, (_, i) => i).filter((i) => program.code.blockStart[i] && program.blockLabel[i]! < 0);
    expect(caseless.length).toBeGreaterThanOrEqual(3);
  });

  const table: [string, (i: ReturnType<Module['instantiate']>, round: number) => void][] = [
    // A budget below the next block's length stops before it: 3 (the longest block) at least.
    ['instruction budget 3 per run', (i) => i.setInstructionBudget(3)],
    ['instruction budget 4 per run', (i) => i.setInstructionBudget(4)],
    ['instruction budgets 3..7 in turn', (i, round) => i.setInstructionBudget(3 + (round % 5))],
    ['gas 1 at a time (sync out of gas at every block)', (i) => i.setGas(i.gas() + 1n)],
    ['gas 3 at a time', (i) => i.setGas(i.gas() + 3n)],
  ];
  for (const [name, setup] of table)
    it(`${name}: every stop as the interpreter's`, () => {
      const prime = name.startsWith('gas') ? (i: ReturnType<Module['instantiate']>, round: number) => { if (round === 0) i.setGas(0n); setup(i, round); } : setup;
      const compiled = runAll('compiled', prime);
      expect(compiled.length).toBeGreaterThan(5);
      expect(compiled).toEqual(runAll('interpreter', prime));
      // a0 = 9 down to 1: five odd values add 5, four even ones add 3.
      expect(compiled.at(-1)).toMatchObject({ kind: 'finished', a1: 5n * 5n + 4n * 3n });
    });

  it('a host-set pc at a block without a case runs from there as on the interpreter', () => {
    const { program } = compileToJs(image(DIAMOND, { gasMetering: 'sync' }));
    const pcs = Array.from({ length: program.code.count }, (_, i) => i).filter((i) => program.code.blockStart[i] && program.blockLabel[i]! < 0).map((i) => program.code.pc[i]!);
    for (const pc of pcs) {
      const results = (['compiled', 'interpreter'] as const).map((backend) => {
        const instance = Module.fromBytes(bytes, { backend, gasMetering: 'sync' }).instantiate();
        instance.prepareCall('main', [5n]);
        instance.setGas(1_000n);
        instance.setNextProgramCounter(pc);
        const kind = instance.run().kind;
        return { kind, a0: instance.reg(7), a1: instance.reg(8), gas: instance.gas() };
      });
      expect(results[0]).toEqual(results[1]);
    }
  });
});

describe.skipIf(!HAVE_SHARED)('codegen: every export starts at a switch case', () => {
  // A call from the host enters at an export; one without a case would run its first blocks on the
  // fallback at every call (and, for a precompiled module, decode the whole program first).
  for (const blob of ['polkavm/doom.polkavm', 'pvq/files_guest-sum-balance.polkavm', 'polkavm/bench-pinky.polkavm'])
    it(blob, () => {
      const image = Module.fromBytes(readFileSync(sharedPath('blobs', blob)), { backend: 'interpreter' }).image;
      const { program } = compileToJs(image);
      expect(image.blob.exports.length).toBeGreaterThan(0);
      for (const e of image.blob.exports) expect(program.blockLabel[program.code.indexOfPc[e.pc]!], e.name).toBeGreaterThanOrEqual(0);
    });
});

describe.skipIf(!HAVE_SHARED)('codegen cross-check on real blobs (compiled vs interpreter)', () => {
  interface Case {
    blob: string;
    entry: string;
    gas: bigint[];
  }
  const cases: Case[] = [
    { blob: 'polkavm/bench-pinky.polkavm', entry: 'initialize', gas: [0n, 1n, 7n, 1000n, 12_345n, 333_333n, 1_000_003n] },
    { blob: 'riscv-tests/rv32um_div.polkavm', entry: 'main', gas: [10n, 100n, 10_000n] },
    { blob: 'riscv-tests/rv32ui_sw.polkavm', entry: 'main', gas: [10n, 100n, 10_000n] },
    { blob: 'riscv-tests/rv32uzbb_rol.polkavm', entry: 'main', gas: [10n, 100n, 10_000n] },
  ];
  for (const c of cases)
    it(`${c.blob} ${c.entry}: same stop at every gas budget`, () => {
      const bytes = readFileSync(sharedPath('blobs', c.blob));
      const modules = (['compiled', 'interpreter'] as const).map((backend) => Module.fromBytes(bytes, { backend, gasMetering: 'sync' }));
      for (const gas of c.gas) {
        const [compiled, reference] = modules.map((m) => {
          const instance = m.instantiate();
          instance.prepareCall(c.entry);
          instance.setGas(gas);
          const stops: unknown[] = [];
          // Out of gas twice: refill a little and resume, to cross the resumption path too.
          for (let k = 0; k < 3; k++) {
            const interrupt = instance.run();
            stops.push({
              interrupt,
              pc: instance.programCounter(),
              next: instance.nextProgramCounter(),
              gas: instance.gas(),
              regs: Array.from({ length: 13 }, (_, r) => instance.reg(r)),
            });
            if (interrupt.kind !== 'not-enough-gas') break;
            instance.setGas(gas + 17n);
          }
          return stops;
        });
        expect(compiled).toEqual(reference);
      }
    });
});
