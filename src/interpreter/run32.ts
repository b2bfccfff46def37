// The interpreter loop for the 32-bit ISA (Latest32). Registers hold 32-bit values kept
// sign-extended (POLKAVM.md §2.3), so the whole loop works on int32 numbers in an Int32Array and
// writes the 64-bit register file back only when it stops. This is the fast path the issue asks for:
// no BigInt anywhere.

import { Op } from '../decoder/table.ts';
import { budget, ecalli, FINISHED, NOT_ENOUGH_GAS, STEP, TRAP, type Interrupt } from '../machine/interrupt.ts';
import {
  countSetBits32,
  countTrailingZeroBits32,
  divSigned32,
  divUnsigned32,
  JUMP_FINISHED,
  JUMP_TRAP,
  maximumUnsigned32,
  memset,
  MemsetStop,
  minimumUnsigned32,
  mulUpperSignedSigned32,
  mulUpperSignedUnsigned32,
  mulUpperUnsignedUnsigned32,
  remSigned32,
  remUnsigned32,
  resolveJumpIndirect,
  reverseByte32,
  rotateLeft32,
  rotateRight32,
} from '../machine/ops.ts';
import { Reg, REG_COUNT, Resume, type BackendInstance, type MachineState } from '../machine/state.ts';
import { chargeSlow, DEADLINE_CHECK_INTERVAL, enter } from './entry.ts';
import type { InterpreterProgram } from './program.ts';

// A module-local alias read once: case labels then load from one frozen object, never through an
// import binding (which some loaders turn into a getter call per use).
const O = Op;

export class Interpreter32 implements BackendInstance {
  readonly state: MachineState;
  private readonly p: InterpreterProgram;
  /** Registers as int32 while running (index = register number). */
  private readonly R = new Int32Array(16);
  private readonly regs: Int32Array;
  private deadlineCountdown = DEADLINE_CHECK_INTERVAL;

  constructor(program: InterpreterProgram, state: MachineState) {
    this.p = program;
    this.state = state;
    this.regs = new Int32Array(state.regs32.buffer, state.regs32.byteOffset, REG_COUNT * 2);
  }

