// One line of instruction text → one instruction (still with symbolic labels, data and import names).
//
// Every line is parsed twice at most. The first pass is polkavm's assembler (assembler.rs), check for
// check in the same order, quirks included; whatever it accepts means exactly what it means there. Only
// when that pass finds nothing (or an instruction the ISA lacks) does the second, "relaxed" pass run,
// which adds the extensions (numeric targets, sbrk, memset, mulh, `-x`, imports, data labels, the
// generic `<name> <operands>` form, 32-bit spellings). So extensions can never change the meaning of
// text polkavm accepts.
import { Op, OP_FORMS, INSTRUCTIONS, type OpName, type OpId } from '../decoder/table.ts';
import {
  immediateI32,
  immediateI32Wrapping,
  parseImm,
  parseImmRelaxed,
  parseImmediate,
  parseReg,
  parseU32,
  parseU32Any,
  REG_NAMES,
} from './numbers.ts';

/** A symbolic jump target: a label (resolved to its basic block) or an absolute code offset. */
export type TargetRef = { kind: 'label'; name: string } | { kind: 'pc'; pc: number };

/** An immediate known only at the end: a data label's address (+ addend) or an import's index. */
export type ValueRef = { kind: 'data'; name: string; addend: number } | { kind: 'import'; name: string };

export interface ParsedInstruction {
  op: OpId;
  r1: number;
  r2: number;
  r3: number;
  imm1: number;
  imm2: number;
  target?: TargetRef;
  imm1Ref?: ValueRef;
  imm2Ref?: ValueRef;
  /** `d = @label`: load_imm of the label's jump-table address (or of a data label's address). */
  labelAddress?: string;
}

/** A line polkavm rejects outright (not merely "no form matched"). */
export class LineError extends Error {
  readonly kind: 'syntax' | 'out-of-range';
  constructor(kind: 'syntax' | 'out-of-range', detail: string) {
    super(detail);
    this.kind = kind;
  }
}

export interface LineContext {
  /** The ISA is 32-bit (Latest32): relaxed parsing reads u32 patterns as i32 and prefers `_32` forms. */
  is32: boolean;
  relaxed: boolean;
  /** `d = s if c != 0` means cmov_if_not_zero, not polkavm's cmov_if_zero (AssembleOptions.exactCmov). */
  exactCmov?: boolean;
}

function inst(op: OpName, fields: Partial<ParsedInstruction> = {}): ParsedInstruction {
  return { op: Op[op], r1: 0, r2: 0, r3: 0, imm1: 0, imm2: 0, ...fields };
}

/** polkavm `split`: first occurrence of `separator`, both halves trimmed. */
function split(text: string, separator: string): [string, string] | undefined {
  const index = text.indexOf(separator);
  if (index < 0) return undefined;
  return [text.slice(0, index).trim(), text.slice(index + separator.length).trim()];
}

type RegImm = { reg: number } | { imm: number };

const Cond = {
  eq: 'eq',
  ne: 'ne',
  lts: 'lts',
  ltu: 'ltu',
  les: 'les',
  leu: 'leu',
  gts: 'gts',
  gtu: 'gtu',
  ges: 'ges',
  geu: 'geu',
} as const;
type Cond = (typeof Cond)[keyof typeof Cond];

const CONDITION_TOKENS: Readonly<Record<string, Cond>> = {
  '<u': 'ltu',
  '<s': 'lts',
  '<=u': 'leu',
  '<=s': 'les',
  '>u': 'gtu',
  '>s': 'gts',
  '>=u': 'geu',
  '>=s': 'ges',
  '==': 'eq',
  '!=': 'ne',
};

const REVERSED: Readonly<Record<Cond, Cond>> = {
  eq: 'eq',
  ne: 'ne',
  lts: 'gts',
  ltu: 'gtu',
  les: 'ges',
  leu: 'geu',
  gts: 'lts',
  gtu: 'ltu',
  ges: 'les',
  geu: 'leu',
};

/** Branch on two registers; `<=` and `>` have no instruction and swap operands (as polkavm does). */
const BRANCH_REG: Readonly<Record<Cond, [OpName, boolean]>> = {
  eq: ['branch_eq', false],
  ne: ['branch_not_eq', false],
  lts: ['branch_less_signed', false],
  ltu: ['branch_less_unsigned', false],
  ges: ['branch_greater_or_equal_signed', false],
  geu: ['branch_greater_or_equal_unsigned', false],
  les: ['branch_greater_or_equal_signed', true],
  leu: ['branch_greater_or_equal_unsigned', true],
  gts: ['branch_less_signed', true],
  gtu: ['branch_less_unsigned', true],
};

const BRANCH_IMM: Readonly<Record<Cond, OpName>> = {
  eq: 'branch_eq_imm',
  ne: 'branch_not_eq_imm',
  lts: 'branch_less_signed_imm',
  ltu: 'branch_less_unsigned_imm',
  ges: 'branch_greater_or_equal_signed_imm',
  geu: 'branch_greater_or_equal_unsigned_imm',
  les: 'branch_less_or_equal_signed_imm',
  leu: 'branch_less_or_equal_unsigned_imm',
  gts: 'branch_greater_signed_imm',
  gtu: 'branch_greater_unsigned_imm',
};

