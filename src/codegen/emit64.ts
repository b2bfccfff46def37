// Instruction emitters for the 64-bit ISAs (ReviveV1, Latest64, JamV1). A register is a pair of
// int32 locals, `rK` (low word) and `hK` (high word): the measured fastest form (bench/README.md,
// Design measurements), and addresses are simply the low word. `_32` instructions compute on the low
// words and sign-extend. Multiplication, division, shifts by a register and rotations go through
// pairs.ts; everything else is a few int32 operations inline.

import type { OpName } from '../decoder/table.ts';
import { OP_NAMES } from '../decoder/table.ts';
import { Reg } from '../machine/state.ts';
import { branch, callDepthCheck, EMIT32, jumpIndirect, type InstructionContext } from './emit32.ts';
import type { Expr, Stmt } from './estree.ts';
import { Exit, exitCode } from './program.ts';
import { Local, N } from './region.ts';

type Emitter = (x: InstructionContext) => Stmt[];

/** An operand: fresh expressions for its two words (AST nodes are not shared). */
interface Pair {
  lo(): Expr;
  hi(): Expr;
  /** The low word when it is a constant (an immediate), as int32. */
  readonly k?: number;
}

const TEMP_HI = 'u';

const reg = (x: InstructionContext, k: number): Pair => ({ lo: () => x.b.reg(k), hi: () => x.b.regHi(k) });
const immPair = (x: InstructionContext, v: number): Pair => ({ lo: () => x.b.f.num(v | 0), hi: () => x.b.f.num(v >> 31), k: v | 0 });
const S1 = (x: InstructionContext): Pair => reg(x, x.r2);
const S2 = (x: InstructionContext): Pair => reg(x, x.r3);
const IMM = (x: InstructionContext): Pair => immPair(x, x.imm1);

/** d = (lo, hi), both computed from the old values before either is written. */
function setPair(x: InstructionContext, d: number, lo: Expr, hi: Expr): Stmt[] {
  const f = x.b.f;
  return [f.set(N.temp, lo), f.set(TEMP_HI, hi), x.b.setReg(d, f.id(N.temp)), x.b.setRegHi(d, f.id(TEMP_HI))];
}
/** d = a value whose high word is its sign (or zero when `zero`). */
function setSext(x: InstructionContext, d: number, lo: Expr, zero = false): Stmt[] {
  const f = x.b.f;
  return [x.b.setReg(d, lo), x.b.setRegHi(d, zero ? f.num(0) : f.bin('>>', x.b.reg(d), f.num(31)))];
}
/** d = helper(...) with the high word from `H.hi`. */
function setFromHelper(x: InstructionContext, d: number, helper: string, args: Expr[]): Stmt[] {
  const f = x.b.f;
  return [f.set(N.temp, f.call(f.id(helper), args)), x.b.setRegHi(d, f.member(f.id('H'), 'hi')), x.b.setReg(d, f.id(N.temp))];
}

const u = (x: InstructionContext, v: Expr): Expr => x.b.f.bin('>>>', v, x.b.f.num(0));
const i32 = (x: InstructionContext, v: Expr): Expr => x.b.f.bin('|', v, x.b.f.num(0));

/**
 * The carry out of the low words of a + b into the high word, as 0 or 1, from bit 31 of the operands
 * and of their wrapped sum (in `t`): int32 operations without a branch. The compare-and-select form
 * (`sum <u a ? 1 : 0`) became a conditional jump in V8's code, mispredicted on about every other word
 * when the low words are random (memory_64 ~950 -> ~1,950 M/s warm, bench/README.md).
 */
