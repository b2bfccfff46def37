// Helpers that generated 64-bit code calls for the operations that are not a few int32 steps inline.
// A register is an (lo, hi) pair of int32; a helper returns the low word and leaves the high word in
// `H.hi`. Division, remainder and the high half of products go through the BigInt forms of
// src/machine/ops.ts, so both backends share their edge cases.

import * as ops from '../machine/ops.ts';

export interface HighWord {
  hi: number;
}

const big = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

export function pairHelpers(H: HighWord) {
  const out = (r: bigint): number => {
    H.hi = Number(r >> 32n) | 0;
    return Number(r & 0xffffffffn) | 0;
  };
  const viaBig =
    (fn: (a: bigint, b: bigint) => bigint) =>
    (aL: number, aH: number, bL: number, bH: number): number =>
      out(fn(big(aL, aH), big(bL, bH)));

  /** Low 64 bits of a × b, exactly, in 16-bit limbs (no BigInt on the common path). */
  const mul64 = (aL: number, aH: number, bL: number, bH: number): number => {
    const a0 = aL & 0xffff;
    const a1 = aL >>> 16;
    const b0 = bL & 0xffff;
    const b1 = bL >>> 16;
    const p00 = a0 * b0;
    const mid = a1 * b0 + (p00 >>> 16);
    const mid2 = (mid & 0xffff) + a0 * b1;
    const lo = ((mid2 & 0xffff) << 16) | (p00 & 0xffff);
    const carry = Math.floor(mid / 65536) + Math.floor(mid2 / 65536) + a1 * b1;
    H.hi = (carry + Math.imul(aL, bH) + Math.imul(aH, bL)) | 0;
    return lo | 0;
  };

  const shl64 = (lo: number, hi: number, n: number): number => {
    n &= 63;
    if (n === 0) {
      H.hi = hi;
      return lo;
    }
    if (n < 32) {
      H.hi = (hi << n) | (lo >>> (32 - n));
      return lo << n;
    }
    H.hi = lo << (n - 32);
    return 0;
  };
  const shr64 = (lo: number, hi: number, n: number): number => {
    n &= 63;
    if (n === 0) {
      H.hi = hi;
      return lo;
    }
    if (n < 32) {
      H.hi = hi >>> n;
      return (lo >>> n) | (hi << (32 - n));
    }
    H.hi = 0;
    return (hi >>> (n - 32)) | 0;
  };
  const sar64 = (lo: number, hi: number, n: number): number => {
    n &= 63;
    if (n === 0) {
      H.hi = hi;
      return lo;
    }
    if (n < 32) {
      H.hi = hi >> n;
      return (lo >>> n) | (hi << (32 - n));
    }
    H.hi = hi >> 31;
    return hi >> (n - 32);
  };
  const rotl64 = (lo: number, hi: number, n: number): number => {
    n &= 63;
    const l1 = shl64(lo, hi, n);
    const h1 = H.hi;
    const l2 = shr64(lo, hi, 64 - n);
    const h2 = H.hi;
    H.hi = n === 0 ? hi : h1 | h2;
    return n === 0 ? lo : l1 | l2;
  };
  const rotr64 = (lo: number, hi: number, n: number): number => rotl64(lo, hi, (64 - (n & 63)) & 63);

  return {
    mul64,
    divUnsigned64: viaBig(ops.divUnsigned64),
    divSigned64: viaBig(ops.divSigned64),
    remUnsigned64: viaBig(ops.remUnsigned64),
    remSigned64: viaBig(ops.remSigned64),
    mulUpperSignedSigned64: viaBig(ops.mulUpperSignedSigned64),
    mulUpperUnsignedUnsigned64: viaBig(ops.mulUpperUnsignedUnsigned64),
    mulUpperSignedUnsigned64: viaBig(ops.mulUpperSignedUnsigned64),
    shl64,
    shr64,
    sar64,
    rotl64,
    rotr64,
    countSetBits64: (lo: number, hi: number): number => ops.countSetBits32(lo) + ops.countSetBits32(hi),
    countTrailingZeroBits64: (lo: number, hi: number): number =>
      lo !== 0 ? ops.countTrailingZeroBits32(lo) : 32 + ops.countTrailingZeroBits32(hi),
  };
}

export type PairHelpers = ReturnType<typeof pairHelpers>;
export const PAIR_HELPER_NAMES = Object.keys(pairHelpers({ hi: 0 })) as (keyof PairHelpers)[];