interface Condition {
  kind: Cond;
  lhs: RegImm;
  rhs: RegImm;
}

function parseRegOrImm(text: string, ctx: LineContext): RegImm | undefined {
  const imm = ctx.relaxed ? parseImmRelaxed(text) : parseImm(text);
  if (imm !== undefined) return { imm };
  const reg = parseReg(text);
  return reg === undefined ? undefined : { reg };
}

function parseCondition(input: string, ctx: LineContext): Condition | undefined {
  const first = split(input.trim(), ' ');
  if (!first) return undefined;
  const lhs = parseRegOrImm(first[0], ctx);
  if (!lhs) return undefined;
  const second = split(first[1], ' ');
  if (!second) return undefined;
  const kind = CONDITION_TOKENS[second[0]];
  if (!kind) return undefined;
  const rhs = parseRegOrImm(second[1], ctx);
  return rhs ? { kind, lhs, rhs } : undefined;
}

function branch(target: TargetRef, cond: Condition): ParsedInstruction {
  const { lhs, rhs } = cond;
  if ('reg' in lhs && 'reg' in rhs) {
    const [op, swap] = BRANCH_REG[cond.kind];
    return inst(op, { r1: swap ? rhs.reg : lhs.reg, r2: swap ? lhs.reg : rhs.reg, target });
  }
  if ('reg' in lhs && 'imm' in rhs) return inst(BRANCH_IMM[cond.kind], { r1: lhs.reg, imm1: rhs.imm, target });
  if ('imm' in lhs && 'reg' in rhs) return inst(BRANCH_IMM[REVERSED[cond.kind]], { r1: rhs.reg, imm1: lhs.imm, target });
  throw new LineError('syntax', 'both arguments cannot be immediates');
}

interface MemoryOperand {
  base: number;
  offset: number;
}

/** polkavm `parse_indirect_memory_access`: `[reg]` or `[reg + imm]`. */
function parseIndirect(input: string, ctx: LineContext): MemoryOperand | undefined {
  const text = input.trim();
  if (!text.startsWith('[') || !text.endsWith(']') || text.length < 2) return undefined;
  const inner = text.slice(1, -1);
  const plus = inner.indexOf('+');
  if (plus >= 0) {
    const base = parseReg(inner.slice(0, plus).trim());
    if (base === undefined) return undefined;
    const offset = ctx.relaxed ? parseImmRelaxed(inner.slice(plus + 1)) : parseImm(inner.slice(plus + 1));
    return offset === undefined ? undefined : { base, offset };
  }
  const base = parseReg(inner);
  return base === undefined ? undefined : { base, offset: 0 };
}

/** An immediate or a data-label reference (`@name`, `@name + 4`); the latter only when relaxed. */
type Address = { imm: number; ref?: ValueRef };

const DATA_REF = /^@([^\s+\-@]+)\s*(?:([+-])\s*(\S+))?$/;

export function parseDataRef(text: string): ValueRef | undefined {
  const m = DATA_REF.exec(text.trim());
  if (!m) return undefined;
  let addend = 0;
  if (m[2] !== undefined) {
    const v = parseImmRelaxed(m[3]!);
    if (v === undefined) return undefined;
    addend = m[2] === '-' ? -v : v;
  }
  return { kind: 'data', name: m[1]!, addend };
}

/** polkavm `parse_absolute_memory_access`: `[imm]`; relaxed also `[@data_label + n]`. */
function parseAbsolute(input: string, ctx: LineContext): Address | undefined {
  const text = input.trim();
  if (!text.startsWith('[') || !text.endsWith(']') || text.length < 2) return undefined;
  const inner = text.slice(1, -1);
  if (!ctx.relaxed) {
    const imm = parseImm(inner);
    return imm === undefined ? undefined : { imm };
  }
  const imm = parseImmRelaxed(inner);
  if (imm !== undefined) return { imm };
  const ref = parseDataRef(inner);
  return ref ? { imm: 0, ref } : undefined;
}

