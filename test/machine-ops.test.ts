// src/machine/ops.ts against plain BigInt definitions of each operation (POLKAVM.md §2.3 / polkavm
// operation.rs semantics), over edge values: zero, ±1, the extremes, and shift amounts around the
// width. The 32-bit forms take and give int32; the 64-bit forms u64 BigInts.
import { describe, expect, it } from 'vitest';
import * as ops from '../src/machine/ops.ts';

const M32 = (1n << 32n) - 1n;
const M64 = (1n << 64n) - 1n;
const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);
const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
/** An int32 result as the u32 it stands for. */
const r32 = (x: number): bigint => u32(BigInt(x));

const V32 = [0, 1, -1, 2, -2, 7, -7, 31, 32, 33, 0x7fffffff, -0x80000000, 0x12345678, -0x12345678, 0xffff, 0x10000];
const V64 = [0n, 1n, M64, 2n, u64(-2n), 7n, u64(-7n), 63n, 64n, 65n, (1n << 63n) - 1n, 1n << 63n, 0x0123456789abcdefn, 0xfedcba9876543210n, M32, 1n << 32n];

interface Binary32 {
  name: string;
  fn: (a: number, b: number) => number;
  /** The u32 result from the u32 operands. */
  ref: (a: bigint, b: bigint) => bigint;
}
const binary32: Binary32[] = [
  { name: 'divUnsigned32', fn: ops.divUnsigned32, ref: (a, b) => (b === 0n ? M32 : a / b) },
  { name: 'divSigned32', fn: ops.divSigned32, ref: (a, b) => (b === 0n ? M32 : s32(a) === -(1n << 31n) && s32(b) === -1n ? a : u32(s32(a) / s32(b))) },
  { name: 'remUnsigned32', fn: ops.remUnsigned32, ref: (a, b) => (b === 0n ? a : a % b) },
  { name: 'remSigned32', fn: ops.remSigned32, ref: (a, b) => (b === 0n ? a : s32(a) === -(1n << 31n) && s32(b) === -1n ? 0n : u32(s32(a) % s32(b))) },
  { name: 'mulUpperUnsignedUnsigned32', fn: ops.mulUpperUnsignedUnsigned32, ref: (a, b) => (a * b) >> 32n },
  { name: 'mulUpperSignedSigned32', fn: ops.mulUpperSignedSigned32, ref: (a, b) => u32((s32(a) * s32(b)) >> 32n) },
  { name: 'mulUpperSignedUnsigned32', fn: ops.mulUpperSignedUnsigned32, ref: (a, b) => u32((s32(a) * b) >> 32n) },
  { name: 'rotateLeft32', fn: ops.rotateLeft32, ref: (a, b) => u32((a << (b & 31n)) | (a >> ((32n - (b & 31n)) & 31n))) },
  { name: 'rotateRight32', fn: ops.rotateRight32, ref: (a, b) => u32((a >> (b & 31n)) | (a << ((32n - (b & 31n)) & 31n))) },
  { name: 'maximumUnsigned32', fn: ops.maximumUnsigned32, ref: (a, b) => (a > b ? a : b) },
  { name: 'minimumUnsigned32', fn: ops.minimumUnsigned32, ref: (a, b) => (a < b ? a : b) },
];

const popcount = (x: bigint): number => x.toString(2).replace(/0/g, '').length;
interface Unary32 {
  name: string;
  fn: (a: number) => number;
  ref: (a: bigint) => bigint;
}
const unary32: Unary32[] = [
  { name: 'countLeadingZeroBits32', fn: ops.countLeadingZeroBits32, ref: (a) => BigInt(32 - (a === 0n ? 0 : a.toString(2).length)) },
  { name: 'countTrailingZeroBits32', fn: ops.countTrailingZeroBits32, ref: (a) => (a === 0n ? 32n : BigInt(a.toString(2).length - a.toString(2).lastIndexOf('1') - 1)) },
  { name: 'countSetBits32', fn: ops.countSetBits32, ref: (a) => BigInt(popcount(a)) },
  { name: 'reverseByte32', fn: ops.reverseByte32, ref: (a) => BigInt(`0x${a.toString(16).padStart(8, '0').match(/../g)!.reverse().join('')}`) },
];

describe('machine ops, 32-bit', () => {
  for (const op of binary32)
    it(`${op.name} over ${V32.length}² edge pairs`, () => {
      for (const a of V32)
        for (const b of V32) expect(r32(op.fn(a, b)), `${op.name}(${a}, ${b})`).toBe(op.ref(r32(a), r32(b)));
    });
  for (const op of unary32)
    it(`${op.name} over the edge values`, () => {
      for (const a of V32) expect(r32(op.fn(a)), `${op.name}(${a})`).toBe(op.ref(r32(a)));
    });
  const named = [
    { name: 'x / 0 = u32::MAX', got: ops.divUnsigned32(5, 0), want: -1 },
    { name: 'MIN /s -1 = MIN', got: ops.divSigned32(-0x80000000, -1), want: -0x80000000 },
    { name: 'MIN %s -1 = 0', got: ops.remSigned32(-0x80000000, -1), want: 0 },
    { name: 'x %u 0 = x', got: ops.remUnsigned32(-5, 0), want: -5 },
    { name: '-7 %s 2 = -1 (sign of the dividend)', got: ops.remSigned32(-7, 2), want: -1 },
    { name: 'mulhu(MAX, MAX)', got: ops.mulUpperUnsignedUnsigned32(-1, -1), want: -2 },
    { name: 'mulh(MIN, MIN) = 2^30', got: ops.mulUpperSignedSigned32(-0x80000000, -0x80000000), want: 0x40000000 },
    { name: 'mulhsu(-1, MAX) = -1', got: ops.mulUpperSignedUnsigned32(-1, -1), want: -1 },
    { name: 'rotate by 32 is the identity', got: ops.rotateLeft32(0x12345678, 32), want: 0x12345678 },
  ];
  it.each(named)('$name', ({ got, want }) => expect(got).toBe(want));
});

