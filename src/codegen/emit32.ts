// Instruction emitters for the 32-bit ISA (Latest32). A register is one int32 local (`r0`..`r12`):
// polkavm keeps 32-bit registers sign-extended to 64 bits, so the int32 value is the whole register
// and every 64-bit comparison of two such values equals the same comparison on the int32s (signed)
// or on their `>>> 0` (unsigned). The instructions the ISA does not have never reach here (they
// decode as `invalid`), so their rows only trap.

import { Op, OP_NAMES, type OpName } from '../decoder/table.ts';
import { Reg } from '../machine/state.ts';
import type { Expr, Stmt } from './estree.ts';
import { MemoryEmitter } from './memory.ts';
import { Exit, exitCode } from './program.ts';
import { Local, N, type RegionBuilder } from './region.ts';

export interface InstructionContext {
  readonly b: RegionBuilder;
  readonly mem: MemoryEmitter;
  readonly i: number;
  readonly r1: number;
  readonly r2: number;
  readonly r3: number;
  readonly imm1: number;
  readonly imm2: number;
}

type Emitter = (x: InstructionContext) => Stmt[];

const trap: Emitter = (x) => x.b.exit(Exit.trap, x.i);

// Operand shorthands.
const d = (x: InstructionContext, v: Expr): Stmt[] => [x.b.setReg(x.r1, v)];
const s1 = (x: InstructionContext): Expr => x.b.reg(x.r2);
const s2 = (x: InstructionContext): Expr => x.b.reg(x.r3);
const imm = (x: InstructionContext): Expr => x.b.f.num(x.imm1);
const u = (x: InstructionContext, v: Expr): Expr => x.b.f.bin('>>>', v, x.b.f.num(0));
const i32 = (x: InstructionContext, v: Expr): Expr => x.b.f.bin('|', v, x.b.f.num(0));
const bool = (x: InstructionContext, test: Expr): Expr => x.b.f.cond(test, x.b.f.num(1), x.b.f.num(0));
const call = (x: InstructionContext, helper: string, args: Expr[]): Expr => x.b.f.call(x.b.f.id(helper), args);

/** d = s1 OP s2 */
const alu3 = (op: '+' | '-' | '&' | '|' | '^', wrap: boolean): Emitter => (x) => {
  const v = x.b.f.bin(op, s1(x), s2(x));
  return d(x, wrap ? i32(x, v) : v);
};
/** d = s OP imm */
const aluImm = (op: '+' | '&' | '|' | '^', wrap: boolean): Emitter => (x) => {
  const v = x.b.f.bin(op, s1(x), imm(x));
  return d(x, wrap ? i32(x, v) : v);
};
const helper3 = (name: string): Emitter => (x) => d(x, call(x, name, [s1(x), s2(x)]));

const branchRR = (op: '===' | '!==' | '<' | '>=', unsigned: boolean): Emitter => (x) => {
  const f = x.b.f;
  const a = unsigned ? u(x, x.b.reg(x.r1)) : x.b.reg(x.r1);
  const c = unsigned ? u(x, x.b.reg(x.r2)) : x.b.reg(x.r2);
  return branch(x, f.bin(op, a, c));
};
const branchImm = (op: '===' | '!==' | '<' | '<=' | '>' | '>=', unsigned: boolean): Emitter => (x) => {
  const f = x.b.f;
  const a = unsigned ? u(x, x.b.reg(x.r1)) : x.b.reg(x.r1);
  return branch(x, f.bin(op, a, f.num(unsigned ? x.imm1 >>> 0 : x.imm1)));
};

/** A conditional branch: taken → target; not taken → the next instruction (a block start). */
export function branch(x: InstructionContext, test: Expr): Stmt[] {
  const b = x.b;
  const target = b.p.jumpIndex[x.i]!;
  if (target < 0) return b.exit(Exit.trap, x.i);
  return [b.f.if(test, b.transfer(target, x.i)), ...fallThrough(b, x.i)];
}

/** Continues at instruction i + 1, which starts a block: nothing to emit when its case follows. */
export function fallThrough(b: RegionBuilder, i: number): Stmt[] {
  const next = i + 1;
  if (next < b.p.code.count && b.labelIn(next) !== undefined) return [];
  return b.transfer(next < b.p.code.count ? next : -1, i);
}

/** Most jump-table targets a region tests for by address in `jumpIndirect`. */
const DIRECT_JUMP_TARGETS = 8;