/** polkavm's long form `tmp = base, dst = value, jump [tmp + offset]` (dst may equal base). */
function parseTmpJump(input: string, ctx: LineContext): ParsedInstruction | undefined {
  const imm = ctx.relaxed ? parseImmRelaxed : parseImm;
  const trimmed = input.trim();
  if (!trimmed.startsWith('tmp')) return undefined;
  let line = trimmed.slice(3);
  if (!line.startsWith('=') && line.trimStart() === line) return undefined;
  line = line.trim();
  if (!line.startsWith('=')) return undefined;
  line = line.slice(1);
  let index = line.indexOf(',');
  if (index < 0) return undefined;
  const base = parseReg(line.slice(0, index).trim());
  if (base === undefined) return undefined;
  line = line.slice(index + 1).trim();
  index = line.indexOf('=');
  if (index < 0) return undefined;
  const dst = parseReg(line.slice(0, index).trim());
  if (dst === undefined) return undefined;
  line = line.slice(index + 1).trim();
  index = line.indexOf(',');
  if (index < 0) return undefined;
  const value = imm(line.slice(0, index).trim());
  if (value === undefined) return undefined;
  line = line.slice(index + 1).trim();
  if (!line.startsWith('jump')) return undefined;
  const text = line.slice(4).trim();
  if (!text.startsWith('[') || !text.endsWith(']') || text.length < 2) return undefined;
  const inner = text.slice(1, -1);
  const plus = inner.indexOf('+');
  let offset = 0;
  if (plus >= 0) {
    if (inner.slice(0, plus).trim() !== 'tmp') return undefined;
    const o = imm(inner.slice(plus + 1));
    if (o === undefined) return undefined;
    offset = o;
  } else if (inner.trim() !== 'tmp') return undefined;
  return inst('load_imm_and_jump_indirect', { r1: dst, r2: base, imm1: value, imm2: offset });
}

// The binary operators, in the order polkavm searches for them: the first one found anywhere in the
// right-hand side wins, at its first occurrence.
const BinOp = {
  add: 'add',
  andInverted: 'and_inverted',
  and: 'and',
  orInverted: 'or_inverted',
  or: 'or',
  xor: 'xor',
  mul: 'mul',
  divU: 'div_u',
  divS: 'div_s',
  remU: 'rem_u',
  remS: 'rem_s',
  sra: 'sra',
  ror: 'ror',
  rol: 'rol',
  shl: 'shl',
  shr: 'shr',
  ltu: 'ltu',
  lts: 'lts',
  gtu: 'gtu',
  gts: 'gts',
  sub: 'sub',
} as const;
type BinOp = (typeof BinOp)[keyof typeof BinOp];

const BIN_OP_TOKENS: readonly (readonly [string, BinOp])[] = [
  ['+', 'add'],
  ['& ~', 'and_inverted'],
  ['&', 'and'],
  ['| ~', 'or_inverted'],
  ['|', 'or'],
  ['^', 'xor'],
  ['*', 'mul'],
  ['/u', 'div_u'],
  ['/s', 'div_s'],
  ['%u', 'rem_u'],
  ['%s', 'rem_s'],
  ['>>a', 'sra'],
  ['>>r', 'ror'],
  ['<<r', 'rol'],
  ['<<', 'shl'],
  ['>>', 'shr'],
  ['<u', 'ltu'],
  ['<s', 'lts'],
  ['>u', 'gtu'],
  ['>s', 'gts'],
  ['-', 'sub'],
];

// What each operator becomes, per operand shape and `i32` marker. A string starting with '!' is
// polkavm's error for that combination; '~' marks the swapped-operand forms of `>u`/`>s`.
type Mapping = Readonly<Record<BinOp, string>>;
const I32_NO = '!i32 not supported for operation';

