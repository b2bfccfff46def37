// Instruction semantics with edge cases (POLKAVM.md §2.3), in one pure module shared by the reference
// interpreter and by the helpers that compiled code calls, so that both backends divide by zero,
// overflow and shift the same way.
//
// 32-bit forms take and return int32 numbers (the low 32 bits, as `x | 0`): a `_32` result stored
// sign-extended is exactly the int32 value. 64-bit forms take and return BigInts in [0, 2^64).

import type { DecodedCode } from '../decoder/code.ts';
import { refillGas } from './gas.ts';
import { VM_ADDR_RETURN_TO_HOST, VM_CODE_ADDRESS_ALIGNMENT } from './layout.ts';
import type { GuestMemory } from './memory.ts';
import { StandardMemory } from './memory.ts';
import type { MachineState } from './state.ts';

const MASK64 = (1n << 64n) - 1n;
const I64_MIN_U = 1n << 63n;
const I32_MIN = -0x80000000;

// ---- 32-bit ----

export const divUnsigned32 = (a: number, b: number): number => (b === 0 ? -1 : Math.floor((a >>> 0) / (b >>> 0)) | 0);
export const divSigned32 = (a: number, b: number): number => (b === 0 ? -1 : a === I32_MIN && b === -1 ? a : (a / b) | 0);
export const remUnsigned32 = (a: number, b: number): number => (b === 0 ? a | 0 : ((a >>> 0) % (b >>> 0)) | 0);
export const remSigned32 = (a: number, b: number): number => (b === 0 ? a | 0 : a === I32_MIN && b === -1 ? 0 : (a % b) | 0);