  /** Stops at instruction `i`: writes registers back and records where to continue. */
  private stop(i: number, nextIndex: number, resume: Resume, interrupt: Interrupt): Interrupt {
    const s = this.state;
    const R = this.R;
    const regs = this.regs;
    for (let k = 0; k < REG_COUNT; k++) {
      regs[2 * k] = R[k]!;
      regs[2 * k + 1] = R[k]! >> 31;
    }
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

    const R = this.R;
    for (let k = 0; k < REG_COUNT; k++) R[k] = this.regs[2 * k]!;
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
        const op = ops[i]!;
        let address: number;
        let value: number;
        // Cases are ordered roughly by how often real programs execute them: V8 tests them in order.
        switch (op) {
          case O.add_imm_32:
            R[r1[i]!] = (R[r2[i]!]! + imm1[i]!) | 0;
            break;
          case O.load_indirect_i32:
            value = memory.load((R[r2[i]!]! + imm1[i]!) >>> 0, 4);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            R[r1[i]!] = value | 0;
            break;
          case O.store_indirect_u32:
            if (!memory.store((R[r2[i]!]! + imm1[i]!) >>> 0, 4, R[r1[i]!]!, 0)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.move_reg:
            R[r1[i]!] = R[r2[i]!]!;
            break;
          case O.load_imm:
            R[r1[i]!] = imm1[i]!;
            break;
          case O.add_32:
            R[r1[i]!] = (R[r2[i]!]! + R[r3[i]!]!) | 0;
            break;
          case O.sub_32:
            R[r1[i]!] = (R[r2[i]!]! - R[r3[i]!]!) | 0;
            break;
          case O.and:
            R[r1[i]!] = R[r2[i]!]! & R[r3[i]!]!;
            break;
          case O.xor:
            R[r1[i]!] = R[r2[i]!]! ^ R[r3[i]!]!;
            break;
          case O.or:
            R[r1[i]!] = R[r2[i]!]! | R[r3[i]!]!;
            break;
          case O.and_imm:
            R[r1[i]!] = R[r2[i]!]! & imm1[i]!;
            break;
          case O.xor_imm:
            R[r1[i]!] = R[r2[i]!]! ^ imm1[i]!;
            break;
          case O.or_imm:
            R[r1[i]!] = R[r2[i]!]! | imm1[i]!;
            break;
          case O.load_indirect_u8:
            value = memory.load((R[r2[i]!]! + imm1[i]!) >>> 0, 1);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            R[r1[i]!] = value;
            break;
          case O.store_indirect_u8:
            if (!memory.store((R[r2[i]!]! + imm1[i]!) >>> 0, 1, R[r1[i]!]!, 0)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.shift_logical_left_imm_32:
            R[r1[i]!] = R[r2[i]!]! << imm1[i]!;
            break;
          case O.shift_logical_right_imm_32:
            R[r1[i]!] = (R[r2[i]!]! >>> imm1[i]!) | 0;
            break;
          case O.shift_arithmetic_right_imm_32:
            R[r1[i]!] = R[r2[i]!]! >> imm1[i]!;
            break;
          case O.set_less_than_unsigned:
            R[r1[i]!] = R[r2[i]!]! >>> 0 < R[r3[i]!]! >>> 0 ? 1 : 0;
            break;
          case O.set_less_than_signed:
            R[r1[i]!] = R[r2[i]!]! < R[r3[i]!]! ? 1 : 0;
            break;
          case O.set_less_than_unsigned_imm:
            R[r1[i]!] = R[r2[i]!]! >>> 0 < imm1[i]! >>> 0 ? 1 : 0;
            break;
          case O.set_less_than_signed_imm:
            R[r1[i]!] = R[r2[i]!]! < imm1[i]! ? 1 : 0;
            break;
          case O.load_indirect_u16:
            value = memory.load((R[r2[i]!]! + imm1[i]!) >>> 0, 2);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            R[r1[i]!] = value;
            break;
          case O.load_indirect_i8:
            value = memory.load((R[r2[i]!]! + imm1[i]!) >>> 0, 1);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            R[r1[i]!] = (value << 24) >> 24;
            break;
          case O.load_indirect_i16:
            value = memory.load((R[r2[i]!]! + imm1[i]!) >>> 0, 2);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            R[r1[i]!] = (value << 16) >> 16;
            break;
          case O.store_indirect_u16:
            if (!memory.store((R[r2[i]!]! + imm1[i]!) >>> 0, 2, R[r1[i]!]!, 0)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_indirect_u32:
            if (!memory.store((R[r1[i]!]! + imm1[i]!) >>> 0, 4, imm2[i]!, 0)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_indirect_u8:
            if (!memory.store((R[r1[i]!]! + imm1[i]!) >>> 0, 1, imm2[i]!, 0)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_indirect_u16:
            if (!memory.store((R[r1[i]!]! + imm1[i]!) >>> 0, 2, imm2[i]!, 0)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.mul_32:
            R[r1[i]!] = Math.imul(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.mul_imm_32:
            R[r1[i]!] = Math.imul(R[r2[i]!]!, imm1[i]!);
            break;
          case O.shift_logical_left_32:
            R[r1[i]!] = R[r2[i]!]! << R[r3[i]!]!;
            break;
          case O.shift_logical_right_32:
            R[r1[i]!] = (R[r2[i]!]! >>> R[r3[i]!]!) | 0;
            break;
          case O.shift_arithmetic_right_32:
            R[r1[i]!] = R[r2[i]!]! >> R[r3[i]!]!;
            break;
          case O.negate_and_add_imm_32:
            R[r1[i]!] = (imm1[i]! - R[r2[i]!]!) | 0;
            break;
          case O.set_greater_than_unsigned_imm:
            R[r1[i]!] = R[r2[i]!]! >>> 0 > imm1[i]! >>> 0 ? 1 : 0;
            break;
          case O.set_greater_than_signed_imm:
            R[r1[i]!] = R[r2[i]!]! > imm1[i]! ? 1 : 0;
            break;
          case O.shift_logical_left_imm_alt_32:
            R[r1[i]!] = imm1[i]! << R[r2[i]!]!;
            break;
          case O.shift_logical_right_imm_alt_32:
            R[r1[i]!] = (imm1[i]! >>> R[r2[i]!]!) | 0;
            break;
          case O.shift_arithmetic_right_imm_alt_32:
            R[r1[i]!] = imm1[i]! >> R[r2[i]!]!;
            break;
          case O.cmov_if_zero_imm:
            if (R[r2[i]!] === 0) R[r1[i]!] = imm1[i]!;
            break;
          case O.cmov_if_not_zero_imm:
            if (R[r2[i]!] !== 0) R[r1[i]!] = imm1[i]!;
            break;
          case O.cmov_if_zero:
            if (R[r3[i]!] === 0) R[r1[i]!] = R[r2[i]!]!;
            break;
          case O.cmov_if_not_zero:
            if (R[r3[i]!] !== 0) R[r1[i]!] = R[r2[i]!]!;
            break;
          case O.load_u8:
            value = memory.load(imm1[i]! >>> 0, 1);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            R[r1[i]!] = value;
            break;
          case O.load_i8:
            value = memory.load(imm1[i]! >>> 0, 1);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            R[r1[i]!] = (value << 24) >> 24;
            break;
          case O.load_u16:
            value = memory.load(imm1[i]! >>> 0, 2);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            R[r1[i]!] = value;
            break;
          case O.load_i16:
            value = memory.load(imm1[i]! >>> 0, 2);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            R[r1[i]!] = (value << 16) >> 16;
            break;
          case O.load_i32:
            value = memory.load(imm1[i]! >>> 0, 4);
            if (value < 0) return this.stop(i, i, Resume.execute, memory.fault);
            R[r1[i]!] = value | 0;
            break;
          case O.store_u8:
            if (!memory.store(imm1[i]! >>> 0, 1, R[r1[i]!]!, 0)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_u16:
            if (!memory.store(imm1[i]! >>> 0, 2, R[r1[i]!]!, 0)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_u32:
            if (!memory.store(imm1[i]! >>> 0, 4, R[r1[i]!]!, 0)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_u8:
            if (!memory.store(imm1[i]! >>> 0, 1, imm2[i]!, 0)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_u16:
            if (!memory.store(imm1[i]! >>> 0, 2, imm2[i]!, 0)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.store_imm_u32:
            if (!memory.store(imm1[i]! >>> 0, 4, imm2[i]!, 0)) return this.stop(i, i, Resume.execute, memory.fault);
            break;
          case O.div_unsigned_32:
            R[r1[i]!] = divUnsigned32(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.div_signed_32:
            R[r1[i]!] = divSigned32(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.rem_unsigned_32:
            R[r1[i]!] = remUnsigned32(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.rem_signed_32:
            R[r1[i]!] = remSigned32(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.mul_upper_signed_signed:
            R[r1[i]!] = mulUpperSignedSigned32(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.mul_upper_unsigned_unsigned:
            R[r1[i]!] = mulUpperUnsignedUnsigned32(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.mul_upper_signed_unsigned:
            R[r1[i]!] = mulUpperSignedUnsigned32(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.and_inverted:
            R[r1[i]!] = R[r2[i]!]! & ~R[r3[i]!]!;
            break;
          case O.or_inverted:
            R[r1[i]!] = R[r2[i]!]! | ~R[r3[i]!]!;
            break;
          case O.xnor:
            R[r1[i]!] = ~(R[r2[i]!]! ^ R[r3[i]!]!);
            break;
          case O.maximum:
            R[r1[i]!] = Math.max(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.maximum_unsigned:
            R[r1[i]!] = maximumUnsigned32(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.minimum:
            R[r1[i]!] = Math.min(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.minimum_unsigned:
            R[r1[i]!] = minimumUnsigned32(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.rotate_left_32:
            R[r1[i]!] = rotateLeft32(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.rotate_right_32:
            R[r1[i]!] = rotateRight32(R[r2[i]!]!, R[r3[i]!]!);
            break;
          case O.rotate_right_imm_32:
            R[r1[i]!] = rotateRight32(R[r2[i]!]!, imm1[i]!);
            break;
          case O.rotate_right_imm_alt_32:
            R[r1[i]!] = rotateRight32(imm1[i]!, R[r2[i]!]!);
            break;
          case O.count_set_bits_32:
            R[r1[i]!] = countSetBits32(R[r2[i]!]!);
            break;
          case O.count_leading_zero_bits_32:
            R[r1[i]!] = Math.clz32(R[r2[i]!]!);
            break;
          case O.count_trailing_zero_bits_32:
            R[r1[i]!] = countTrailingZeroBits32(R[r2[i]!]!);
            break;
          case O.sign_extend_8:
            R[r1[i]!] = (R[r2[i]!]! << 24) >> 24;
            break;
          case O.sign_extend_16:
            R[r1[i]!] = (R[r2[i]!]! << 16) >> 16;
            break;
          case O.zero_extend_16:
            R[r1[i]!] = R[r2[i]!]! & 0xffff;
            break;
          case O.reverse_byte:
            R[r1[i]!] = reverseByte32(R[r2[i]!]!);
            break;
          case O.unlikely:
            break;
          case O.sbrk: {
            const top = memory.sbrk(R[r2[i]!]! >>> 0);
            if (top === undefined) {
              if (memory.fault.kind === 'budget') return this.stop(i, i, Resume.execute, memory.fault);
              R[r1[i]!] = 0;
            } else R[r1[i]!] = top | 0;
            break;
          }
          case O.memset: {
            const done = memset(memory, s, R[Reg.A0]! >>> 0, R[Reg.A1]! & 0xff, R[Reg.A2]! >>> 0, metered);
            R[Reg.A0] = (R[Reg.A0]! + done.written) | 0;
            R[Reg.A2] = ((R[Reg.A2]! >>> 0) - done.written) | 0;
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
            i = R[r1[i]!] === R[r2[i]!] ? address : i + 1;
            continue outer;
          case O.branch_not_eq:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!] !== R[r2[i]!] ? address : i + 1;
            continue outer;
          case O.branch_less_unsigned:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!]! >>> 0 < R[r2[i]!]! >>> 0 ? address : i + 1;
            continue outer;
          case O.branch_less_signed:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!]! < R[r2[i]!]! ? address : i + 1;
            continue outer;
          case O.branch_greater_or_equal_unsigned:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!]! >>> 0 >= R[r2[i]!]! >>> 0 ? address : i + 1;
            continue outer;
          case O.branch_greater_or_equal_signed:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!]! >= R[r2[i]!]! ? address : i + 1;
            continue outer;
          case O.branch_eq_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!] === imm1[i] ? address : i + 1;
            continue outer;
          case O.branch_not_eq_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!] !== imm1[i] ? address : i + 1;
            continue outer;
          case O.branch_less_unsigned_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!]! >>> 0 < imm1[i]! >>> 0 ? address : i + 1;
            continue outer;
          case O.branch_less_or_equal_unsigned_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!]! >>> 0 <= imm1[i]! >>> 0 ? address : i + 1;
            continue outer;
          case O.branch_greater_or_equal_unsigned_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!]! >>> 0 >= imm1[i]! >>> 0 ? address : i + 1;
            continue outer;
          case O.branch_greater_unsigned_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!]! >>> 0 > imm1[i]! >>> 0 ? address : i + 1;
            continue outer;
          case O.branch_less_signed_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!]! < imm1[i]! ? address : i + 1;
            continue outer;
          case O.branch_less_or_equal_signed_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!]! <= imm1[i]! ? address : i + 1;
            continue outer;
          case O.branch_greater_or_equal_signed_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!]! >= imm1[i]! ? address : i + 1;
            continue outer;
          case O.branch_greater_signed_imm:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = R[r1[i]!]! > imm1[i]! ? address : i + 1;
            continue outer;
          case O.jump:
          case O.fallthrough:
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = address;
            continue outer;
          case O.load_imm_and_jump:
            R[r1[i]!] = imm1[i]!;
            address = jumpIndex[i]!;
            if (address < 0) return this.stop(i, -1, Resume.full, TRAP);
            i = address;
            continue outer;
          case O.jump_indirect:
            address = resolveJumpIndirect(code, (R[r1[i]!]! + imm1[i]!) >>> 0);
            if (address === JUMP_FINISHED) return this.stop(i, -1, Resume.full, FINISHED);
            if (address === JUMP_TRAP) return this.stop(i, -1, Resume.full, TRAP);
            i = address;
            continue outer;
          case O.load_imm_and_jump_indirect:
            // The address comes from the base before `ra` is written: they may be the same register.
            value = (R[r2[i]!]! + imm2[i]!) >>> 0;
            R[r1[i]!] = imm1[i]!;
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