const REG_REG_64: Mapping = {
  add: 'add_64',
  sub: 'sub_64',
  and: 'and',
  xor: 'xor',
  or: 'or',
  mul: 'mul_64',
  div_u: 'div_unsigned_64',
  div_s: 'div_signed_64',
  rem_u: 'rem_unsigned_64',
  rem_s: 'rem_signed_64',
  ltu: 'set_less_than_unsigned',
  lts: 'set_less_than_signed',
  gtu: '~set_less_than_unsigned',
  gts: '~set_less_than_signed',
  shl: 'shift_logical_left_64',
  shr: 'shift_logical_right_64',
  sra: 'shift_arithmetic_right_64',
  rol: 'rotate_left_64',
  ror: 'rotate_right_64',
  and_inverted: 'and_inverted',
  or_inverted: 'or_inverted',
};
const REG_REG_32: Mapping = {
  add: 'add_32',
  sub: 'sub_32',
  and: I32_NO,
  xor: I32_NO,
  or: I32_NO,
  mul: 'mul_32',
  div_u: 'div_unsigned_32',
  div_s: 'div_signed_32',
  rem_u: 'rem_unsigned_32',
  rem_s: 'rem_signed_32',
  ltu: I32_NO,
  lts: I32_NO,
  gtu: I32_NO,
  gts: I32_NO,
  shl: 'shift_logical_left_32',
  shr: 'shift_logical_right_32',
  sra: 'shift_arithmetic_right_32',
  rol: 'rotate_left_32',
  ror: 'rotate_right_32',
  and_inverted: I32_NO,
  or_inverted: I32_NO,
};
const REG_IMM_64: Mapping = {
  add: 'add_imm_64',
  sub: '-add_imm_64',
  and: 'and_imm',
  xor: 'xor_imm',
  or: 'or_imm',
  mul: 'mul_imm_64',
  div_u: '!division is not supported for immediates',
  div_s: '!division is not supported for immediates',
  rem_u: '!modulo is not supported for immediates',
  rem_s: '!modulo is not supported for immediates',
  ltu: 'set_less_than_unsigned_imm',
  lts: 'set_less_than_signed_imm',
  gtu: 'set_greater_than_unsigned_imm',
  gts: 'set_greater_than_signed_imm',
  shl: 'shift_logical_left_imm_64',
  shr: 'shift_logical_right_imm_64',
  sra: 'shift_arithmetic_right_imm_64',
  rol: '!rotate_left not supported for immediates',
  ror: 'rotate_right_imm_64',
  and_inverted: '!and_inverted not supported for immediates',
  or_inverted: '!or_inverted not supported for immediates',
};
const REG_IMM_32: Mapping = {
  add: 'add_imm_32',
  sub: '-add_imm_32',
  and: I32_NO,
  xor: I32_NO,
  or: I32_NO,
  mul: 'mul_imm_32',
  div_u: '!i32 and division is not supported for immediates',
  div_s: '!i32 and division is not supported for immediates',
  rem_u: '!i32 and modulo is not supported for immediates',
  rem_s: '!i32 and modulo is not supported for immediates',
  ltu: I32_NO,
  lts: I32_NO,
  gtu: I32_NO,
  gts: I32_NO,
  shl: 'shift_logical_left_imm_32',
  shr: 'shift_logical_right_imm_32',
  sra: 'shift_arithmetic_right_imm_32',
  rol: I32_NO,
  ror: 'rotate_right_imm_32',
  and_inverted: '!i32 and and_inverted not supported for immediates',
  or_inverted: '!i32 and or_inverted not supported for immediates',
};
const IMM_REG_64: Mapping = {
  add: 'add_imm_64',
  sub: 'negate_and_add_imm_64',
  and: 'and_imm',
  xor: 'xor_imm',
  or: 'or_imm',
  mul: 'mul_imm_64',
  div_u: '!division is not supported for immediates',
  div_s: '!division is not supported for immediates',
  rem_u: '!modulo is not supported for immediates',
  rem_s: '!modulo is not supported for immediates',
  ltu: 'set_greater_than_unsigned_imm',
  lts: 'set_greater_than_signed_imm',
  gtu: 'set_less_than_unsigned_imm',
  gts: 'set_less_than_signed_imm',
  shl: 'shift_logical_left_imm_alt_64',
  shr: 'shift_logical_right_imm_alt_64',
  sra: 'shift_arithmetic_right_imm_alt_64',
  rol: '!i64 not supported for operation',
  ror: 'rotate_right_imm_alt_64',
  and_inverted: '!and_inverted not supported for immediates',
  or_inverted: '!or_inverted not supported for immediates',
};
const IMM_REG_32: Mapping = {
  add: 'add_imm_32',
  sub: 'negate_and_add_imm_32',
  and: I32_NO,
  xor: I32_NO,
  or: I32_NO,
  mul: 'mul_imm_32',
  div_u: '!i32 and division is not supported for immediates',
  div_s: '!i32 and division is not supported for immediates',
  rem_u: '!i32 and modulo is not supported for immediates',
  rem_s: '!i32 and modulo is not supported for immediates',
  ltu: I32_NO,
  lts: I32_NO,
  gtu: I32_NO,
  gts: I32_NO,
  shl: 'shift_logical_left_imm_alt_32',
  shr: 'shift_logical_right_imm_alt_32',
  sra: 'shift_arithmetic_right_imm_alt_32',
  rol: '!i32 and rotate_left is not supported for immediates',
  ror: 'rotate_right_imm_alt_32',
  and_inverted: '!i32 and and_inverted not supported for operation',
  or_inverted: '!i32 and or_inverted not supported for operation',
};

function mapped(entry: string): { op: OpName; swap: boolean; negate: boolean } {
  if (entry.startsWith('!')) throw new LineError('syntax', entry.slice(1));
  const swap = entry.startsWith('~');
  const negate = entry.startsWith('-');
  return { op: (swap || negate ? entry.slice(1) : entry) as OpName, swap, negate };
}

const UNARY: Readonly<Record<string, readonly [OpName, OpName]>> = {
  // name → [without i32 marker, with it]
  cpop: ['count_set_bits_64', 'count_set_bits_32'],
  clz: ['count_leading_zero_bits_64', 'count_leading_zero_bits_32'],
  ctz: ['count_trailing_zero_bits_64', 'count_trailing_zero_bits_32'],
  sext8: ['sign_extend_8', 'sign_extend_8'],
  sext16: ['sign_extend_16', 'sign_extend_16'],
  zext16: ['zero_extend_16', 'zero_extend_16'],
  reverse: ['reverse_byte', 'reverse_byte'],
};

const MIN_MAX: Readonly<Record<string, OpName>> = { maxs: 'maximum', maxu: 'maximum_unsigned', mins: 'minimum', minu: 'minimum_unsigned' };