function carryOut(x: InstructionContext, a: Pair, b: Pair): Expr {
  const f = x.b.f;
  const sum = f.id(N.temp);
  const bit = (v: Expr): Expr => f.bin('>>>', v, f.num(31));
  const notSum = f.unary('~', sum);
  // With a constant addend bit 31 of b is known: the carry is a31 & ~s31 when it is 0, a31 | ~s31 when 1.
  const [p, q] = b.k !== undefined ? [a, b.k] : a.k !== undefined ? [b, a.k] : [undefined, undefined];
  if (p !== undefined) return bit(f.bin(q! < 0 ? '|' : '&', p.lo(), notSum));
  return bit(f.bin('|', f.bin('&', a.lo(), b.lo()), f.bin('&', f.bin('|', a.lo(), b.lo()), notSum)));
}
/** The borrow out of the low words of a - b, as 0 or 1 (the wrapped difference is in `t`); branch-free as `carryOut`. */
function borrowOut(x: InstructionContext, a: Pair, b: Pair): Expr {
  const f = x.b.f;
  const diff = f.id(N.temp);
  const bit = (v: Expr): Expr => f.bin('>>>', v, f.num(31));
  // A constant minuend: the borrow is b31 | d31 when a31 is 0, b31 & d31 when it is 1.
  if (a.k !== undefined) return bit(f.bin(a.k < 0 ? '&' : '|', b.lo(), diff));
  return bit(f.bin('|', f.bin('&', f.unary('~', a.lo()), b.lo()), f.bin('&', f.unary('~', f.bin('^', a.lo(), b.lo())), diff)));
}

function add(x: InstructionContext, a: Pair, b: Pair): Stmt[] {
  const f = x.b.f;
  return [
    f.set(N.temp, i32(x, f.bin('+', a.lo(), b.lo()))),
    f.set(TEMP_HI, i32(x, f.bin('+', f.bin('+', a.hi(), b.hi()), carryOut(x, a, b)))),
    x.b.setReg(x.r1, f.id(N.temp)),
    x.b.setRegHi(x.r1, f.id(TEMP_HI)),
  ];
}
function sub(x: InstructionContext, a: Pair, b: Pair): Stmt[] {
  const f = x.b.f;
  return [
    f.set(N.temp, i32(x, f.bin('-', a.lo(), b.lo()))),
    f.set(TEMP_HI, i32(x, f.bin('-', f.bin('-', a.hi(), b.hi()), borrowOut(x, a, b)))),
    x.b.setReg(x.r1, f.id(N.temp)),
    x.b.setRegHi(x.r1, f.id(TEMP_HI)),
  ];
}
const bitwise = (op: '&' | '|' | '^', invert: 'none' | 'second' | 'result') => (x: InstructionContext, a: Pair, b: Pair): Stmt[] => {
  const f = x.b.f;
  const word = (p: Expr, q: Expr): Expr => {
    const rhs = invert === 'second' ? f.unary('~', q) : q;
    const v = f.bin(op, p, rhs);
    return invert === 'result' ? f.unary('~', v) : v;
  };
  return setPair(x, x.r1, word(a.lo(), b.lo()), word(a.hi(), b.hi()));
};

type Compare = 'eq' | 'ne' | 'ltu' | 'lts' | 'geu' | 'ges' | 'leu' | 'les' | 'gtu' | 'gts';
/** A 64-bit comparison of two pairs. */
function compare(x: InstructionContext, kind: Compare, a: Pair, b: Pair): Expr {
  const f = x.b.f;
  const lt = (p: Pair, q: Pair, signed: boolean): Expr =>
    f.logical(
      '||',
      signed ? f.bin('<', p.hi(), q.hi()) : f.bin('<', u(x, p.hi()), u(x, q.hi())),
      f.logical('&&', f.bin('===', p.hi(), q.hi()), f.bin('<', u(x, p.lo()), u(x, q.lo()))),
    );
  switch (kind) {
    case 'eq':
      return f.logical('&&', f.bin('===', a.lo(), b.lo()), f.bin('===', a.hi(), b.hi()));
    case 'ne':
      return f.logical('||', f.bin('!==', a.lo(), b.lo()), f.bin('!==', a.hi(), b.hi()));
    case 'ltu':
      return lt(a, b, false);
    case 'lts':
      return lt(a, b, true);
    case 'geu':
      return f.unary('!', lt(a, b, false));
    case 'ges':
      return f.unary('!', lt(a, b, true));
    case 'gtu':
      return lt(b, a, false);
    case 'gts':
      return lt(b, a, true);
    case 'leu':
      return f.unary('!', lt(b, a, false));
    case 'les':
      return f.unary('!', lt(b, a, true));
  }
}
const isZero = (x: InstructionContext, p: Pair): Expr => x.b.f.bin('===', x.b.f.bin('|', p.lo(), p.hi()), x.b.f.num(0));

