// The interpreter loop for the 64-bit ISAs (Latest64, JamV1, ReviveV1): the clear version. 64-bit
// arithmetic is BigInt on a BigUint64Array (which wraps every store mod 2^64 by itself); 32-bit
// operations, addresses and loads/stores work on the int32 halves of the same buffer, so memory
// access needs no BigInt at all.

import { Op } from '../decoder/table.ts';
import { budget, ecalli, FINISHED, NOT_ENOUGH_GAS, STEP, TRAP, type Interrupt } from '../machine/interrupt.ts';
import {
  countLeadingZeroBits64,
  countSetBits32,
  countTrailingZeroBits32,
  countTrailingZeroBits64,
  divSigned32,
  divSigned64,
  divUnsigned32,
  divUnsigned64,
  JUMP_FINISHED,
  JUMP_TRAP,
  memset,
  MemsetStop,
  mulUpperSignedSigned64,
  mulUpperSignedUnsigned64,
  mulUpperUnsignedUnsigned64,
  remSigned32,
  remSigned64,
  remUnsigned32,
  remUnsigned64,
  resolveJumpIndirect,
  reverseByte64,
  rotateLeft32,
  rotateLeft64,
  rotateRight32,
  rotateRight64,
  sbrkSize,
  shiftArithmeticRight64,
  shiftLogicalLeft64,
  shiftLogicalRight64,
} from '../machine/ops.ts';
import { Reg, Resume, type BackendInstance, type MachineState } from '../machine/state.ts';
import { chargeSlow, DEADLINE_CHECK_INTERVAL, enter } from './entry.ts';
import type { InterpreterProgram } from './program.ts';

// A module-local alias read once: case labels then load from one frozen object, never through an
// import binding (which some loaders turn into a getter call per use).
const O = Op;

/** Writes an int32 result sign-extended to 64 bits (the rule for every `_32` result). */
function set32(L: Int32Array, d: number, value: number): void {
  L[2 * d] = value;
  L[2 * d + 1] = value >> 31;
}
/** Writes a small non-negative result (a count or a 0/1). */
function setSmall(L: Int32Array, d: number, value: number): void {
  L[2 * d] = value;
  L[2 * d + 1] = 0;
}
const isZero = (L: Int32Array, r: number): boolean => L[2 * r] === 0 && L[2 * r + 1] === 0;

/** Immediates as 64-bit values, once per module: sign-extended u64 and signed. */
export interface Immediates64 {
  readonly immU: BigUint64Array;
  readonly immS: BigInt64Array;
}

export function immediates64(program: InterpreterProgram): Immediates64 {
  const imm1 = program.code.imm1;
  const immS = new BigInt64Array(imm1.length);
  for (let k = 0; k < imm1.length; k++) immS[k] = BigInt(imm1[k]!);
  return { immS, immU: new BigUint64Array(immS.buffer) };
}

export class Interpreter64 implements BackendInstance {
  readonly state: MachineState;
  private readonly p: InterpreterProgram;
  private readonly imms: Immediates64;
  private readonly L: Int32Array;
  private readonly S64: BigInt64Array;
  private deadlineCountdown = DEADLINE_CHECK_INTERVAL;

  constructor(program: InterpreterProgram, imms: Immediates64, state: MachineState) {
    this.p = program;
    this.imms = imms;
    this.state = state;
    const regs = state.regs64;
    this.L = new Int32Array(regs.buffer, regs.byteOffset, regs.length * 2);
    this.S64 = new BigInt64Array(regs.buffer, regs.byteOffset, regs.length);
  }

  private stop(i: number, nextIndex: number, resume: Resume, interrupt: Interrupt): Interrupt {
    const s = this.state;
    const code = this.p.code;
    s.pc = code.pc[i]!;
    s.nextPc = nextIndex < 0 ? -1 : code.pc[nextIndex]!;
    s.resume = resume;
    return interrupt;
  }

