// The fuzzer's own checks: the generator is deterministic, covers the table and only builds programs
// whose loops are bounded; the comparison notices every kind of difference; the reducer shrinks.
import { describe, expect, it } from 'vitest';
import { decodeProgram } from '../src/decoder/code.ts';
import { parseBlob } from '../src/decoder/blob.ts';
import { Isa } from '../src/decoder/isa.ts';
import { Op } from '../src/decoder/table.ts';
import { assertFuelBounded, buildBlob, type GenInstruction } from './fuzz/build.ts';
import { generateCase, type FuzzCase } from './fuzz/generator.ts';
import { reduceCase } from './fuzz/reduce.ts';
import { runDifferential, type FuzzInstance, type Side } from './fuzz/runner.ts';
import { runtimeSide } from './fuzz/sides.ts';

const honest = runtimeSide('interpreter');

/** The interpreter with one observable value falsified. */
function lying(name: string, patch: (i: FuzzInstance) => Partial<FuzzInstance>): Side {
  return {
    name,
    skipSteps: false,
    instantiate(c) {
      const inner = honest.instantiate(c);
      return { ...inner, ...patch(inner) };
    },
  };
}

// A program that runs with gas metering on the standard memory map and stops at least once.
const subject: FuzzCase = (() => {
  for (let index = 0; ; index++) {
    const c = generateCase(7, index);
    if (!c.gasMetering || c.dynamicPaging || c.memory.rwDataSize === 0) continue;
    const r = runDifferential(c, honest, honest);
    if (r.stops.length >= 1 && r.stops[0] === 'finished') return c;
  }
})();

describe('fuzz harness', () => {
  it('regenerates the same program from the same seed and index', () => {
    for (let index = 0; index < 20; index++) {
      expect(generateCase(3, index).blob).toEqual(generateCase(3, index).blob);
      expect(generateCase(3, index).blob).not.toEqual(generateCase(3, index + 1).blob);
    }
  });

  it('emits exactly the instructions it planned (decoded back from the blob)', () => {
    for (let index = 0; index < 200; index++) {
      const c = generateCase(11, index);
      const real = Array.from(c.code.op).filter((_, k) => !c.code.implicit[k]);
      expect(real, `case 11:${index}`).toEqual([...c.emitted]);
    }
  });

  it('rejects a program with a backward edge that burns no fuel', () => {
    const jumpBack: GenInstruction = { op: Op.jump, r1: 0, r2: 0, r3: 0, imm1: 0, imm2: 0, target: { kind: 'block', block: 0 } };
    const fallthrough: GenInstruction = { op: Op.fallthrough, r1: 0, r2: 0, r3: 0, imm1: 0, imm2: 0 };
    const memory = { roDataSize: 0, rwDataSize: 0, stackSize: 0, roData: new Uint8Array(0), rwData: new Uint8Array(0) };
    const built = buildBlob(Isa.Latest64, [[fallthrough], [jumpBack]], [], memory);
    const code = decodeProgram(parseBlob(built.blob));
    expect(() => assertFuelBounded(code, new Set(), 'test')).toThrow(/unfuelled backward edge 1 -> 0/);
    expect(() => assertFuelBounded(code, new Set([0]), 'test')).not.toThrow();
  });

  const cases: { field: RegExp; side: Side }[] = [
    { field: /^interrupt$/, side: lying('trap-instead', (i) => ({ run: () => (i.run(), { kind: 'trap' }) })) },
    { field: /^pc$/, side: lying('pc+1', (i) => ({ programCounter: () => (i.programCounter() ?? 0) + 1 })) },
    { field: /^nextPc$/, side: lying('nextPc', (i) => ({ nextProgramCounter: () => (i.nextProgramCounter() ?? -2) + 1 })) },
    { field: /^reg a0$/, side: lying('a0^1', (i) => ({ reg: (r) => (r === 7 ? i.reg(r) ^ 1n : i.reg(r)) })) },
    { field: /^gas$/, side: lying('gas+1', (i) => ({ gas: () => i.gas() + 1n })) },
    {
      field: /^memory 0x/,
      side: lying('memory', (i) => ({
        readMemory: (address, length) => {
          const bytes = i.readMemory(address, length).slice();
          bytes[17]! ^= 0x80;
          return bytes;
        },
      })),
    },
  ];
  it.each(cases)('notices a difference in $field', ({ field, side }) => {
    expect(runDifferential(subject, honest, honest).divergence).toBeUndefined();
    const d = runDifferential(subject, honest, side).divergence;
    expect(d?.field).toMatch(field);
  });

  it('shrinks a diverging program and keeps it diverging', () => {
    const liar = lying('a0-at-finish', (i) => {
      let finished = false;
      return {
        run: () => {
          const interrupt = i.run();
          finished = interrupt.kind === 'finished';
          return interrupt;
        },
        reg: (r) => (finished && r === 7 ? i.reg(r) + 1n : i.reg(r)),
      };
    });
    const { case: small, result } = reduceCase(subject, honest, liar);
    expect(result.divergence?.field).toBe('reg a0');
    expect(small.code.count).toBeLessThan(subject.code.count);
    expect(runDifferential(small, honest, liar).divergence?.field).toBe('reg a0');
  });
});
