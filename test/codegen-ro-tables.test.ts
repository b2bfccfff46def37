// Loads through a register that holds a read-only data address (a table's base, moved, added to, kept
// in a stack slot) check the ro data first (memory.ts `roTableLoads`); elsewhere they check the rw
// data. Which region a load checks first is a guess: a wrong one only sends it to the generic accessor.
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/assemble.ts';
import { analyse, compileToJs } from '../src/codegen/index.ts';
import { roTableLoads } from '../src/codegen/memory.ts';
import { Reg } from '../src/machine/state.ts';
import { Module, type BackendName } from '../src/runtime/index.ts';

// main(a0): sums table[k & 3] for k = a0 .. 1 (a table of 10, 20, 30, 40 in ro data), the table's
// base kept in a stack slot and reloaded each iteration; then reads one word through the same base
// moved past the ro data into the rw data (a guess that misses), and adds it.
const TABLE = `%ro_data @table = 0a000000 14000000 1e000000 28000000
%rw_data @cell = 05000000
%stack_size = 4096
pub @main:
  sp = sp - 16
  a1 = @table
  u32 [sp + 8] = a1
  a2 = 0
@loop:
  a1 = i32 [sp + 8]
  a3 = a0 & 3
  a3 = a3 << 2
  a1 = a1 + a3
  a4 = i32 [a1]
  a2 = a2 + a4
  a0 = a0 - 1
  jump @loop if a0 != 0
  a1 = i32 [sp + 8]
  a3 = @cell
  a3 = a3 - a1
  a1 = a1 + a3
  a4 = i32 [a1]
  a0 = a2 + a4
  sp = sp + 16
  ret`;

const loadsOf = (bytes: Uint8Array) => {
  const image = Module.fromBytes(bytes, { backend: 'interpreter' }).image;
  const program = analyse(image, { regionSize: 400 });
  return { image, program, guessed: roTableLoads(program, image.memoryMap.roDataAddress, image.memoryMap.roDataSize) };
};

describe('loads from ro data tables', () => {
  for (const isa of ['latest32', 'latest64'] as const) {
    const bytes = assemble(TABLE, { isa });

    it(`${isa}: the table loads read ro data first, the slot loads and others do not`, () => {
      const { image, program, guessed } = loadsOf(bytes);
      const code = program.code;
      const marked = [...guessed.keys()].filter((i) => guessed[i] === 1);
      // The load in the loop (base reloaded from the slot plus an index) and the one after it (same
      // base moved by a register): both through a register the pass follows.
      expect(marked.length).toBe(2);
      for (const i of marked) expect(code.r2[i]).not.toBe(Reg.SP);
      const js = compileToJs(image).code;
      expect(js.match(/\? ro\.getInt32\(t, true\)/g)?.length).toBe(2);
    });

    for (const backend of ['compiled', 'tiered'] as BackendName[]) {
      it(`${isa} on ${backend}: the same results and counts as the interpreter, hit or miss`, () => {
        const reference = Module.fromBytes(bytes, { backend: 'interpreter', gasMetering: 'sync' }).instantiate();
        const instance = Module.fromBytes(bytes, { backend, gasMetering: 'sync' }).instantiate();
        for (const n of [1, 4, 1000, 50_000]) {
          reference.setGas(10_000_000n);
          instance.setGas(10_000_000n);
          const want = reference.call('main', n);
          // 10 + 20 + 30 + 40 per four values, and the rw word (5).
          expect(Number(want.a0)).toBe(Math.floor(n / 4) * 100 + [0, 20, 50, 90][n % 4]! + 5);
          expect(instance.call('main', n)).toEqual(want);
          expect(instance.metrics()).toEqual(reference.metrics());
        }
      });
    }
  }
});