const branchRR = (kind: Compare): Emitter => (x) => branch(x, compare(x, kind, reg(x, x.r1), reg(x, x.r2)));
const branchImm = (kind: Compare): Emitter => (x) => branch(x, compare(x, kind, reg(x, x.r1), IMM(x)));
const setIf = (x: InstructionContext, test: Expr): Stmt[] => setSext(x, x.r1, x.b.f.cond(test, x.b.f.num(1), x.b.f.num(0)), true);

/** A `_32` instruction: the 32-bit ISA's emitter on the low words, then sign extension. */
const low32 = (name: OpName): Emitter => (x) => [...EMIT32[name](x), x.b.setRegHi(x.r1, x.b.f.bin('>>', x.b.reg(x.r1), x.b.f.num(31)))];

const helperPair = (helper: string, a: (x: InstructionContext) => Pair, b: (x: InstructionContext) => Pair): Emitter => (x) =>
  setFromHelper(x, x.r1, helper, [a(x).lo(), a(x).hi(), b(x).lo(), b(x).hi()]);
/**
 * The low 64 bits of a × b inline, in doubles that stay exact: the low word is `Math.imul` of the low
 * words; the high word is the upper half of the unsigned low-word product, taken in two 16-bit
 * steps of b (each partial product < 2^49), plus the two cross products' low words.
 */
const mulPair = (a: (x: InstructionContext) => Pair, b: (x: InstructionContext) => Pair, constant?: (x: InstructionContext) => number): Emitter => (x) => {
  const f = x.b.f;
  const A = a(x);
  const B = b(x);
  const k = constant?.(x);
  const floor16 = (e: Expr): Expr => f.method('Math', 'floor', [f.bin('/', e, f.num(65536))]);
  const aUnsigned = (): Expr => u(x, A.lo());
  const bLow = (): Expr => (k !== undefined ? f.num(k & 0xffff) : f.bin('&', B.lo(), f.num(0xffff)));
  const bHigh = (): Expr => (k !== undefined ? f.num(k >>> 16) : f.bin('>>>', B.lo(), f.num(16)));
  const terms: Expr[] = [];
  if (k === undefined || k >>> 16 !== 0) terms.push(f.bin('*', aUnsigned(), bHigh()));
  if (k === undefined || (k & 0xffff) !== 0) terms.push(floor16(f.bin('*', aUnsigned(), bLow())));
  const upper = terms.length === 0 ? f.num(0) : terms.length === 1 ? terms[0]! : f.bin('+', terms[0]!, terms[1]!);
  const cross: Expr[] = [];
  if (k === undefined || k >> 31 !== 0) cross.push(f.method('Math', 'imul', [A.lo(), B.hi()]));
  if (k === undefined || k !== 0) cross.push(f.method('Math', 'imul', [A.hi(), B.lo()]));
  let hi: Expr = terms.length === 0 ? f.num(0) : floor16(f.id(N.wide));
  for (const term of cross) hi = f.bin('+', hi, term);
  return [
    f.set(N.wide, upper),
    f.set(TEMP_HI, i32(x, hi)),
    f.set(N.temp, f.method('Math', 'imul', [A.lo(), B.lo()])),
    x.b.setReg(x.r1, f.id(N.temp)),
    x.b.setRegHi(x.r1, f.id(TEMP_HI)),
  ];
};

/** Shift or rotate of pair `value` by the low word of `amount`. */
const shiftBy = (helper: string, value: (x: InstructionContext) => Pair, amount: (x: InstructionContext) => Expr): Emitter => (x) =>
  setFromHelper(x, x.r1, helper, [value(x).lo(), value(x).hi(), amount(x)]);