/** polkavm's ABI: a jump writing RA (register 0) is a call, counted against the state's
 * `maxCallDepth` (Infinity unless a host set one); past it, a final stop. */
export function callDepthCheck(x: InstructionContext): Stmt[] {
  if (x.r1 !== 0) return [];
  const f = x.b.f;
  x.b.uses(Local.callDepth);
  return [f.if(f.bin('>', f.assign(N.depth, f.num(1), '+='), f.id(N.maxDepth)), x.b.exit(Exit.callDepth, x.i))];
}

/** A jump through RA is a return. */
export function callReturn(x: InstructionContext): Stmt[] {
  if (x.r1 !== 0) return [];
  const f = x.b.f;
  x.b.uses(Local.callDepth);
  return [f.set(N.depth, f.num(1), '-=')];
}

/** `jump_indirect`: 0xFFFF0000 finishes; otherwise a non-zero even address through the jump table. */
export function jumpIndirect(b: RegionBuilder, i: number, address: Stmt, jumpTableLength: number, isReturn = false): Stmt[] {
  const f = b.f;
  const t = f.id(N.temp);
  // A region with few jump-table targets (return points, mostly) tests for them by address first:
  // cheaper than the table lookups, which then serve only transfers to other regions. A return in a
  // region with more tests first for the return points of the region's calls into its function.
  const all = b.regionJumpTargets();
  const local = all.length <= DIRECT_JUMP_TARGETS ? all : isReturn ? b.returnTargets(i) : [];
  const direct: Stmt[] =
    local.length > 0 && local.length <= DIRECT_JUMP_TARGETS
      ? [f.switch(t, local.map(([address, label]) => f.switchCase(f.num(address), [f.set(N.label, f.num(label)), f.continue(N.loop)])))]
      : [];
  return [
    address,
    ...direct,
    f.if(f.bin('===', t, f.num(0xffff0000)), b.exit(Exit.finished, i)),
    f.set(
      N.value,
      f.cond(
        f.logical('&&', f.bin('===', f.bin('&', t, f.num(1)), f.num(0)), f.logical('&&', f.bin('!==', t, f.num(0)), f.bin('<=', t, f.num(2 * jumpTableLength)))),
        f.index(f.id(N.jumpTable), f.bin('-', f.bin('>>>', t, f.num(1)), f.num(1))),
        f.num(-1),
      ),
    ),
    f.if(f.bin('<', f.id(N.value), f.num(0)), b.exit(Exit.trap, i)),
    ...b.transferDynamic(),
  ];
}

const load = (width: 1 | 2 | 4, signed: boolean, indirect: boolean): Emitter => (x) =>
  indirect
    ? x.mem.load32(x.i, x.r2, x.imm1, width, signed, (v) => d(x, v))
    : x.mem.load32(x.i, -1, x.imm1, width, signed, (v) => d(x, v));
const store = (width: 1 | 2 | 4, form: 'reg' | 'indirect' | 'imm' | 'imm_indirect'): Emitter => (x) => {
  const f = x.b.f;
  switch (form) {
    case 'reg': // store_uN src, [imm]
      return x.mem.store32(x.i, -1, x.imm1, width, () => x.b.reg(x.r1));
    case 'indirect': // store_indirect_uN src, [base + imm]
      return x.mem.store32(x.i, x.r2, x.imm1, width, () => x.b.reg(x.r1));
    case 'imm': // store_imm_uN [imm1], imm2
      return x.mem.store32(x.i, -1, x.imm1, width, () => f.num(x.imm2));
    case 'imm_indirect': // store_imm_indirect_uN [base + imm1], imm2
      return x.mem.store32(x.i, x.r1, x.imm1, width, () => f.num(x.imm2));
  }
};