const MUL_UPPER: Readonly<Record<string, OpName>> = {
  mulh: 'mul_upper_signed_signed',
  mulhu: 'mul_upper_unsigned_unsigned',
  mulhsu: 'mul_upper_signed_unsigned',
};

const LOAD_PREFIXES: readonly (readonly [string, OpName, OpName])[] = [
  ['u8', 'load_indirect_u8', 'load_u8'],
  ['u16', 'load_indirect_u16', 'load_u16'],
  ['u32', 'load_indirect_u32', 'load_u32'],
  ['u64', 'load_indirect_u64', 'load_u64'],
  ['i8', 'load_indirect_i8', 'load_i8'],
  ['i16', 'load_indirect_i16', 'load_i16'],
  ['i32', 'load_indirect_i32', 'load_i32'],
];

// [prefix, store reg absolute, store imm absolute, store reg indirect, store imm indirect, bits]
const STORE_PREFIXES: readonly (readonly [string, OpName, OpName, OpName, OpName, number])[] = [
  ['u8', 'store_u8', 'store_imm_u8', 'store_indirect_u8', 'store_imm_indirect_u8', 8],
  ['u16', 'store_u16', 'store_imm_u16', 'store_indirect_u16', 'store_imm_indirect_u16', 16],
  ['u32', 'store_u32', 'store_imm_u32', 'store_indirect_u32', 'store_imm_indirect_u32', 32],
  ['u64', 'store_u64', 'store_imm_u64', 'store_indirect_u64', 'store_imm_indirect_u64', 64],
];

/**
 * polkavm's assembler requires `0 <= value < 2^bits` for u8/u16 store immediates. Its own linker emits
 * others (riscv-tests `sb` stores 0xffffefa0; the instruction keeps the low bits) and its disassembler
 * prints them, so the relaxed pass accepts any 32-bit value there.
 */
function checkStoreValue(value: number, bits: number, prefix: string, relaxed: boolean): void {
  if (bits >= 32 || relaxed) return;
  if (value < 0 || value >= 2 ** bits) throw new LineError('out-of-range', `immediate larger than ${prefix}`);
}

/**
 * Parses one trimmed instruction line. Returns undefined when no form matches; throws LineError where
 * polkavm reports a specific error.
 */
export function parseInstructionLine(line: string, ctx: LineContext): ParsedInstruction | undefined {
  const relaxed = ctx.relaxed;

  if (relaxed) {
    const extension = parseExtension(line, ctx);
    if (extension) return extension;
  }

  if (line === 'trap') return inst('trap');
  if (line === 'fallthrough') return inst('fallthrough');
  if (line === 'unlikely') return inst('unlikely');
  if (line === 'ret') return inst('jump_indirect', { r1: 0 });
  if (line === 'nop') return inst('move_reg', { r1: 0, r2: 0 });

  if (line.startsWith('ecalli ')) {
    const index = parseU32(line.slice(7).trim());
    if (index !== undefined) return inst('ecalli', { imm1: index | 0 });
  }

  if (line.startsWith('jump ')) {
    const rest = line.slice(5).trim();
    if (rest.startsWith('@')) {
      const labelText = rest.slice(1);
      const space = labelText.indexOf(' ');
      if (space >= 0) {
        const target: TargetRef = { kind: 'label', name: labelText.slice(0, space) };
        return conditionalJump(target, labelText.slice(space + 1).trim(), line, ctx);
      }
      return inst('jump', { target: { kind: 'label', name: labelText } });
    }
    const m = parseIndirect(rest, ctx);
    if (m) return inst('jump_indirect', { r1: m.base, imm1: m.offset });
  }

  const tmp = parseTmpJump(line, ctx);
  if (tmp) return tmp;

  const eq = line.indexOf('=');
  if (eq < 0) return undefined;
  let lhs = line.slice(0, eq).trim();
  const rhs = line.slice(eq + 1).trim();
  let marker32 = false;
  if (lhs.startsWith('i32 ')) {
    marker32 = true;
    lhs = lhs.slice(4);
  }
  // Extension: on a 32-bit ISA, or after `i32`, a u32 bit pattern is accepted as the i32 it encodes.
  const arith = relaxed && (ctx.is32 || marker32) ? immediateI32Wrapping : immediateI32;

  const dst = parseReg(lhs);
  if (dst !== undefined) {
    const parsed = parseAssignment(dst, rhs, marker32, ctx, arith);
    if (parsed) return parsed;
  }

  for (const [prefix, storeReg, storeImm, storeIndirect, storeImmIndirect, bits] of STORE_PREFIXES) {
    if (!lhs.startsWith(prefix)) continue;
    const address = lhs.slice(prefix.length);
    const absolute = parseAbsolute(address, ctx);
    if (absolute) {
      const src = parseReg(rhs);
      if (src !== undefined) return inst(storeReg, { r1: src, imm1: absolute.imm, imm1Ref: absolute.ref });
      const value = arith(rhs);
      if (value !== undefined) {
        checkStoreValue(value, bits, prefix, relaxed);
        return inst(storeImm, { imm1: absolute.imm, imm1Ref: absolute.ref, imm2: value });
      }
    } else {
      const indirect = parseIndirect(address, ctx);
      if (indirect) {
        const src = parseReg(rhs);
        if (src !== undefined) return inst(storeIndirect, { r1: src, r2: indirect.base, imm1: indirect.offset });
        const value = arith(rhs);
        if (value !== undefined) {
          checkStoreValue(value, bits, prefix, relaxed);
          return inst(storeImmIndirect, { r1: indirect.base, imm1: indirect.offset, imm2: value });
        }
      }
    }
    break;
  }
  return undefined;
}