/** Shifts and rotations of a register by a constant: a few int32 operations, no helper call. */
const shiftImm = (kind: 'shl' | 'shr' | 'sar' | 'rotr'): Emitter => (x) => {
  const f = x.b.f;
  const k = x.imm1 & 63;
  const a = S1(x);
  const n = (v: number): Expr => f.num(v);
  const or = (p: Expr, q: Expr): Expr => f.bin('|', p, q);
  if (k === 0) return setPair(x, x.r1, a.lo(), a.hi());
  if (kind === 'rotr') {
    // Rotating by 32 or more swaps the words first.
    const [lo, hi] = k >= 32 ? [a.hi, a.lo] : [a.lo, a.hi];
    const r = k & 31;
    if (r === 0) return setPair(x, x.r1, lo(), hi());
    return setPair(x, x.r1, or(f.bin('>>>', lo(), n(r)), f.bin('<<', hi(), n(32 - r))), or(f.bin('>>>', hi(), n(r)), f.bin('<<', lo(), n(32 - r))));
  }
  if (kind === 'shl') {
    if (k >= 32) return setPair(x, x.r1, n(0), f.bin('<<', a.lo(), n(k - 32)));
    return setPair(x, x.r1, f.bin('<<', a.lo(), n(k)), or(f.bin('<<', a.hi(), n(k)), f.bin('>>>', a.lo(), n(32 - k))));
  }
  const high = (v: Expr, by: number): Expr => (kind === 'sar' ? f.bin('>>', v, n(by)) : i32(x, f.bin('>>>', v, n(by))));
  if (k >= 32) return setPair(x, x.r1, high(a.hi(), k - 32), kind === 'sar' ? f.bin('>>', a.hi(), n(31)) : n(0));
  return setPair(x, x.r1, or(f.bin('>>>', a.lo(), n(k)), f.bin('<<', a.hi(), n(32 - k))), high(a.hi(), k));
};

const load = (width: 1 | 2 | 4, signed: boolean, indirect: boolean): Emitter => (x) =>
  x.mem.load32(x.i, indirect ? x.r2 : -1, x.imm1, width, signed, (v) => setSext(x, x.r1, v, !signed));
const load64 = (indirect: boolean): Emitter => (x) =>
  // The high word first: both words are read at the offset held in `t`.
  x.mem.load64(x.i, indirect ? x.r2 : -1, x.imm1, (lo, hi) => [x.b.f.set(TEMP_HI, hi), x.b.f.set(N.temp, lo), x.b.setReg(x.r1, x.b.f.id(N.temp)), x.b.setRegHi(x.r1, x.b.f.id(TEMP_HI))]);
const store64 = (form: 'reg' | 'indirect' | 'imm' | 'imm_indirect'): Emitter => (x) => {
  switch (form) {
    case 'reg':
      return x.mem.store64(x.i, -1, x.imm1, () => x.b.reg(x.r1), () => x.b.regHi(x.r1));
    case 'indirect':
      return x.mem.store64(x.i, x.r2, x.imm1, () => x.b.reg(x.r1), () => x.b.regHi(x.r1));
    case 'imm':
      return x.mem.store64(x.i, -1, x.imm1, () => x.b.f.num(x.imm2 | 0), () => x.b.f.num(x.imm2 >> 31));
    case 'imm_indirect':
      return x.mem.store64(x.i, x.r1, x.imm1, () => x.b.f.num(x.imm2 | 0), () => x.b.f.num(x.imm2 >> 31));
  }
};

const minMax = (pick: Compare): Emitter => (x) => {
  const f = x.b.f;
  const a = S1(x);
  const b = S2(x);
  const test = compare(x, pick, a, b);
  return [f.if(test, setPair(x, x.r1, a.lo(), a.hi()), setPair(x, x.r1, b.lo(), b.hi()))];
};