export const EMIT32: { readonly [K in OpName]: Emitter } = {
  trap,
  fallthrough: (x) => x.b.goTo(x.b.p.jumpIndex[x.i]!, x.i),
  memset: (x) => {
    const f = x.b.f;
    const b = x.b;
    // The helper works on the state: hand it the gas and A0..A2, take them back.
    b.uses(Local.gas);
    return [
      f.expr(f.assign(f.member(f.id(N.state), 'gas'), f.id(N.gas))),
      // With one countdown for gas and steps the helper settles what ran so far first.
      ...(b.unifiedCounter ? [f.expr(f.assign(f.member(f.id(N.ctx), 'steps'), f.id(N.steps)))] : []),
      f.set(N.value, f.call(f.id('memset32'), [f.id(N.ctx), b.reg(Reg.A0), b.reg(Reg.A1), b.reg(Reg.A2)])),
      f.set(N.gas, f.member(f.id(N.state), 'gas')),
      ...(b.unifiedCounter ? [f.set(N.steps, i32(x, f.member(f.id(N.ctx), 'steps')))] : []),
      b.setReg(Reg.A0, f.member(f.id(N.ctx), 'a0')),
      b.setReg(Reg.A2, f.member(f.id(N.ctx), 'a2')),
      // A non-zero result is the exit kind (fault or out of gas).
      f.if(f.bin('!==', f.id(N.value), f.num(0)), [f.set(N.exit, f.bin('-', f.num(exitCode(Exit.trap, x.i)), f.id(N.value))), f.break(N.loop)]),
    ];
  },
  unlikely: () => [],
  ecalli: (x) => x.b.exit(Exit.ecalli, x.i),
  load_imm64: trap,
  store_imm_u8: store(1, 'imm'),
  store_imm_u16: store(2, 'imm'),
  store_imm_u32: store(4, 'imm'),
  store_imm_u64: trap,
  jump: (x) => x.b.goTo(x.b.p.jumpIndex[x.i]!, x.i),
  jump_indirect: (x) => {
    const f = x.b.f;
    const isReturn = x.r1 === 0 && x.imm1 === 0;
    return [...callReturn(x), ...jumpIndirect(x.b, x.i, f.set(N.temp, u(x, f.bin('+', x.b.reg(x.r1), imm(x)))), x.b.p.code.jumpTable.length, isReturn)];
  },
  load_imm: (x) => d(x, imm(x)),
  load_u8: load(1, false, false),
  load_i8: load(1, true, false),
  load_u16: load(2, false, false),
  load_i16: load(2, true, false),
  load_u32: trap,
  load_i32: load(4, true, false),
  load_u64: trap,
  store_u8: store(1, 'reg'),
  store_u16: store(2, 'reg'),
  store_u32: store(4, 'reg'),
  store_u64: trap,
  store_imm_indirect_u8: store(1, 'imm_indirect'),
  store_imm_indirect_u16: store(2, 'imm_indirect'),
  store_imm_indirect_u32: store(4, 'imm_indirect'),
  store_imm_indirect_u64: trap,
  load_imm_and_jump: (x) => [...callDepthCheck(x), ...d(x, imm(x)), ...x.b.goTo(x.b.p.jumpIndex[x.i]!, x.i)],
  branch_eq_imm: branchImm('===', false),
  branch_not_eq_imm: branchImm('!==', false),
  branch_less_unsigned_imm: branchImm('<', true),
  branch_less_or_equal_unsigned_imm: branchImm('<=', true),
  branch_greater_or_equal_unsigned_imm: branchImm('>=', true),
  branch_greater_unsigned_imm: branchImm('>', true),
  branch_less_signed_imm: branchImm('<', false),
  branch_less_or_equal_signed_imm: branchImm('<=', false),
  branch_greater_or_equal_signed_imm: branchImm('>=', false),
  branch_greater_signed_imm: branchImm('>', false),
  move_reg: (x) => d(x, s1(x)),
  sbrk: (x) => {
    const f = x.b.f;
    x.b.uses(Local.rw);
    return [
      f.set(N.value, f.call(f.id('sbrk'), [f.id(N.memory), u(x, s1(x))])),
      f.if(f.bin('<', f.id(N.value), f.num(0)), x.b.exit(Exit.fault, x.i)),
      ...d(x, i32(x, f.id(N.value))),
      // The heap may have moved to a larger array.
      f.set(N.rwView, f.member(f.id(N.memory), 'rwView')),
      f.set(N.rwSize, i32(x, f.member(f.id(N.memory), 'rwSize'))),
    ];
  },
  count_set_bits_64: trap,
  count_set_bits_32: (x) => d(x, call(x, 'countSetBits32', [s1(x)])),
  count_leading_zero_bits_64: trap,
  count_leading_zero_bits_32: (x) => d(x, x.b.f.call(x.b.f.member(x.b.f.id('Math'), 'clz32'), [s1(x)])),
  count_trailing_zero_bits_64: trap,
  count_trailing_zero_bits_32: (x) => d(x, call(x, 'countTrailingZeroBits32', [s1(x)])),
  sign_extend_8: (x) => d(x, x.b.f.bin('>>', x.b.f.bin('<<', s1(x), x.b.f.num(24)), x.b.f.num(24))),
  sign_extend_16: (x) => d(x, x.b.f.bin('>>', x.b.f.bin('<<', s1(x), x.b.f.num(16)), x.b.f.num(16))),
  zero_extend_16: (x) => d(x, x.b.f.bin('&', s1(x), x.b.f.num(0xffff))),
  reverse_byte: (x) => d(x, call(x, 'reverseByte32', [s1(x)])),
  store_indirect_u8: store(1, 'indirect'),
  store_indirect_u16: store(2, 'indirect'),
  store_indirect_u32: store(4, 'indirect'),
  store_indirect_u64: trap,
  load_indirect_u8: load(1, false, true),
  load_indirect_i8: load(1, true, true),
  load_indirect_u16: load(2, false, true),
  load_indirect_i16: load(2, true, true),
  load_indirect_u32: trap,
  load_indirect_i32: load(4, true, true),
  load_indirect_u64: trap,
  add_imm_32: aluImm('+', true),
  and_imm: aluImm('&', false),
  xor_imm: aluImm('^', false),
  or_imm: aluImm('|', false),
  mul_imm_32: (x) => d(x, x.b.f.call(x.b.f.member(x.b.f.id('Math'), 'imul'), [s1(x), imm(x)])),
  set_less_than_unsigned_imm: (x) => d(x, bool(x, x.b.f.bin('<', u(x, s1(x)), x.b.f.num(x.imm1 >>> 0)))),
  set_less_than_signed_imm: (x) => d(x, bool(x, x.b.f.bin('<', s1(x), imm(x)))),
  shift_logical_left_imm_32: (x) => d(x, x.b.f.bin('<<', s1(x), x.b.f.num(x.imm1 & 31))),
  shift_logical_right_imm_32: (x) => d(x, i32(x, x.b.f.bin('>>>', s1(x), x.b.f.num(x.imm1 & 31)))),
  shift_arithmetic_right_imm_32: (x) => d(x, x.b.f.bin('>>', s1(x), x.b.f.num(x.imm1 & 31))),
  negate_and_add_imm_32: (x) => d(x, i32(x, x.b.f.bin('-', imm(x), s1(x)))),
  set_greater_than_unsigned_imm: (x) => d(x, bool(x, x.b.f.bin('>', u(x, s1(x)), x.b.f.num(x.imm1 >>> 0)))),
  set_greater_than_signed_imm: (x) => d(x, bool(x, x.b.f.bin('>', s1(x), imm(x)))),
  shift_logical_left_imm_alt_32: (x) => d(x, x.b.f.bin('<<', imm(x), s1(x))),
  shift_logical_right_imm_alt_32: (x) => d(x, i32(x, x.b.f.bin('>>>', imm(x), s1(x)))),
  shift_arithmetic_right_imm_alt_32: (x) => d(x, x.b.f.bin('>>', imm(x), s1(x))),
  cmov_if_zero_imm: (x) => [x.b.f.if(x.b.f.bin('===', s1(x), x.b.f.num(0)), d(x, imm(x)))],
  cmov_if_not_zero_imm: (x) => [x.b.f.if(x.b.f.bin('!==', s1(x), x.b.f.num(0)), d(x, imm(x)))],
  add_imm_64: trap,
  mul_imm_64: trap,
  shift_logical_left_imm_64: trap,
  shift_logical_right_imm_64: trap,
  shift_arithmetic_right_imm_64: trap,
  negate_and_add_imm_64: trap,
  shift_logical_left_imm_alt_64: trap,
  shift_logical_right_imm_alt_64: trap,
  shift_arithmetic_right_imm_alt_64: trap,
  rotate_right_imm_64: trap,
  rotate_right_imm_alt_64: trap,
  rotate_right_imm_32: (x) => {
    const f = x.b.f;
    const k = x.imm1 & 31;
    return d(x, k === 0 ? s1(x) : i32(x, f.bin('|', f.bin('>>>', s1(x), f.num(k)), f.bin('<<', s1(x), f.num(32 - k)))));
  },
  rotate_right_imm_alt_32: (x) => d(x, call(x, 'rotateRight32', [imm(x), s1(x)])),
  branch_eq: branchRR('===', false),
  branch_not_eq: branchRR('!==', false),
  branch_less_unsigned: branchRR('<', true),
  branch_less_signed: branchRR('<', false),
  branch_greater_or_equal_unsigned: branchRR('>=', true),
  branch_greater_or_equal_signed: branchRR('>=', false),
  load_imm_and_jump_indirect: (x) => {
    const f = x.b.f;
    // The address comes from the base before RA is written: they may be the same register.
    const address = f.set(N.temp, u(x, f.bin('+', x.b.reg(x.r2), f.num(x.imm2))));
    const [head, ...rest] = jumpIndirect(x.b, x.i, address, x.b.p.code.jumpTable.length);
    return [...callDepthCheck(x), head!, ...d(x, imm(x)), ...rest];
  },
  add_32: alu3('+', true),
  sub_32: alu3('-', true),
  mul_32: (x) => d(x, x.b.f.call(x.b.f.member(x.b.f.id('Math'), 'imul'), [s1(x), s2(x)])),
  div_unsigned_32: helper3('divUnsigned32'),
  div_signed_32: helper3('divSigned32'),
  rem_unsigned_32: helper3('remUnsigned32'),
  rem_signed_32: helper3('remSigned32'),
  shift_logical_left_32: (x) => d(x, x.b.f.bin('<<', s1(x), s2(x))),
  shift_logical_right_32: (x) => d(x, i32(x, x.b.f.bin('>>>', s1(x), s2(x)))),
  shift_arithmetic_right_32: (x) => d(x, x.b.f.bin('>>', s1(x), s2(x))),
  add_64: trap,
  sub_64: trap,
  mul_64: trap,
  div_unsigned_64: trap,
  div_signed_64: trap,
  rem_unsigned_64: trap,
  rem_signed_64: trap,
  shift_logical_left_64: trap,
  shift_logical_right_64: trap,
  shift_arithmetic_right_64: trap,
  and: alu3('&', false),
  xor: alu3('^', false),
  or: alu3('|', false),
  mul_upper_signed_signed: helper3('mulUpperSignedSigned32'),
  mul_upper_unsigned_unsigned: helper3('mulUpperUnsignedUnsigned32'),
  mul_upper_signed_unsigned: helper3('mulUpperSignedUnsigned32'),
  set_less_than_unsigned: (x) => d(x, bool(x, x.b.f.bin('<', u(x, s1(x)), u(x, s2(x))))),
  set_less_than_signed: (x) => d(x, bool(x, x.b.f.bin('<', s1(x), s2(x)))),
  cmov_if_zero: (x) => [x.b.f.if(x.b.f.bin('===', s2(x), x.b.f.num(0)), d(x, s1(x)))],
  cmov_if_not_zero: (x) => [x.b.f.if(x.b.f.bin('!==', s2(x), x.b.f.num(0)), d(x, s1(x)))],
  rotate_left_64: trap,
  rotate_left_32: helper3('rotateLeft32'),
  rotate_right_64: trap,
  rotate_right_32: helper3('rotateRight32'),
  and_inverted: (x) => d(x, x.b.f.bin('&', s1(x), x.b.f.unary('~', s2(x)))),
  or_inverted: (x) => d(x, x.b.f.bin('|', s1(x), x.b.f.unary('~', s2(x)))),
  xnor: (x) => d(x, x.b.f.unary('~', x.b.f.bin('^', s1(x), s2(x)))),
  maximum: (x) => d(x, x.b.f.cond(x.b.f.bin('>', s1(x), s2(x)), s1(x), s2(x))),
  maximum_unsigned: (x) => d(x, x.b.f.cond(x.b.f.bin('>', u(x, s1(x)), u(x, s2(x))), s1(x), s2(x))),
  minimum: (x) => d(x, x.b.f.cond(x.b.f.bin('<', s1(x), s2(x)), s1(x), s2(x))),
  minimum_unsigned: (x) => d(x, x.b.f.cond(x.b.f.bin('<', u(x, s1(x)), u(x, s2(x))), s1(x), s2(x))),
};

/** The emitter for an op id (INVALID and ops outside the table trap). */
export function emitter32(op: number): Emitter {
  const name = OP_NAMES[op] as OpName | undefined;
  return name === undefined ? trap : EMIT32[name];
}

export { Op };
