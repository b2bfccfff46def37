// The interpreter's 64-bit arithmetic on int32 halves (src/interpreter/pairs.ts) against BigInt, over
// edge values where carries, borrows and shifts across the 32-bit boundary happen.
import { describe, expect, it } from 'vitest';
import * as pairs from '../src/interpreter/pairs.ts';

const M64 = (1n << 64n) - 1n;
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const V = [0n, 1n, M64, 2n, u64(-2n), 0xffffffffn, 1n << 32n, (1n << 63n) - 1n, 1n << 63n, 0x0123456789abcdefn, 0xfedcba9876543210n, 0x80000000n];
const AMOUNTS = [0, 1, 5, 31, 32, 33, 63, 64, 65, -1];
const lo = (x: bigint): number => Number(x & 0xffffffffn) | 0;
const hi = (x: bigint): number => Number(x >> 32n) | 0;
const read = (L: Int32Array, d: number): bigint => (BigInt(L[d + 1]! >>> 0) << 32n) | BigInt(L[d]! >>> 0);

type Writer = (L: Int32Array, d: number, al: number, ah: number, bl: number, bh: number) => void;
const arithmetic: { name: string; fn: Writer; ref: (a: bigint, b: bigint) => bigint }[] = [
  { name: 'add64', fn: pairs.add64, ref: (a, b) => u64(a + b) },
  { name: 'sub64', fn: pairs.sub64, ref: (a, b) => u64(a - b) },
  { name: 'mul64', fn: pairs.mul64, ref: (a, b) => u64(a * b) },
];
type Shift = (L: Int32Array, d: number, lo: number, hi: number, amount: number) => void;
const shifts: { name: string; fn: Shift; ref: (a: bigint, n: bigint) => bigint }[] = [
  { name: 'shiftLogicalLeft64', fn: pairs.shiftLogicalLeft64, ref: (a, n) => u64(a << n) },
  { name: 'shiftLogicalRight64', fn: pairs.shiftLogicalRight64, ref: (a, n) => a >> n },
  { name: 'shiftArithmeticRight64', fn: pairs.shiftArithmeticRight64, ref: (a, n) => u64(s64(a) >> n) },
  { name: 'rotateLeft64', fn: pairs.rotateLeft64, ref: (a, n) => u64((a << n) | (a >> ((64n - n) & 63n))) },
  { name: 'rotateRight64', fn: pairs.rotateRight64, ref: (a, n) => u64((a >> n) | (a << ((64n - n) & 63n))) },
];

describe('64-bit arithmetic on int32 pairs', () => {
  for (const op of arithmetic)
    it(`${op.name}, also with the destination aliasing a source`, () => {
      for (const a of V)
        for (const b of V) {
          const L = new Int32Array(4);
          op.fn(L, 0, lo(a), hi(a), lo(b), hi(b));
          expect(read(L, 0), `${op.name}(${a}, ${b})`).toBe(op.ref(a, b));
          L[2] = lo(a);
          L[3] = hi(a);
          op.fn(L, 2, L[2]!, L[3]!, lo(b), hi(b));
          expect(read(L, 2)).toBe(op.ref(a, b));
        }
    });
  for (const op of shifts)
    it(`${op.name} by amounts mod 64`, () => {
      for (const a of V)
        for (const n of AMOUNTS) {
          const L = new Int32Array(2);
          op.fn(L, 0, lo(a), hi(a), n);
          expect(read(L, 0), `${op.name}(${a}, ${n})`).toBe(op.ref(a, BigInt(n & 63)));
        }
    });
  it('compares and counts', () => {
    for (const a of V) {
      for (const b of V) {
        expect(pairs.lessUnsigned64(lo(a), hi(a), lo(b), hi(b)), `${a} <u ${b}`).toBe(a < b);
        expect(pairs.lessSigned64(lo(a), hi(a), lo(b), hi(b)), `${a} <s ${b}`).toBe(s64(a) < s64(b));
      }
      const bits = a.toString(2);
      expect(pairs.countLeadingZeroBits64(lo(a), hi(a))).toBe(a === 0n ? 64 : 64 - bits.length);
      expect(pairs.countTrailingZeroBits64(lo(a), hi(a))).toBe(a === 0n ? 64 : bits.length - bits.lastIndexOf('1') - 1);
    }
  });
});