function conditionalJump(target: TargetRef, tail: string, line: string, ctx: LineContext): ParsedInstruction {
  if (!tail.startsWith('if ')) throw new LineError('syntax', `cannot parse "${line}"`);
  const cond = parseCondition(tail.slice(3).trim(), ctx);
  if (!cond) throw new LineError('syntax', 'invalid condition');
  return branch(target, cond);
}

function parseAssignment(
  dst: number,
  rhs: string,
  marker32: boolean,
  ctx: LineContext,
  arith: (text: string) => number | undefined,
): ParsedInstruction | undefined {
  const relaxed = ctx.relaxed;

  // `d = value, jump @label` / `d = value, jump [base + offset]`
  const comma = rhs.indexOf(',');
  if (comma >= 0) {
    const value = relaxed ? arith(rhs.slice(0, comma)) : immediateI32(rhs.slice(0, comma));
    const after = rhs.slice(comma + 1).trim();
    if (value !== undefined && after.startsWith('jump')) {
      const rest = after.slice(4);
      const label = rest.trim();
      if (label.startsWith('@')) return inst('load_imm_and_jump', { r1: dst, imm1: value, target: { kind: 'label', name: label.slice(1) } });
      const m = parseIndirect(rest, ctx);
      if (m) {
        if (m.base === dst) {
          const offset = m.offset === 0 ? '' : ` + ${m.offset}`;
          throw new LineError('syntax', `expected: "tmp = ${REG_NAMES[m.base]}, ${REG_NAMES[dst]} = ${value}, jump [tmp${offset}]"`);
        }
        return inst('load_imm_and_jump_indirect', { r1: dst, r2: m.base, imm1: value, imm2: m.offset });
      }
      // Extension: a numeric target, as the disassembler prints it (`ra = 5, jump 33`).
      const pc = relaxed ? parseU32Any(label) : undefined;
      if (pc !== undefined) return inst('load_imm_and_jump', { r1: dst, imm1: value, target: { kind: 'pc', pc } });
    }
  }

  // `d = s if c == 0` (polkavm quirk: `!= 0` also gives cmov_if_zero).
  const ifAt = rhs.indexOf('if ');
  if (ifAt >= 0) {
    const src = parseRegOrImm(rhs.slice(0, ifAt), ctx);
    const cond = parseCondition(rhs.slice(ifAt + 3), ctx);
    if (src && cond && 'reg' in cond.lhs && 'imm' in cond.rhs && cond.rhs.imm === 0 && (cond.kind === 'eq' || cond.kind === 'ne')) {
      const notZero = ctx.exactCmov === true && cond.kind === 'ne';
      if ('reg' in src) return inst(notZero ? 'cmov_if_not_zero' : 'cmov_if_zero', { r1: dst, r2: src.reg, r3: cond.lhs.reg });
      return inst(notZero ? 'cmov_if_not_zero_imm' : 'cmov_if_zero_imm', { r1: dst, r2: cond.lhs.reg, imm1: src.imm });
    }
  }

  // `d = clz s` and friends; relaxed also `d = sbrk s`.
  const words = split(rhs, ' ');
  if (words) {
    const src = parseReg(words[1]);
    if (src !== undefined) {
      const unary = UNARY[words[0]];
      if (unary) return inst(unary[marker32 ? 1 : 0], { r1: dst, r2: src });
      if (relaxed && words[0] === 'sbrk') return inst('sbrk', { r1: dst, r2: src });
    }
  }

  const src = parseReg(rhs);
  if (src !== undefined) return inst('move_reg', { r1: dst, r2: src });

  const value = parseImmediate(rhs);
  if (value) {
    if (value.kind === 'i32') return inst('load_imm', { r1: dst, imm1: value.value });
    // Extension: a 32-bit ISA has no load_imm64; a value that fits in 32 bits is its bit pattern.
    if (relaxed && ctx.is32 && value.value <= 0xffffffffn) return inst('load_imm', { r1: dst, imm1: Number(BigInt.asIntN(32, value.value)) });
    return inst('load_imm64', { r1: dst, imm1: Number(BigInt.asIntN(32, value.value)), imm2: Number(BigInt.asIntN(32, value.value >> 32n)) });
  }

  if (rhs.startsWith('@')) return inst('load_imm', { r1: dst, labelAddress: rhs.slice(1) });

  if (rhs.startsWith('~(') && rhs.endsWith(')')) {
    const parts = split(rhs.slice(2, -1).trim(), '^');
    if (parts) {
      const s1 = parseReg(parts[0]);
      const s2 = parseReg(parts[1]);
      if (s1 !== undefined && s2 !== undefined) return inst('xnor', { r1: dst, r2: s1, r3: s2 });
    }
  }

  if (relaxed) {
    // Extensions: `d = s1 mulh s2` (mulhu, mulhsu), `d = -s` (negate_and_add_imm with 0).
    const mul = /^(\S+)\s+(mulh|mulhu|mulhsu)\s+(\S+)$/.exec(rhs);
    if (mul) {
      const s1 = parseReg(mul[1]!);
      const s2 = parseReg(mul[3]!);
      if (s1 !== undefined && s2 !== undefined) return inst(MUL_UPPER[mul[2]!]!, { r1: dst, r2: s1, r3: s2 });
    }
    if (rhs.startsWith('-')) {
      const s = parseReg(rhs.slice(1));
      if (s !== undefined) return inst(marker32 ? 'negate_and_add_imm_32' : 'negate_and_add_imm_64', { r1: dst, r2: s, imm1: 0 });
    }
  }

  const binary = findBinaryOperator(rhs, relaxed);
  if (binary) {
    const [index, length, op] = binary;
    const left = rhs.slice(0, index).trim();
    const right = rhs.slice(index + length).trim();
    const s1 = parseReg(left);
    if (s1 !== undefined) {
      const s2 = parseReg(right);
      if (s2 !== undefined) {
        const m = mapped((marker32 ? REG_REG_32 : REG_REG_64)[op]);
        return inst(m.op, { r1: dst, r2: m.swap ? s2 : s1, r3: m.swap ? s1 : s2 });
      }
      const value = arith(right);
      if (value !== undefined) {
        const m = mapped((marker32 ? REG_IMM_32 : REG_IMM_64)[op]);
        return inst(m.op, { r1: dst, r2: s1, imm1: m.negate ? -value | 0 : value });
      }
    } else {
      const value = arith(left);
      const s2 = parseReg(right);
      if (value !== undefined && s2 !== undefined) {
        const m = mapped((marker32 ? IMM_REG_32 : IMM_REG_64)[op]);
        return inst(m.op, { r1: dst, r2: s2, imm1: value });
      }
    }
  }

  if (rhs.endsWith(')')) {
    const call = split(rhs.slice(0, -1).trim(), '(');
    const op = call ? MIN_MAX[call[0]] : undefined;
    if (call && op) {
      const args = split(call[1], ',');
      if (args) {
        const s1 = parseReg(args[0]);
        const s2 = parseReg(args[1]);
        if (s1 !== undefined && s2 !== undefined) return inst(op, { r1: dst, r2: s1, r3: s2 });
      }
    }
  }

  for (const [prefix, indirectOp, absoluteOp] of LOAD_PREFIXES) {
    if (!rhs.startsWith(prefix)) continue;
    const address = rhs.slice(prefix.length);
    const m = parseIndirect(address, ctx);
    if (m) return inst(indirectOp, { r1: dst, r2: m.base, imm1: m.offset });
    const absolute = parseAbsolute(address, ctx);
    if (absolute) return inst(absoluteOp, { r1: dst, imm1: absolute.imm, imm1Ref: absolute.ref });
    break;
  }
  return undefined;
}