  run(): Interrupt {
    const s = this.state;
    const p = this.p;
    const entered = enter(p, s);
    if (typeof entered !== 'number') return entered;
    let i = entered;
    let phase: Resume = s.resume;

    const R64 = s.regs64;
    const S64 = this.S64;
    const L = this.L;
    const { immU, immS } = this.imms;
    const code = p.code;
    const ops = code.op;
    const r1 = code.r1;
    const r2 = code.r2;
    const r3 = code.r3;
    const imm1 = code.imm1;
    const imm2 = code.imm2;
    const jumpIndex = p.jumpIndex;
    const blockStart = code.blockStart;
    const blockLength = p.blockLength;
    const blockCosts = p.blockCosts;
    const metered = p.image.gasMetering !== undefined;
    const sync = p.image.gasMetering === 'sync';
    const tracing = p.image.stepTracing;
    const hasDeadline = s.deadline !== Infinity;
    const memory = s.memory;

    outer: for (;;) {
      // ---- block edge: budget, step, gas (in polkavm's handler order) ----
      if (phase !== Resume.execute) {
        if (blockStart[i]) {
          const length = blockLength[i]!;
          if (phase === Resume.full) {
            if (s.instructionBudget < length) return this.stop(i, i, Resume.full, budget('instructions'));
            if (hasDeadline && --this.deadlineCountdown <= 0) {
              this.deadlineCountdown = DEADLINE_CHECK_INTERVAL;
              if (performance.now() >= s.deadline) return this.stop(i, i, Resume.full, budget('deadline'));
            }
            if (tracing) return this.stop(i, i, Resume.afterStep, STEP);
          }
          if (metered) {
            const cost = blockCosts[i]!;
            if (s.gas < cost && !chargeSlow(s, cost)) {
              if (sync) return this.stop(i, i, Resume.afterStep, NOT_ENOUGH_GAS);
              s.gas -= cost;
              return this.stop(i, -1, Resume.full, NOT_ENOUGH_GAS);
            }
            s.gas -= cost;
          }
          s.instructionsExecuted += length;
          s.instructionBudget -= length;
        } else if (phase === Resume.full && tracing) return this.stop(i, i, Resume.afterStep, STEP);
      }
      phase = Resume.full;

      // ---- the block body: non-terminators continue here, terminators go back to the block edge ----
      for (;;) {
        let address: number;
        let value: number;
        switch (ops[i]) {
          case O.load_u8: {
            const d = r1[i]!;
            value = memory.load(imm1[i]! >>> 0, 1);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = value | 0;
            L[2 * d + 1] = 0;
            break;
          }
          case O.load_i8: {
            const d = r1[i]!;
            value = memory.load(imm1[i]! >>> 0, 1);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = (value << 24) >> 24;
            L[2 * d + 1] = L[2 * d]! >> 31;
            break;
          }
          case O.load_u16: {
            const d = r1[i]!;
            value = memory.load(imm1[i]! >>> 0, 2);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = value | 0;
            L[2 * d + 1] = 0;
            break;
          }
          case O.load_i16: {
            const d = r1[i]!;
            value = memory.load(imm1[i]! >>> 0, 2);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = (value << 16) >> 16;
            L[2 * d + 1] = L[2 * d]! >> 31;
            break;
          }
          case O.load_u32: {
            const d = r1[i]!;
            value = memory.load(imm1[i]! >>> 0, 4);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = value | 0;
            L[2 * d + 1] = 0;
            break;
          }
          case O.load_i32: {
            const d = r1[i]!;
            value = memory.load(imm1[i]! >>> 0, 4);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = value | 0;
            L[2 * d + 1] = L[2 * d]! >> 31;
            break;
          }
          case O.load_u64: {
            const d = r1[i]!;
            if (memory.load64(imm1[i]! >>> 0) < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = memory.lo | 0;
            L[2 * d + 1] = memory.hi | 0;
            break;
          }
          case O.load_indirect_u8: {
            const d = r1[i]!;
            value = memory.load((L[2 * r2[i]!]! + imm1[i]!) >>> 0, 1);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = value | 0;
            L[2 * d + 1] = 0;
            break;
          }
          case O.load_indirect_i8: {
            const d = r1[i]!;
            value = memory.load((L[2 * r2[i]!]! + imm1[i]!) >>> 0, 1);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = (value << 24) >> 24;
            L[2 * d + 1] = L[2 * d]! >> 31;
            break;
          }
          case O.load_indirect_u16: {
            const d = r1[i]!;
            value = memory.load((L[2 * r2[i]!]! + imm1[i]!) >>> 0, 2);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = value | 0;
            L[2 * d + 1] = 0;
            break;
          }
          case O.load_indirect_i16: {
            const d = r1[i]!;
            value = memory.load((L[2 * r2[i]!]! + imm1[i]!) >>> 0, 2);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = (value << 16) >> 16;
            L[2 * d + 1] = L[2 * d]! >> 31;
            break;
          }
          case O.load_indirect_u32: {
            const d = r1[i]!;
            value = memory.load((L[2 * r2[i]!]! + imm1[i]!) >>> 0, 4);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = value | 0;
            L[2 * d + 1] = 0;
            break;
          }
          case O.load_indirect_i32: {
            const d = r1[i]!;
            value = memory.load((L[2 * r2[i]!]! + imm1[i]!) >>> 0, 4);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = value | 0;
            L[2 * d + 1] = L[2 * d]! >> 31;
            break;
          }
          case O.load_indirect_u64: {
            const d = r1[i]!;
            if (memory.load64((L[2 * r2[i]!]! + imm1[i]!) >>> 0) < 0) return this.stop(i, i, Resume.execute, memory.fault);
            L[2 * d] = memory.lo | 0;
            L[2 * d + 1] = memory.hi | 0;
            break;
          }
          case O.store_u8:
            if (!memory.store(imm1[i]! >>> 0, 1, L[2 * r1[i]!]!, L[2 * r1[i]! + 1]!)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_indirect_u8:
            if (!memory.store((L[2 * r2[i]!]! + imm1[i]!) >>> 0, 1, L[2 * r1[i]!]!, L[2 * r1[i]! + 1]!)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_u8:
            if (!memory.store(imm1[i]! >>> 0, 1, imm2[i]!, imm2[i]! >> 31)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_indirect_u8:
            if (!memory.store((L[2 * r1[i]!]! + imm1[i]!) >>> 0, 1, imm2[i]!, imm2[i]! >> 31)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_u16:
            if (!memory.store(imm1[i]! >>> 0, 2, L[2 * r1[i]!]!, L[2 * r1[i]! + 1]!)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_indirect_u16:
            if (!memory.store((L[2 * r2[i]!]! + imm1[i]!) >>> 0, 2, L[2 * r1[i]!]!, L[2 * r1[i]! + 1]!)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_u16:
            if (!memory.store(imm1[i]! >>> 0, 2, imm2[i]!, imm2[i]! >> 31)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_indirect_u16:
            if (!memory.store((L[2 * r1[i]!]! + imm1[i]!) >>> 0, 2, imm2[i]!, imm2[i]! >> 31)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_u32:
            if (!memory.store(imm1[i]! >>> 0, 4, L[2 * r1[i]!]!, L[2 * r1[i]! + 1]!)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_indirect_u32:
            if (!memory.store((L[2 * r2[i]!]! + imm1[i]!) >>> 0, 4, L[2 * r1[i]!]!, L[2 * r1[i]! + 1]!)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_u32:
            if (!memory.store(imm1[i]! >>> 0, 4, imm2[i]!, imm2[i]! >> 31)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_indirect_u32:
            if (!memory.store((L[2 * r1[i]!]! + imm1[i]!) >>> 0, 4, imm2[i]!, imm2[i]! >> 31)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_u64:
            if (!memory.store(imm1[i]! >>> 0, 8, L[2 * r1[i]!]!, L[2 * r1[i]! + 1]!)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_indirect_u64:
            if (!memory.store((L[2 * r2[i]!]! + imm1[i]!) >>> 0, 8, L[2 * r1[i]!]!, L[2 * r1[i]! + 1]!)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_u64:
            if (!memory.store(imm1[i]! >>> 0, 8, imm2[i]!, imm2[i]! >> 31)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_indirect_u64:
            if (!memory.store((L[2 * r1[i]!]! + imm1[i]!) >>> 0, 8, imm2[i]!, imm2[i]! >> 31)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.add_imm_32:
            set32(L, r1[i]!, (L[2 * r2[i]!]! + imm1[i]!) | 0);
            break;
          case O.mul_imm_32:
            set32(L, r1[i]!, Math.imul(L[2 * r2[i]!]!, imm1[i]!));
            break;
          case O.shift_logical_left_imm_32:
            set32(L, r1[i]!, L[2 * r2[i]!]! << imm1[i]!);
            break;
          case O.shift_logical_right_imm_32:
            set32(L, r1[i]!, (L[2 * r2[i]!]! >>> imm1[i]!) | 0);
            break;
          case O.shift_arithmetic_right_imm_32:
            set32(L, r1[i]!, L[2 * r2[i]!]! >> imm1[i]!);
            break;
          case O.negate_and_add_imm_32:
            set32(L, r1[i]!, (imm1[i]! - L[2 * r2[i]!]!) | 0);
            break;
          case O.shift_logical_left_imm_alt_32:
            set32(L, r1[i]!, imm1[i]! << L[2 * r2[i]!]!);
            break;
          case O.shift_logical_right_imm_alt_32:
            set32(L, r1[i]!, (imm1[i]! >>> L[2 * r2[i]!]!) | 0);
            break;
          case O.shift_arithmetic_right_imm_alt_32:
            set32(L, r1[i]!, imm1[i]! >> L[2 * r2[i]!]!);
            break;
          case O.rotate_right_imm_32:
            set32(L, r1[i]!, rotateRight32(L[2 * r2[i]!]!, imm1[i]!));
            break;
          case O.rotate_right_imm_alt_32:
            set32(L, r1[i]!, rotateRight32(imm1[i]!, L[2 * r2[i]!]!));
            break;
          case O.add_32:
            set32(L, r1[i]!, (L[2 * r2[i]!]! + L[2 * r3[i]!]!) | 0);
            break;
          case O.sub_32:
            set32(L, r1[i]!, (L[2 * r2[i]!]! - L[2 * r3[i]!]!) | 0);
            break;
          case O.mul_32:
            set32(L, r1[i]!, Math.imul(L[2 * r2[i]!]!, L[2 * r3[i]!]!));
            break;
          case O.div_unsigned_32:
            set32(L, r1[i]!, divUnsigned32(L[2 * r2[i]!]!, L[2 * r3[i]!]!));
            break;
          case O.div_signed_32:
            set32(L, r1[i]!, divSigned32(L[2 * r2[i]!]!, L[2 * r3[i]!]!));
            break;
          case O.rem_unsigned_32:
            set32(L, r1[i]!, remUnsigned32(L[2 * r2[i]!]!, L[2 * r3[i]!]!));
            break;
          case O.rem_signed_32:
            set32(L, r1[i]!, remSigned32(L[2 * r2[i]!]!, L[2 * r3[i]!]!));
            break;
          case O.shift_logical_left_32:
            set32(L, r1[i]!, L[2 * r2[i]!]! << L[2 * r3[i]!]!);
            break;
          case O.shift_logical_right_32:
            set32(L, r1[i]!, (L[2 * r2[i]!]! >>> L[2 * r3[i]!]!) | 0);
            break;
          case O.shift_arithmetic_right_32:
            set32(L, r1[i]!, L[2 * r2[i]!]! >> L[2 * r3[i]!]!);
            break;
          case O.rotate_left_32:
            set32(L, r1[i]!, rotateLeft32(L[2 * r2[i]!]!, L[2 * r3[i]!]!));
            break;
          case O.rotate_right_32:
            set32(L, r1[i]!, rotateRight32(L[2 * r2[i]!]!, L[2 * r3[i]!]!));
            break;
          case O.load_imm:
            set32(L, r1[i]!, imm1[i]!);
            break;
          case O.sign_extend_8:
            set32(L, r1[i]!, (L[2 * r2[i]!]! << 24) >> 24);
            break;
          case O.sign_extend_16:
            set32(L, r1[i]!, (L[2 * r2[i]!]! << 16) >> 16);
            break;
          case O.zero_extend_16:
            setSmall(L, r1[i]!, L[2 * r2[i]!]! & 0xffff);
            break;
          case O.count_set_bits_32:
            setSmall(L, r1[i]!, countSetBits32(L[2 * r2[i]!]!));
            break;
          case O.count_leading_zero_bits_32:
            setSmall(L, r1[i]!, Math.clz32(L[2 * r2[i]!]!));
            break;
          case O.count_trailing_zero_bits_32:
            setSmall(L, r1[i]!, countTrailingZeroBits32(L[2 * r2[i]!]!));
            break;
          case O.count_set_bits_64:
            setSmall(L, r1[i]!, countSetBits32(L[2 * r2[i]!]!) + countSetBits32(L[2 * r2[i]! + 1]!));
            break;
          case O.count_leading_zero_bits_64:
            setSmall(L, r1[i]!, countLeadingZeroBits64(R64[r2[i]!]!));
            break;
          case O.count_trailing_zero_bits_64:
            setSmall(L, r1[i]!, countTrailingZeroBits64(R64[r2[i]!]!));
            break;
          case O.set_less_than_unsigned:
            setSmall(L, r1[i]!, R64[r2[i]!]! < R64[r3[i]!]! ? 1 : 0);
            break;
          case O.set_less_than_signed:
            setSmall(L, r1[i]!, S64[r2[i]!]! < S64[r3[i]!]! ? 1 : 0);
            break;
          case O.set_less_than_unsigned_imm:
            setSmall(L, r1[i]!, R64[r2[i]!]! < immU[i]! ? 1 : 0);
            break;
          case O.set_less_than_signed_imm:
            setSmall(L, r1[i]!, S64[r2[i]!]! < immS[i]! ? 1 : 0);
            break;
          case O.set_greater_than_unsigned_imm:
            setSmall(L, r1[i]!, R64[r2[i]!]! > immU[i]! ? 1 : 0);
            break;
          case O.set_greater_than_signed_imm:
            setSmall(L, r1[i]!, S64[r2[i]!]! > immS[i]! ? 1 : 0);
            break;
          case O.move_reg:
            // A BigUint64Array element stores its value mod 2^64: no explicit wrapping needed.
            R64[r1[i]!] = R64[r2[i]!]!;
            break;
          case O.add_imm_64:
            R64[r1[i]!] = R64[r2[i]!]! + immU[i]!;
            break;
          case O.mul_imm_64:
            R64[r1[i]!] = R64[r2[i]!]! * immU[i]!;
            break;
          case O.and_imm:
            R64[r1[i]!] = R64[r2[i]!]! & immU[i]!;
            break;
          case O.xor_imm:
            R64[r1[i]!] = R64[r2[i]!]! ^ immU[i]!;
            break;
          case O.or_imm:
            R64[r1[i]!] = R64[r2[i]!]! | immU[i]!;
            break;
          case O.shift_logical_left_imm_64:
            R64[r1[i]!] = shiftLogicalLeft64(R64[r2[i]!]!, imm1[i]!);
            break;
          case O.shift_logical_right_imm_64:
            R64[r1[i]!] = shiftLogicalRight64(R64[r2[i]!]!, imm1[i]!);
            break;
          case O.shift_arithmetic_right_imm_64:
            R64[r1[i]!] = shiftArithmeticRight64(R64[r2[i]!]!, imm1[i]!);
            break;
          case O.negate_and_add_imm_64:
            R64[r1[i]!] = immU[i]! - R64[r2[i]!]!;
            break;
          case O.shift_logical_left_imm_alt_64:
            R64[r1[i]!] = shiftLogicalLeft64(immU[i]!, R64[r2[i]!]!);
            break;
          case O.shift_logical_right_imm_alt_64:
            R64[r1[i]!] = shiftLogicalRight64(immU[i]!, R64[r2[i]!]!);
            break;
          case O.shift_arithmetic_right_imm_alt_64:
            R64[r1[i]!] = shiftArithmeticRight64(immU[i]!, R64[r2[i]!]!);
            break;
          case O.rotate_right_imm_64:
            R64[r1[i]!] = rotateRight64(R64[r2[i]!]!, imm1[i]!);
            break;
          case O.rotate_right_imm_alt_64:
            R64[r1[i]!] = rotateRight64(immU[i]!, R64[r2[i]!]!);
            break;
          case O.add_64:
            R64[r1[i]!] = R64[r2[i]!]! + R64[r3[i]!]!;
            break;
          case O.sub_64:
            R64[r1[i]!] = R64[r2[i]!]! - R64[r3[i]!]!;
            break;
          case O.mul_64:
            R64[r1[i]!] = R64[r2[i]!]! * R64[r3[i]!]!;
            break;
          case O.div_unsigned_64:
            R64[r1[i]!] = divUnsigned64(R64[r2[i]!]!, R64[r3[i]!]!);
            break;
          case O.div_signed_64:
            R64[r1[i]!] = divSigned64(R64[r2[i]!]!, R64[r3[i]!]!);
            break;
          case O.rem_unsigned_64:
            R64[r1[i]!] = remUnsigned64(R64[r2[i]!]!, R64[r3[i]!]!);
            break;
          case O.rem_signed_64:
            R64[r1[i]!] = remSigned64(R64[r2[i]!]!, R64[r3[i]!]!);
            break;
          case O.shift_logical_left_64:
            R64[r1[i]!] = shiftLogicalLeft64(R64[r2[i]!]!, L[2 * r3[i]!]!);
            break;
          case O.shift_logical_right_64:
            R64[r1[i]!] = shiftLogicalRight64(R64[r2[i]!]!, L[2 * r3[i]!]!);
            break;
          case O.shift_arithmetic_right_64:
            R64[r1[i]!] = shiftArithmeticRight64(R64[r2[i]!]!, L[2 * r3[i]!]!);
            break;
          case O.and:
            R64[r1[i]!] = R64[r2[i]!]! & R64[r3[i]!]!;
            break;
          case O.xor:
            R64[r1[i]!] = R64[r2[i]!]! ^ R64[r3[i]!]!;
            break;
          case O.or:
            R64[r1[i]!] = R64[r2[i]!]! | R64[r3[i]!]!;
            break;
          case O.mul_upper_signed_signed:
            R64[r1[i]!] = mulUpperSignedSigned64(R64[r2[i]!]!, R64[r3[i]!]!);
            break;
          case O.mul_upper_unsigned_unsigned:
            R64[r1[i]!] = mulUpperUnsignedUnsigned64(R64[r2[i]!]!, R64[r3[i]!]!);
            break;
          case O.mul_upper_signed_unsigned:
            R64[r1[i]!] = mulUpperSignedUnsigned64(R64[r2[i]!]!, R64[r3[i]!]!);
            break;
          case O.rotate_left_64:
            R64[r1[i]!] = rotateLeft64(R64[r2[i]!]!, L[2 * r3[i]!]!);
            break;
          case O.rotate_right_64:
            R64[r1[i]!] = rotateRight64(R64[r2[i]!]!, L[2 * r3[i]!]!);
            break;
          case O.and_inverted:
            R64[r1[i]!] = R64[r2[i]!]! & ~R64[r3[i]!]!;
            break;
          case O.or_inverted:
            R64[r1[i]!] = R64[r2[i]!]! | ~R64[r3[i]!]!;
            break;
          case O.xnor:
            R64[r1[i]!] = ~(R64[r2[i]!]! ^ R64[r3[i]!]!);
            break;
          case O.maximum:
            R64[r1[i]!] = S64[r2[i]!]! > S64[r3[i]!]! ? R64[r2[i]!]! : R64[r3[i]!]!;
            break;
          case O.maximum_unsigned:
            R64[r1[i]!] = R64[r2[i]!]! > R64[r3[i]!]! ? R64[r2[i]!]! : R64[r3[i]!]!;
            break;
          case O.minimum:
            R64[r1[i]!] = S64[r2[i]!]! < S64[r3[i]!]! ? R64[r2[i]!]! : R64[r3[i]!]!;
            break;
          case O.minimum_unsigned:
            R64[r1[i]!] = R64[r2[i]!]! < R64[r3[i]!]! ? R64[r2[i]!]! : R64[r3[i]!]!;
            break;
          case O.reverse_byte:
            R64[r1[i]!] = reverseByte64(R64[r2[i]!]!);
            break;
          case O.load_imm64:
            L[2 * r1[i]!] = imm1[i]!;
            L[2 * r1[i]! + 1] = imm2[i]!;
            break;
          case O.cmov_if_zero_imm:
            if (isZero(L, r2[i]!)) set32(L, r1[i]!, imm1[i]!);
            break;
          case O.cmov_if_not_zero_imm:
            if (!isZero(L, r2[i]!)) set32(L, r1[i]!, imm1[i]!);
            break;
          case O.cmov_if_zero:
            if (isZero(L, r3[i]!)) R64[r1[i]!] = R64[r2[i]!]!;
            break;
          case O.cmov_if_not_zero:
            if (!isZero(L, r3[i]!)) R64[r1[i]!] = R64[r2[i]!]!;
            break;
          case O.unlikely:
            break;
          case O.sbrk: {
            const top = memory.sbrk(sbrkSize(R64[r2[i]!]!, true));
            if (top === undefined) {
              if (memory.fault.kind === 'budget') return this.stop(i, i, Resume.execute, memory.fault);
              R64[r1[i]!] = 0n;
            } else set32(L, r1[i]!, top | 0);
            break;
          }
          case O.memset: {
            const count = L[2 * Reg.A2]! >>> 0;
            const done = memset(memory, s, L[2 * Reg.A0]! >>> 0, L[2 * Reg.A1]! & 0xff, count, metered);
            R64[Reg.A0] = R64[Reg.A0]! + BigInt(done.written);
            setSmall(L, Reg.A2, count - done.written);
            if (done.stop === MemsetStop.fault) return this.stop(i, i, Resume.execute, memory.fault);
            if (done.stop === MemsetStop.outOfGas) {
              if (sync) return this.stop(i, i, Resume.execute, NOT_ENOUGH_GAS);
              return this.stop(i, -1, Resume.full, NOT_ENOUGH_GAS);
            }
            break;
          }
          case O.ecalli:
            return this.stop(i, i + 1, Resume.full, ecalli(imm1[i]!));

          // ---- terminators ----
          case O.branch_eq:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R64[r1[i]!] === R64[r2[i]!] ? address : i + 1;
            continue outer;
          case O.branch_not_eq:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R64[r1[i]!] !== R64[r2[i]!] ? address : i + 1;
            continue outer;
          case O.branch_less_unsigned:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R64[r1[i]!]! < R64[r2[i]!]! ? address : i + 1;
            continue outer;
          case O.branch_less_signed:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = S64[r1[i]!]! < S64[r2[i]!]! ? address : i + 1;
            continue outer;
          case O.branch_greater_or_equal_unsigned:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R64[r1[i]!]! >= R64[r2[i]!]! ? address : i + 1;
            continue outer;
          case O.branch_greater_or_equal_signed:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = S64[r1[i]!]! >= S64[r2[i]!]! ? address : i + 1;
            continue outer;
          case O.branch_eq_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R64[r1[i]!] === immU[i] ? address : i + 1;
            continue outer;
          case O.branch_not_eq_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R64[r1[i]!] !== immU[i] ? address : i + 1;
            continue outer;
          case O.branch_less_unsigned_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R64[r1[i]!]! < immU[i]! ? address : i + 1;
            continue outer;
          case O.branch_less_or_equal_unsigned_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R64[r1[i]!]! <= immU[i]! ? address : i + 1;
            continue outer;
          case O.branch_greater_or_equal_unsigned_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R64[r1[i]!]! >= immU[i]! ? address : i + 1;
            continue outer;
          case O.branch_greater_unsigned_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R64[r1[i]!]! > immU[i]! ? address : i + 1;
            continue outer;
          case O.branch_less_signed_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = S64[r1[i]!]! < immS[i]! ? address : i + 1;
            continue outer;
          case O.branch_less_or_equal_signed_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = S64[r1[i]!]! <= immS[i]! ? address : i + 1;
            continue outer;
          case O.branch_greater_or_equal_signed_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = S64[r1[i]!]! >= immS[i]! ? address : i + 1;
            continue outer;
          case O.branch_greater_signed_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = S64[r1[i]!]! > immS[i]! ? address : i + 1;
            continue outer;
          case O.jump:
          case O.fallthrough:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = address;
            continue outer;
          case O.load_imm_and_jump:
            set32(L, r1[i]!, imm1[i]!);
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = address;
            continue outer;
          case O.jump_indirect:
            address = resolveJumpIndirect(code, (L[2 * r1[i]!]! + imm1[i]!) >>> 0);
            if (address === JUMP_FINISHED) return this.stop(i, -1, Resume.full, FINISHED);
            if (address === JUMP_TRAP) return this.stop(i, -1, Resume.full, TRAP);
            i = address;
            continue outer;
          case O.load_imm_and_jump_indirect:
            // The address comes from the base before `ra` is written: they may be the same register.
            value = (L[2 * r2[i]!]! + imm2[i]!) >>> 0;
            set32(L, r1[i]!, imm1[i]!);
            address = resolveJumpIndirect(code, value);
            if (address === JUMP_FINISHED) return this.stop(i, -1, Resume.full, FINISHED);
            if (address === JUMP_TRAP) return this.stop(i, -1, Resume.full, TRAP);
            i = address;
            continue outer;
          default:
            // `trap`, and every opcode this ISA does not have (decoded as `invalid`).
            return this.stop(i, -1, Resume.full, TRAP);
        }
        i++;
        if (tracing) return this.stop(i, i, Resume.afterStep, STEP);
      }
    }
  }
}