interface Binary64 {
  name: string;
  fn: (a: bigint, b: bigint) => bigint;
  ref: (a: bigint, b: bigint) => bigint;
}
const binary64: Binary64[] = [
  { name: 'divUnsigned64', fn: ops.divUnsigned64, ref: (a, b) => (b === 0n ? M64 : a / b) },
  { name: 'divSigned64', fn: ops.divSigned64, ref: (a, b) => (b === 0n ? M64 : s64(a) === -(1n << 63n) && s64(b) === -1n ? a : u64(s64(a) / s64(b))) },
  { name: 'remUnsigned64', fn: ops.remUnsigned64, ref: (a, b) => (b === 0n ? a : a % b) },
  { name: 'remSigned64', fn: ops.remSigned64, ref: (a, b) => (b === 0n ? a : s64(a) === -(1n << 63n) && s64(b) === -1n ? 0n : u64(s64(a) % s64(b))) },
  { name: 'mulUpperUnsignedUnsigned64', fn: ops.mulUpperUnsignedUnsigned64, ref: (a, b) => (a * b) >> 64n },
  { name: 'mulUpperSignedSigned64', fn: ops.mulUpperSignedSigned64, ref: (a, b) => u64((s64(a) * s64(b)) >> 64n) },
  { name: 'mulUpperSignedUnsigned64', fn: ops.mulUpperSignedUnsigned64, ref: (a, b) => u64((s64(a) * b) >> 64n) },
  { name: 'shiftLogicalLeft64', fn: ops.shiftLogicalLeft64, ref: (a, b) => u64(a << (b & 63n)) },
  { name: 'shiftLogicalRight64', fn: ops.shiftLogicalRight64, ref: (a, b) => a >> (b & 63n) },
  { name: 'shiftArithmeticRight64', fn: ops.shiftArithmeticRight64, ref: (a, b) => u64(s64(a) >> (b & 63n)) },
  { name: 'rotateLeft64', fn: ops.rotateLeft64, ref: (a, b) => u64((a << (b & 63n)) | (a >> ((64n - (b & 63n)) & 63n))) },
  { name: 'rotateRight64', fn: ops.rotateRight64, ref: (a, b) => u64((a >> (b & 63n)) | (a << ((64n - (b & 63n)) & 63n))) },
  { name: 'maximumSigned64', fn: ops.maximumSigned64, ref: (a, b) => (s64(a) > s64(b) ? a : b) },
  { name: 'minimumSigned64', fn: ops.minimumSigned64, ref: (a, b) => (s64(a) < s64(b) ? a : b) },
];

describe('machine ops, 64-bit', () => {
  for (const op of binary64)
    it(`${op.name} over ${V64.length}² edge pairs`, () => {
      for (const a of V64) for (const b of V64) expect(op.fn(a, b), `${op.name}(${a}, ${b})`).toBe(op.ref(a, b));
    });
  it('count, reverse and sign extension over the edge values', () => {
    for (const a of V64) {
      expect(ops.countLeadingZeroBits64(a), `clz ${a}`).toBe(a === 0n ? 64 : 64 - a.toString(2).length);
      const bits = a.toString(2);
      expect(ops.countTrailingZeroBits64(a), `ctz ${a}`).toBe(a === 0n ? 64 : bits.length - bits.lastIndexOf('1') - 1);
      expect(ops.countSetBits64(a), `cpop ${a}`).toBe(popcount(a));
      expect(ops.reverseByte64(a), `reverse ${a}`).toBe(BigInt(`0x${a.toString(16).padStart(16, '0').match(/../g)!.reverse().join('')}`));
      for (const width of [8, 16, 32]) expect(ops.signExtend64(a, width), `sext${width} ${a}`).toBe(u64(BigInt.asIntN(width, a)));
    }
  });
  it('shift amounts count mod 64, also as numbers', () => {
    expect(ops.shiftLogicalLeft64(1n, 64)).toBe(1n);
    expect(ops.shiftLogicalLeft64(1n, 65)).toBe(2n);
    expect(ops.shiftArithmeticRight64(1n << 63n, 127)).toBe(M64);
    expect(ops.rotateRight64(1n, 0)).toBe(1n);
  });
  it('imm64 sign-extends a 32-bit immediate; sbrkSize follows the ISA', () => {
    expect(ops.imm64(-1)).toBe(M64);
    expect(ops.imm64(0x7fffffff)).toBe(0x7fffffffn);
    expect(ops.sbrkSize(0x1_0000_0005n, true)).toBe(0);
    expect(ops.sbrkSize(0x1_0000_0005n, false)).toBe(5);
    expect(ops.sbrkSize(M32, true)).toBe(0xffffffff);
  });
});
