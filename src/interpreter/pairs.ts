// 64-bit arithmetic on int32 halves, for the interpreter loops that keep registers as (lo, hi) pairs
// in an Int32Array (`L[2r]` = low word, `L[2r + 1]` = high word). Measured in bench/README.md
// ("64-bit registers"): pairs beat BigInt registers on ALU work and need no BigInt→Number conversion
// for addresses, so BigInt is left to division, remainder and the high half of a product.
//
// Every writer takes its operands as values before it stores, so the destination may alias a source.

import { mulUpperUnsignedUnsigned32 } from '../machine/ops.ts';

export function add64(L: Int32Array, d: number, al: number, ah: number, bl: number, bh: number): void {
  const lo = (al + bl) | 0;
  L[d + 1] = (ah + bh + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
  L[d] = lo;
}

export function sub64(L: Int32Array, d: number, al: number, ah: number, bl: number, bh: number): void {
  const lo = (al - bl) | 0;
  L[d + 1] = (ah - bh - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;
  L[d] = lo;
}

/** The low 64 bits of the product: the full 32×32 low product plus the cross terms in the high word. */
export function mul64(L: Int32Array, d: number, al: number, ah: number, bl: number, bh: number): void {
  const hi = (mulUpperUnsignedUnsigned32(al, bl) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
  L[d] = Math.imul(al, bl);
  L[d + 1] = hi;
}

/** Shifts take the amount mod 64, as polkavm's `wrapping_shl` / `wrapping_shr` do. */
export function shiftLogicalLeft64(L: Int32Array, d: number, lo: number, hi: number, amount: number): void {
  const n = amount & 63;
  if (n === 0) {
    L[d] = lo;
    L[d + 1] = hi;
  } else if (n < 32) {
    L[d + 1] = (hi << n) | (lo >>> (32 - n));
    L[d] = lo << n;
  } else {
    L[d + 1] = lo << (n - 32);
    L[d] = 0;
  }
}

export function shiftLogicalRight64(L: Int32Array, d: number, lo: number, hi: number, amount: number): void {
  const n = amount & 63;
  if (n === 0) {
    L[d] = lo;
    L[d + 1] = hi;
  } else if (n < 32) {
    L[d] = (lo >>> n) | (hi << (32 - n));
    L[d + 1] = hi >>> n;
  } else {
    L[d] = hi >>> (n - 32);
    L[d + 1] = 0;
  }
}

export function shiftArithmeticRight64(L: Int32Array, d: number, lo: number, hi: number, amount: number): void {
  const n = amount & 63;
  if (n === 0) {
    L[d] = lo;
    L[d + 1] = hi;
  } else if (n < 32) {
    L[d] = (lo >>> n) | (hi << (32 - n));
    L[d + 1] = hi >> n;
  } else {
    L[d] = hi >> (n - 32);
    L[d + 1] = hi >> 31;
  }
}

export function rotateLeft64(L: Int32Array, d: number, lo: number, hi: number, amount: number): void {
  let n = amount & 63;
  if (n >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
    n -= 32;
  }
  if (n === 0) {
    L[d] = lo;
    L[d + 1] = hi;
  } else {
    L[d] = (lo << n) | (hi >>> (32 - n));
    L[d + 1] = (hi << n) | (lo >>> (32 - n));
  }
}

export function rotateRight64(L: Int32Array, d: number, lo: number, hi: number, amount: number): void {
  rotateLeft64(L, d, lo, hi, 64 - (amount & 63));
}

export const lessUnsigned64 = (al: number, ah: number, bl: number, bh: number): boolean =>
  ah === bh ? al >>> 0 < bl >>> 0 : ah >>> 0 < bh >>> 0;
export const lessSigned64 = (al: number, ah: number, bl: number, bh: number): boolean => (ah === bh ? al >>> 0 < bl >>> 0 : ah < bh);

export const countLeadingZeroBits64 = (lo: number, hi: number): number => (hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo));
export function countTrailingZeroBits64(lo: number, hi: number): number {
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  return hi !== 0 ? 63 - Math.clz32(hi & -hi) : 64;
}