/** Upper 32 bits of the 64-bit unsigned product, exactly (a double holds only 53 bits). */
export function mulUpperUnsignedUnsigned32(a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  const aH = a >>> 16;
  const aL = a & 0xffff;
  const bH = b >>> 16;
  const bL = b & 0xffff;
  const mid1 = aH * bL;
  const mid2 = aL * bH;
  const carry = (((aL * bL) >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (aH * bH + (mid1 >>> 16) + (mid2 >>> 16) + carry) | 0;
}
/** Signed × signed: the unsigned high word corrected for each negative operand. */
export const mulUpperSignedSigned32 = (a: number, b: number): number =>
  (mulUpperUnsignedUnsigned32(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
/** Signed `a` × unsigned `b`. */
export const mulUpperSignedUnsigned32 = (a: number, b: number): number => (mulUpperUnsignedUnsigned32(a, b) - (a < 0 ? b : 0)) | 0;

export const rotateLeft32 = (a: number, n: number): number => ((a << (n & 31)) | (a >>> (-n & 31))) | 0;
export const rotateRight32 = (a: number, n: number): number => ((a >>> (n & 31)) | (a << (-n & 31))) | 0;
export const countLeadingZeroBits32 = (a: number): number => Math.clz32(a);
export const countTrailingZeroBits32 = (a: number): number => (a === 0 ? 32 : 31 - Math.clz32(a & -a));
export function countSetBits32(a: number): number {
  a = a - ((a >>> 1) & 0x55555555);
  a = (a & 0x33333333) + ((a >>> 2) & 0x33333333);
  return (Math.imul((a + (a >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) | 0;
}
export const reverseByte32 = (a: number): number => ((a << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24)) | 0;
export const maximumUnsigned32 = (a: number, b: number): number => ((a >>> 0) > (b >>> 0) ? a : b) | 0;
export const minimumUnsigned32 = (a: number, b: number): number => ((a >>> 0) < (b >>> 0) ? a : b) | 0;

// ---- 64-bit (BigInt in [0, 2^64)) ----

export const toSigned64 = (a: bigint): bigint => BigInt.asIntN(64, a);
export const toUnsigned64 = (a: bigint): bigint => BigInt.asUintN(64, a);
/** A sign-extended 32-bit immediate as a u64. */
export const imm64 = (imm: number): bigint => BigInt.asUintN(64, BigInt(imm | 0));

export const divUnsigned64 = (a: bigint, b: bigint): bigint => (b === 0n ? MASK64 : a / b);
export const remUnsigned64 = (a: bigint, b: bigint): bigint => (b === 0n ? a : a % b);
export function divSigned64(a: bigint, b: bigint): bigint {
  if (b === 0n) return MASK64;
  if (a === I64_MIN_U && b === MASK64) return a;
  return BigInt.asUintN(64, BigInt.asIntN(64, a) / BigInt.asIntN(64, b));
}
export function remSigned64(a: bigint, b: bigint): bigint {
  if (b === 0n) return a;
  if (a === I64_MIN_U && b === MASK64) return 0n;
  return BigInt.asUintN(64, BigInt.asIntN(64, a) % BigInt.asIntN(64, b));
}
export const mulUpperSignedSigned64 = (a: bigint, b: bigint): bigint => BigInt.asUintN(64, (BigInt.asIntN(64, a) * BigInt.asIntN(64, b)) >> 64n);
export const mulUpperUnsignedUnsigned64 = (a: bigint, b: bigint): bigint => (a * b) >> 64n;
export const mulUpperSignedUnsigned64 = (a: bigint, b: bigint): bigint => BigInt.asUintN(64, (BigInt.asIntN(64, a) * b) >> 64n);

export const shiftLogicalLeft64 = (a: bigint, n: bigint | number): bigint => BigInt.asUintN(64, a << BigInt(Number(BigInt(n) & 63n)));
export const shiftLogicalRight64 = (a: bigint, n: bigint | number): bigint => a >> BigInt(Number(BigInt(n) & 63n));
export const shiftArithmeticRight64 = (a: bigint, n: bigint | number): bigint =>
  BigInt.asUintN(64, BigInt.asIntN(64, a) >> BigInt(Number(BigInt(n) & 63n)));
export function rotateLeft64(a: bigint, n: bigint | number): bigint {
  const k = BigInt(n) & 63n;
  return k === 0n ? a : BigInt.asUintN(64, (a << k) | (a >> (64n - k)));
}
export const rotateRight64 = (a: bigint, n: bigint | number): bigint => rotateLeft64(a, (64n - (BigInt(n) & 63n)) & 63n);

const lo32 = (a: bigint): number => Number(a & 0xffffffffn) | 0;
const hi32 = (a: bigint): number => Number(a >> 32n) | 0;
export const countLeadingZeroBits64 = (a: bigint): number => (hi32(a) !== 0 ? Math.clz32(hi32(a)) : 32 + Math.clz32(lo32(a)));
export const countTrailingZeroBits64 = (a: bigint): number =>
  lo32(a) !== 0 ? countTrailingZeroBits32(lo32(a)) : 32 + countTrailingZeroBits32(hi32(a));
export const countSetBits64 = (a: bigint): number => countSetBits32(lo32(a)) + countSetBits32(hi32(a));
export const reverseByte64 = (a: bigint): bigint =>
  (BigInt(reverseByte32(lo32(a)) >>> 0) << 32n) | BigInt(reverseByte32(hi32(a)) >>> 0);
export const signExtend64 = (a: bigint, bits: number): bigint => BigInt.asUintN(64, BigInt.asIntN(bits, a));
export const maximumSigned64 = (a: bigint, b: bigint): bigint => (BigInt.asIntN(64, a) > BigInt.asIntN(64, b) ? a : b);
export const minimumSigned64 = (a: bigint, b: bigint): bigint => (BigInt.asIntN(64, a) < BigInt.asIntN(64, b) ? a : b);

// ---- control flow ----

/** `resolveJumpIndirect` result: the guest returned to the host. */
export const JUMP_FINISHED = -2;
/** `resolveJumpIndirect` result: a bad address or target; the jump traps. */
export const JUMP_TRAP = -1;

/**
 * Where a `jump_indirect` to `address` (u32) goes: JUMP_FINISHED for 0xFFFF0000, otherwise the
 * instruction index of the jump-table entry `address / 2 - 1` if the address is non-zero and even
 * and the entry is a valid jump target, else JUMP_TRAP.
 */
export function resolveJumpIndirect(code: DecodedCode, address: number): number {
  address >>>= 0;
  if (address === VM_ADDR_RETURN_TO_HOST) return JUMP_FINISHED;
  if (address === 0 || address % VM_CODE_ADDRESS_ALIGNMENT !== 0) return JUMP_TRAP;
  const index = address / VM_CODE_ADDRESS_ALIGNMENT - 1;
  if (index >= code.jumpTable.length) return JUMP_TRAP;
  const target = code.jumpTable[index]!;
  if (code.validJumpTarget[target] !== 1) return JUMP_TRAP;
  return code.indexOfPc[target]!;
}

/** The u32 size an `sbrk` instruction asks for: 64-bit ISAs treat a value that is not a u32 as 0; 32-bit ISAs take the low 32 bits. */
export function sbrkSize(value: bigint, is64Bit: boolean): number {
  if (is64Bit) return value > 0xffffffffn ? 0 : Number(value);
  return Number(value & 0xffffffffn);
}

/** What `memset` did: `written` bytes stored; stopped early for a memory fault or (metered) lack of gas. */
export const MemsetStop = Object.freeze({ done: 0, fault: 1, outOfGas: 2 } as const);
export type MemsetStop = (typeof MemsetStop)[keyof typeof MemsetStop];

/**
 * The byte loop of `memset`: stores `value` at [address, address + count) (address wraps mod 2^32),
 * one gas per byte when metered (checked before each byte, so gas can reach exactly 0), stopping at
 * the first fault (`memory.fault` says which) or when gas is out. Charges the gas it used from
 * `state`. The caller updates A0 (+= written) and A2 (= count - written).
 */
export function memset(
  memory: GuestMemory,
  state: MachineState,
  address: number,
  value: number,
  count: number,
  metered: boolean,
): { written: number; stop: MemsetStop } {
  let allowed = count;
  if (metered) {
    if (state.gas < count) refillGas(state, count);
    allowed = Math.min(count, Math.max(0, state.gas));
  }
  let written = 0;
  if (memory instanceof StandardMemory && allowed > 0) {
    // Whole range inside one writable region: one fill instead of a store per byte.
    const end = address + allowed;
    if (end <= 0x100000000) {
      if (address >= memory.rwAddress && end <= memory.rwAddress + memory.rwSize) {
        memory.rw.fill(value, address - memory.rwAddress, end - memory.rwAddress);
        written = allowed;
      } else if (address >= memory.stackAddress && end <= memory.stackAddress + memory.stackSize) {
        memory.stack.fill(value, address - memory.stackAddress, end - memory.stackAddress);
        written = allowed;
      }
    }
  }
  let faulted = false;
  while (written < allowed) {
    if (!memory.store((address + written) >>> 0, 1, value & 0xff, 0)) {
      faulted = true;
      break;
    }
    written++;
  }
  if (metered) state.gas -= written;
  const stop = written === count ? MemsetStop.done : faulted ? MemsetStop.fault : MemsetStop.outOfGas;
  return { written, stop };
}