/**
 * polkavm's operator search. The relaxed pass skips a leading `-` (a negative first operand, as in
 * `a0 = -5 - a1`), which polkavm would take as the subtraction itself.
 */
function findBinaryOperator(rhs: string, relaxed: boolean): [number, number, BinOp] | undefined {
  for (const [token, op] of BIN_OP_TOKENS) {
    let index = rhs.indexOf(token);
    if (relaxed && op === 'sub' && index === 0) index = rhs.indexOf(token, 1);
    if (index >= 0) return [index, token.length, op];
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Extensions tried first in the relaxed pass.

const OPERAND_KINDS: Readonly<Record<string, readonly ('reg' | 'imm' | 'target' | 'imm64')[]>> = {
  none: [],
  imm: ['imm'],
  offset: ['target'],
  imm_imm: ['imm', 'imm'],
  reg_imm: ['reg', 'imm'],
  reg_imm_imm: ['reg', 'imm', 'imm'],
  reg_imm_offset: ['reg', 'imm', 'target'],
  reg_reg: ['reg', 'reg'],
  reg_reg_imm: ['reg', 'reg', 'imm'],
  reg_reg_offset: ['reg', 'reg', 'target'],
  reg_reg_reg: ['reg', 'reg', 'reg'],
  reg_reg_imm_imm: ['reg', 'reg', 'imm', 'imm'],
  reg_imm64: ['reg', 'imm64'],
};

/** The operand order of the generic `<name> <operands>` form, for documentation and the disassembler. */
export function genericOperandKinds(op: OpId): readonly ('reg' | 'imm' | 'target' | 'imm64')[] {
  return OPERAND_KINDS[OP_FORMS[op]!]!;
}

export function parseTarget(text: string): TargetRef | undefined {
  const t = text.trim();
  if (t.startsWith('@') && t.length > 1 && !/\s/.test(t)) return { kind: 'label', name: t.slice(1) };
  const pc = parseU32Any(t);
  return pc === undefined ? undefined : { kind: 'pc', pc };
}

const GENERIC = /^([a-z][a-z0-9_]*)(?:\s+(.*))?$/;
const ROW_BY_NAME: ReadonlyMap<string, (typeof INSTRUCTIONS)[number]> = new Map(INSTRUCTIONS.map((r) => [r.name, r]));
const IMPORT_NAME = /^[A-Za-z_][A-Za-z0-9_.$:]*$/;

/**
 * `<instruction name> op, op, ...` with the operands in the decoder's order (genericOperandKinds):
 * registers by name, immediates as numbers (any i32, a u32 pattern, a sign-extended 64-bit value) or
 * data-label references, targets as `@label` or absolute code offsets, and for `ecalli` an import name.
 * It reaches every instruction of the table, including the ones polkavm's syntax cannot express
 * (cmov_if_not_zero, load_imm64 of a small value, rotate_right_imm_32 on a 32-bit ISA).
 */
function parseGeneric(line: string): ParsedInstruction | undefined {
  const m = GENERIC.exec(line);
  if (!m) return undefined;
  const name = m[1]!;
  const row = ROW_BY_NAME.get(name);
  if (!row) return undefined;
  const op = Op[row.name];
  const kinds = OPERAND_KINDS[row.form]!;
  const texts = m[2] === undefined || m[2].trim() === '' ? [] : m[2].split(',').map((s) => s.trim());
  if (texts.length !== kinds.length) return undefined;
  const out = inst(row.name);
  const regs: number[] = [];
  const imms: { value: number; ref?: ValueRef }[] = [];
  for (let i = 0; i < kinds.length; i++) {
    const text = texts[i]!;
    switch (kinds[i]) {
      case 'reg': {
        const r = parseReg(text);
        if (r === undefined) return undefined;
        regs.push(r);
        break;
      }
      case 'imm': {
        const v = immediateI32Wrapping(text);
        if (v !== undefined) imms.push({ value: v });
        else {
          const ref = parseDataRef(text);
          if (ref) imms.push({ value: 0, ref });
          else if (row.name === 'ecalli' && IMPORT_NAME.test(text)) imms.push({ value: 0, ref: { kind: 'import', name: text } });
          else return undefined;
        }
        break;
      }
      case 'imm64': {
        const v = parseImmediate(text);
        if (v === undefined) return undefined;
        const big = v.kind === 'i32' ? BigInt.asUintN(64, BigInt(v.value)) : v.value;
        imms.push({ value: Number(BigInt.asIntN(32, big)) }, { value: Number(BigInt.asIntN(32, big >> 32n)) });
        break;
      }
      case 'target': {
        const t = parseTarget(text);
        if (!t) return undefined;
        out.target = t;
        break;
      }
    }
  }
  out.r1 = regs[0] ?? 0;
  out.r2 = regs[1] ?? 0;
  out.r3 = regs[2] ?? 0;
  out.imm1 = imms[0]?.value ?? 0;
  out.imm1Ref = imms[0]?.ref;
  out.imm2 = imms[1]?.value ?? 0;
  out.imm2Ref = imms[1]?.ref;
  return out;
}

function parseExtension(line: string, ctx: LineContext): ParsedInstruction | undefined {
  if (line === 'memset' || /^\[\s*a0\s*\.\.\s*a0\s*\+\s*a2\s*\]\s*=\s*u8\s+a1$/.test(line)) return inst('memset');

  if (line.startsWith('ecalli ')) {
    const text = line.slice(7).trim();
    const n = parseU32Any(text);
    if (n !== undefined) return inst('ecalli', { imm1: n | 0 });
    if (IMPORT_NAME.test(text)) return inst('ecalli', { imm1Ref: { kind: 'import', name: text } });
  }

  // `jump 18` and `jump 18 if a3 != 2`: numeric targets, as the disassembler prints them.
  if (line.startsWith('jump ')) {
    const rest = line.slice(5).trim();
    const space = rest.search(/\s/);
    const head = space < 0 ? rest : rest.slice(0, space);
    const pc = parseU32Any(head);
    if (pc !== undefined) {
      const target: TargetRef = { kind: 'pc', pc };
      if (space < 0) return inst('jump', { target });
      return conditionalJump(target, rest.slice(space + 1).trim(), line, ctx);
    }
  }

  if (!line.includes('=')) return parseGeneric(line);
  return undefined;
}
