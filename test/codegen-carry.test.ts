// 64-bit addition and subtraction in generated code carry from the low word into the high word with
// bit operations on the operands' and the result's bit 31 (emit64.ts carryOut/borrowOut), with a
// separate form for each sign of a constant operand. Every case runs on the compiled backend over
// values whose low words sit on both sides of 2^31 and 2^32, against BigInt arithmetic.
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/index.ts';
import { Module } from '../src/runtime/index.ts';

const M64 = (1n << 64n) - 1n;
const u64 = (x: bigint): bigint => x & M64;
const LOW = [0n, 1n, 2n, 0x7ffffffen, 0x7fffffffn, 0x80000000n, 0x80000001n, 0xfffffffen, 0xffffffffn, 0x12345678n, 0xedcba987n];
const HIGH = [0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn];
const VALUES = HIGH.flatMap((h) => LOW.map((l) => (h << 32n) | l));
// Immediates are sign-extended 32-bit values: both signs, and the values next to the sign change.
const IMMEDIATES = [0, 1, 7, 0x7fffffff, -1, -7, -0x7fffffff, -0x80000000];

const signExtend = (imm: number): bigint => u64(BigInt(imm));

function runner(source: string): (a0: bigint, a1: bigint) => (reg: number) => bigint {
  const module = Module.fromBytes(assemble(source), { backend: 'compiled' });
  return (a0, a1) => {
    const instance = module.instantiate();
    instance.prepareCall('main', [a0, a1]);
    instance.setGas(1n << 30n);
    expect(instance.run().kind).toBe('finished');
    return (reg) => instance.reg(reg);
  };
}

// Register numbers: a0 = 7, a1 = 8, a2 = 9, a3 = 10, a4 = 11.
describe('64-bit add and sub on the compiled backend', () => {
  it('add_64 and sub_64 of two registers', () => {
    const run = runner('%isa = jam_v1\npub @main:\n    a2 = a0 + a1\n    a3 = a0 - a1\n    a4 = a1 - a0\n    ret\n');
    for (const a of VALUES) {
      for (const b of VALUES) {
        const reg = run(a, b);
        expect([reg(9), reg(10), reg(11)]).toEqual([u64(a + b), u64(a - b), u64(b - a)]);
      }
    }
  });

  it('add_imm_64 and negate_and_add_imm_64 with immediates of both signs', () => {
    for (const imm of IMMEDIATES) {
      const run = runner(`%isa = jam_v1\npub @main:\n    a2 = a0 + ${imm}\n    a3 = ${imm} - a0\n    ret\n`);
      for (const a of VALUES) {
        const reg = run(a, 0n);
        const k = signExtend(imm);
        expect([reg(9), reg(10)], `imm ${imm}, a0 0x${a.toString(16)}`).toEqual([u64(a + k), u64(k - a)]);
      }
    }
  });
});