export const EMIT64: { readonly [K in OpName]: Emitter } = {
  ...EMIT32,
  memset: (x) => {
    const f = x.b.f;
    const b = x.b;
    b.uses(Local.gas);
    return [
      f.expr(f.assign(f.member(f.id(N.state), 'gas'), f.id(N.gas))),
      // With one countdown for gas and steps the helper settles what ran so far first.
      ...(b.unifiedCounter ? [f.expr(f.assign(f.member(f.id(N.ctx), 'steps'), f.id(N.steps)))] : []),
      f.set(N.value, f.call(f.id('memset64'), [f.id(N.ctx), b.reg(Reg.A0), b.regHi(Reg.A0), b.reg(Reg.A1), b.reg(Reg.A2)])),
      f.set(N.gas, f.member(f.id(N.state), 'gas')),
      ...(b.unifiedCounter ? [f.set(N.steps, i32(x, f.member(f.id(N.ctx), 'steps')))] : []),
      b.setReg(Reg.A0, f.member(f.id(N.ctx), 'a0')),
      b.setRegHi(Reg.A0, f.member(f.id(N.ctx), 'hi')),
      b.setReg(Reg.A2, f.member(f.id(N.ctx), 'a2')),
      b.setRegHi(Reg.A2, f.num(0)),
      f.if(f.bin('!==', f.id(N.value), f.num(0)), [f.set(N.exit, f.bin('-', f.num(exitCode(Exit.trap, x.i)), f.id(N.value))), f.break(N.loop)]),
    ];
  },
  load_imm64: (x) => setPair(x, x.r1, x.b.f.num(x.imm1 | 0), x.b.f.num(x.imm2 | 0)),
  store_imm_u8: EMIT32.store_imm_u8,
  store_imm_u64: store64('imm'),
  jump_indirect: EMIT32.jump_indirect,
  load_imm: (x) => setPair(x, x.r1, IMM(x).lo(), IMM(x).hi()),
  load_u8: load(1, false, false),
  load_i8: load(1, true, false),
  load_u16: load(2, false, false),
  load_i16: load(2, true, false),
  load_u32: load(4, false, false),
  load_i32: load(4, true, false),
  load_u64: load64(false),
  store_u64: store64('reg'),
  store_imm_indirect_u64: store64('imm_indirect'),
  load_imm_and_jump: (x) => [...callDepthCheck(x), ...setPair(x, x.r1, IMM(x).lo(), IMM(x).hi()), ...x.b.goTo(x.b.p.jumpIndex[x.i]!, x.i)],
  branch_eq_imm: branchImm('eq'),
  branch_not_eq_imm: branchImm('ne'),
  branch_less_unsigned_imm: branchImm('ltu'),
  branch_less_or_equal_unsigned_imm: branchImm('leu'),
  branch_greater_or_equal_unsigned_imm: branchImm('geu'),
  branch_greater_unsigned_imm: branchImm('gtu'),
  branch_less_signed_imm: branchImm('lts'),
  branch_less_or_equal_signed_imm: branchImm('les'),
  branch_greater_or_equal_signed_imm: branchImm('ges'),
  branch_greater_signed_imm: branchImm('gts'),
  move_reg: (x) => setPair(x, x.r1, S1(x).lo(), S1(x).hi()),
  sbrk: (x) => {
    const f = x.b.f;
    x.b.uses(Local.rw);
    // A size that is not a u32 asks for nothing (polkavm's interpreter).
    const size = f.cond(f.bin('!==', x.b.regHi(x.r2), f.num(0)), f.num(0), u(x, x.b.reg(x.r2)));
    return [
      f.set(N.value, f.call(f.id('sbrk'), [f.id(N.memory), size])),
      f.if(f.bin('<', f.id(N.value), f.num(0)), x.b.exit(Exit.fault, x.i)),
      ...setSext(x, x.r1, i32(x, f.id(N.value))),
      f.set(N.rwView, f.member(f.id(N.memory), 'rwView')),
      f.set(N.rwSize, i32(x, f.member(f.id(N.memory), 'rwSize'))),
    ];
  },
  count_set_bits_64: (x) => setSext(x, x.r1, x.b.f.call(x.b.f.id('countSetBits64'), [S1(x).lo(), S1(x).hi()]), true),
  count_set_bits_32: low32('count_set_bits_32'),
  count_leading_zero_bits_64: (x) => {
    const f = x.b.f;
    const clz = (v: Expr): Expr => f.call(f.member(f.id('Math'), 'clz32'), [v]);
    return setSext(x, x.r1, f.cond(f.bin('!==', S1(x).hi(), f.num(0)), clz(S1(x).hi()), f.bin('+', f.num(32), clz(S1(x).lo()))), true);
  },
  count_leading_zero_bits_32: low32('count_leading_zero_bits_32'),
  count_trailing_zero_bits_64: (x) => setSext(x, x.r1, x.b.f.call(x.b.f.id('countTrailingZeroBits64'), [S1(x).lo(), S1(x).hi()]), true),
  count_trailing_zero_bits_32: low32('count_trailing_zero_bits_32'),
  sign_extend_8: low32('sign_extend_8'),
  sign_extend_16: low32('sign_extend_16'),
  zero_extend_16: (x) => setSext(x, x.r1, x.b.f.bin('&', S1(x).lo(), x.b.f.num(0xffff)), true),
  reverse_byte: (x) => {
    const f = x.b.f;
    return setPair(x, x.r1, f.call(f.id('reverseByte32'), [S1(x).hi()]), f.call(f.id('reverseByte32'), [S1(x).lo()]));
  },
  store_indirect_u64: store64('indirect'),
  load_indirect_u8: load(1, false, true),
  load_indirect_i8: load(1, true, true),
  load_indirect_u16: load(2, false, true),
  load_indirect_i16: load(2, true, true),
  load_indirect_u32: load(4, false, true),
  load_indirect_i32: load(4, true, true),
  load_indirect_u64: load64(true),
  add_imm_32: low32('add_imm_32'),
  and_imm: (x) => bitwise('&', 'none')(x, S1(x), IMM(x)),
  xor_imm: (x) => bitwise('^', 'none')(x, S1(x), IMM(x)),
  or_imm: (x) => bitwise('|', 'none')(x, S1(x), IMM(x)),
  mul_imm_32: low32('mul_imm_32'),
  set_less_than_unsigned_imm: (x) => setIf(x, compare(x, 'ltu', S1(x), IMM(x))),
  set_less_than_signed_imm: (x) => setIf(x, compare(x, 'lts', S1(x), IMM(x))),
  shift_logical_left_imm_32: low32('shift_logical_left_imm_32'),
  shift_logical_right_imm_32: low32('shift_logical_right_imm_32'),
  shift_arithmetic_right_imm_32: low32('shift_arithmetic_right_imm_32'),
  negate_and_add_imm_32: low32('negate_and_add_imm_32'),
  set_greater_than_unsigned_imm: (x) => setIf(x, compare(x, 'gtu', S1(x), IMM(x))),
  set_greater_than_signed_imm: (x) => setIf(x, compare(x, 'gts', S1(x), IMM(x))),
  shift_logical_left_imm_alt_32: low32('shift_logical_left_imm_alt_32'),
  shift_logical_right_imm_alt_32: low32('shift_logical_right_imm_alt_32'),
  shift_arithmetic_right_imm_alt_32: low32('shift_arithmetic_right_imm_alt_32'),
  cmov_if_zero_imm: (x) => [x.b.f.if(isZero(x, S1(x)), setPair(x, x.r1, IMM(x).lo(), IMM(x).hi()))],
  cmov_if_not_zero_imm: (x) => [x.b.f.if(x.b.f.unary('!', isZero(x, S1(x))), setPair(x, x.r1, IMM(x).lo(), IMM(x).hi()))],
  add_imm_64: (x) => add(x, S1(x), IMM(x)),
  mul_imm_64: mulPair(S1, IMM, (x) => x.imm1 | 0),
  shift_logical_left_imm_64: shiftImm('shl'),
  shift_logical_right_imm_64: shiftImm('shr'),
  shift_arithmetic_right_imm_64: shiftImm('sar'),
  negate_and_add_imm_64: (x) => sub(x, IMM(x), S1(x)),
  shift_logical_left_imm_alt_64: shiftBy('shl64', IMM, (x) => x.b.reg(x.r2)),
  shift_logical_right_imm_alt_64: shiftBy('shr64', IMM, (x) => x.b.reg(x.r2)),
  shift_arithmetic_right_imm_alt_64: shiftBy('sar64', IMM, (x) => x.b.reg(x.r2)),
  rotate_right_imm_64: shiftImm('rotr'),
  rotate_right_imm_alt_64: shiftBy('rotr64', IMM, (x) => x.b.reg(x.r2)),
  rotate_right_imm_32: low32('rotate_right_imm_32'),
  rotate_right_imm_alt_32: low32('rotate_right_imm_alt_32'),
  branch_eq: branchRR('eq'),
  branch_not_eq: branchRR('ne'),
  branch_less_unsigned: branchRR('ltu'),
  branch_less_signed: branchRR('lts'),
  branch_greater_or_equal_unsigned: branchRR('geu'),
  branch_greater_or_equal_signed: branchRR('ges'),
  load_imm_and_jump_indirect: (x) => {
    const f = x.b.f;
    // The address comes from the base before RA is written: they may be the same register.
    const address = f.set(N.temp, u(x, f.bin('+', x.b.reg(x.r2), f.num(x.imm2))));
    const [head, ...rest] = jumpIndirect(x.b, x.i, address, x.b.p.code.jumpTable.length);
    return [...callDepthCheck(x), head!, x.b.setReg(x.r1, IMM(x).lo()), x.b.setRegHi(x.r1, IMM(x).hi()), ...rest];
  },
  add_32: low32('add_32'),
  sub_32: low32('sub_32'),
  mul_32: low32('mul_32'),
  div_unsigned_32: low32('div_unsigned_32'),
  div_signed_32: low32('div_signed_32'),
  rem_unsigned_32: low32('rem_unsigned_32'),
  rem_signed_32: low32('rem_signed_32'),
  shift_logical_left_32: low32('shift_logical_left_32'),
  shift_logical_right_32: low32('shift_logical_right_32'),
  shift_arithmetic_right_32: low32('shift_arithmetic_right_32'),
  add_64: (x) => add(x, S1(x), S2(x)),
  sub_64: (x) => sub(x, S1(x), S2(x)),
  mul_64: mulPair(S1, S2),
  div_unsigned_64: helperPair('divUnsigned64', S1, S2),
  div_signed_64: helperPair('divSigned64', S1, S2),
  rem_unsigned_64: helperPair('remUnsigned64', S1, S2),
  rem_signed_64: helperPair('remSigned64', S1, S2),
  shift_logical_left_64: shiftBy('shl64', S1, (x) => x.b.reg(x.r3)),
  shift_logical_right_64: shiftBy('shr64', S1, (x) => x.b.reg(x.r3)),
  shift_arithmetic_right_64: shiftBy('sar64', S1, (x) => x.b.reg(x.r3)),
  and: (x) => bitwise('&', 'none')(x, S1(x), S2(x)),
  xor: (x) => bitwise('^', 'none')(x, S1(x), S2(x)),
  or: (x) => bitwise('|', 'none')(x, S1(x), S2(x)),
  mul_upper_signed_signed: helperPair('mulUpperSignedSigned64', S1, S2),
  mul_upper_unsigned_unsigned: helperPair('mulUpperUnsignedUnsigned64', S1, S2),
  mul_upper_signed_unsigned: helperPair('mulUpperSignedUnsigned64', S1, S2),
  set_less_than_unsigned: (x) => setIf(x, compare(x, 'ltu', S1(x), S2(x))),
  set_less_than_signed: (x) => setIf(x, compare(x, 'lts', S1(x), S2(x))),
  cmov_if_zero: (x) => [x.b.f.if(isZero(x, S2(x)), setPair(x, x.r1, S1(x).lo(), S1(x).hi()))],
  cmov_if_not_zero: (x) => [x.b.f.if(x.b.f.unary('!', isZero(x, S2(x))), setPair(x, x.r1, S1(x).lo(), S1(x).hi()))],
  rotate_left_64: shiftBy('rotl64', S1, (x) => x.b.reg(x.r3)),
  rotate_left_32: low32('rotate_left_32'),
  rotate_right_64: shiftBy('rotr64', S1, (x) => x.b.reg(x.r3)),
  rotate_right_32: low32('rotate_right_32'),
  and_inverted: (x) => bitwise('&', 'second')(x, S1(x), S2(x)),
  or_inverted: (x) => bitwise('|', 'second')(x, S1(x), S2(x)),
  xnor: (x) => bitwise('^', 'result')(x, S1(x), S2(x)),
  maximum: minMax('gts'),
  maximum_unsigned: minMax('gtu'),
  minimum: minMax('lts'),
  minimum_unsigned: minMax('ltu'),
};

/** The emitter for an op id (INVALID and ops outside the table trap). */
export function emitter64(op: number): Emitter {
  const name = OP_NAMES[op] as OpName | undefined;
  return name === undefined ? (x) => x.b.exit(Exit.trap, x.i) : EMIT64[name];
}
