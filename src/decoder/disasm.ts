// Instruction text exactly as polkavm prints it (its `InstructionFormatter`), so our disassembly can be
// diffed line by line against the reference tools. The quirks of that text (decimal here, hex there,
// `u16 [a0 ]`, the 32-bit `>>` for a rotate) are reproduced on purpose: a diff that is clean except for
// them would hide real decoder differences.
import { symbolText, type ProgramBlob } from './blob.ts';
import type { DecodedCode } from './code.ts';
import { INVALID, OP_NAMES, type OpName } from './table.ts';

export const REG_NAMES = ['ra', 'sp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5'] as const;
export const REG_NAMES_NON_ABI = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12'] as const;

export interface FormatOptions {
  /** `r0`..`r12` instead of `ra`, `sp`, ... (polkavm `prefer_non_abi_reg_names`; default false). */
  nonAbiRegNames?: boolean;
  /** No aliases such as `ret`, `sp - 16` or `u32 [sp]` (polkavm `prefer_unaliased`; default false). */
  unaliased?: boolean;
  /** Whether 32-bit operations get an `i32 ` prefix and immediates print sign-extended to 64 bits; default from the code's ISA. */
  is64Bit?: boolean;
  /** How jump targets are printed; default the decimal code offset. */
  jumpTarget?: (pc: number) => string;
}

/** The operands of one decoded instruction, as the formatters see them. */
interface Operands {
  readonly r1: number;
  readonly r2: number;
  readonly r3: number;
  readonly imm1: number;
  readonly imm2: number;
  readonly target: number;
}

interface Ctx {
  reg(r: number): string;
  /** polkavm `format_imm`: 0, else hex of the i32 (32-bit) or of its 64-bit sign extension. */
  imm(v: number): string;
  jump(pc: number): string;
  /** `i32 ` on 64-bit ISAs, where a 32-bit operation differs from the native width. */
  readonly w32: string;
  readonly unaliased: boolean;
}

type Formatter = (c: Ctx, o: Operands) => string;

function hexImm(v: number, is64Bit: boolean): string {
  if (v === 0) return '0';
  if (v > 0 || !is64Bit) return `0x${(v >>> 0).toString(16)}`;
  return `0xffffffff${(v >>> 0).toString(16).padStart(8, '0')}`;
}

function hexU64(low: number, high: number): string {
  if (high === 0) return `0x${(low >>> 0).toString(16)}`;
  return `0x${(high >>> 0).toString(16)}${(low >>> 0).toString(16).padStart(8, '0')}`;
}

// Builders for the regular shapes; the table below names every instruction once.
const rrr =
  (op: string, w32 = false): Formatter =>
  (c, o) =>
    `${w32 ? c.w32 : ''}${c.reg(o.r1)} = ${c.reg(o.r2)} ${op} ${c.reg(o.r3)}`;
const rrrCall =
  (fn: string): Formatter =>
  (c, o) =>
    `${c.reg(o.r1)} = ${fn}(${c.reg(o.r2)}, ${c.reg(o.r3)})`;
const rri =
  (op: string, w32 = false): Formatter =>
  (c, o) =>
    `${w32 ? c.w32 : ''}${c.reg(o.r1)} = ${c.reg(o.r2)} ${op} ${c.imm(o.imm1)}`;
// The `_alt` forms put the immediate on the left of the operator.
const rriAlt =
  (op: string, w32 = false): Formatter =>
  (c, o) =>
    `${w32 ? c.w32 : ''}${c.reg(o.r1)} = ${c.imm(o.imm1)} ${op} ${c.reg(o.r2)}`;
const unary =
  (op: string, w32 = false): Formatter =>
  (c, o) =>
    `${w32 ? c.w32 : ''}${c.reg(o.r1)} = ${op}${c.reg(o.r2)}`;
const loadAbs =
  (kind: string): Formatter =>
  (c, o) =>
    `${c.reg(o.r1)} = ${kind} [${c.imm(o.imm1)}]`;
const storeAbs =
  (kind: string): Formatter =>
  (c, o) =>
    `${kind} [${c.imm(o.imm1)}] = ${c.reg(o.r1)}`;
const storeImmAbs =
  (kind: string): Formatter =>
  (c, o) =>
    `${kind} [${c.imm(o.imm1)}] = ${c.imm(o.imm2)}`;
// polkavm prints this offset with plain `{}` (signed decimal), unlike every other memory offset.
const storeImmIndirect =
  (kind: string): Formatter =>
  (c, o) =>
    `${kind} [${c.reg(o.r1)} + ${o.imm1}] = ${c.imm(o.imm2)}`;
const loadIndirect =
  (kind: string, zeroOffsetClose = ']'): Formatter =>
  (c, o) =>
    c.unaliased || o.imm1 !== 0 ? `${c.reg(o.r1)} = ${kind} [${c.reg(o.r2)} + ${c.imm(o.imm1)}]` : `${c.reg(o.r1)} = ${kind} [${c.reg(o.r2)}${zeroOffsetClose}`;
const storeIndirect =
  (kind: string, abiSource = false): Formatter =>
  (c, o) => {
    // polkavm formats the source of `store_indirect_u8` with the register's Display, which always uses ABI names.
    const src = abiSource ? REG_NAMES[o.r1]! : c.reg(o.r1);
    return c.unaliased || o.imm1 !== 0 ? `${kind} [${c.reg(o.r2)} + ${c.imm(o.imm1)}] = ${src}` : `${kind} [${c.reg(o.r2)}] = ${src}`;
  };
// Branch comparands are printed with plain `{}`: registers by name, immediates in signed decimal.
const branch =
  (op: string): Formatter =>
  (c, o) =>
    `jump ${c.jump(o.target)} if ${c.reg(o.r1)} ${op} ${c.reg(o.r2)}`;
const branchImm =
  (op: string): Formatter =>
  (c, o) =>
    `jump ${c.jump(o.target)} if ${c.reg(o.r1)} ${op} ${o.imm1}`;
const addImm =
  (w32: boolean): Formatter =>
  (c, o) => {
    const p = w32 ? c.w32 : '';
    if (!c.unaliased && o.imm1 < 0 && o.imm1 > -4096) return `${p}${c.reg(o.r1)} = ${c.reg(o.r2)} - ${-o.imm1}`;
    return `${p}${c.reg(o.r1)} = ${c.reg(o.r2)} + ${c.imm(o.imm1)}`;
  };
const negateAndAddImm =
  (w32: boolean): Formatter =>
  (c, o) => {
    const p = w32 ? c.w32 : '';
    if (!c.unaliased && o.imm1 === 0) return `${p}${c.reg(o.r1)} = -${c.reg(o.r2)}`;
    return `${p}${c.reg(o.r1)} = ${c.imm(o.imm1)} - ${c.reg(o.r2)}`;
  };
// polkavm drops the `r` of the rotate on 32-bit ISAs.
const rotateRightImm32: Formatter = (c, o) =>
  c.w32 ? `i32 ${c.reg(o.r1)} = ${c.reg(o.r2)} >>r ${c.imm(o.imm1)}` : `${c.reg(o.r1)} = ${c.reg(o.r2)} >> ${c.imm(o.imm1)}`;
const rotateRightImmAlt32: Formatter = (c, o) =>
  c.w32 ? `i32 ${c.reg(o.r1)} = ${c.imm(o.imm1)} >>r ${c.reg(o.r2)}` : `${c.reg(o.r1)} = ${c.imm(o.imm1)} >> ${c.reg(o.r2)}`;

const FORMATTERS: { readonly [K in OpName]: Formatter } = {
  trap: () => 'trap',
  fallthrough: () => 'fallthrough',
  memset: () => '[a0..a0 + a2] = u8 a1',
  unlikely: () => 'unlikely',
  ecalli: (_c, o) => `ecalli ${o.imm1 >>> 0}`,
  load_imm64: (c, o) => `${c.reg(o.r1)} = ${hexU64(o.imm1, o.imm2)}`,
  store_imm_u8: storeImmAbs('u8'),
  store_imm_u16: storeImmAbs('u16'),
  store_imm_u32: storeImmAbs('u32'),
  store_imm_u64: storeImmAbs('u64'),
  jump: (c, o) => `jump ${c.jump(o.target)}`,
  jump_indirect: (c, o) => {
    if (!c.unaliased && o.imm1 === 0) return o.r1 === 0 ? 'ret' : `jump [${c.reg(o.r1)}]`;
    return `jump [${c.reg(o.r1)} + ${c.imm(o.imm1)}]`;
  },
  load_imm: (c, o) => `${c.reg(o.r1)} = ${c.imm(o.imm1)}`,
  load_u8: loadAbs('u8'),
  load_i8: loadAbs('i8'),
  load_u16: loadAbs('u16'),
  load_i16: loadAbs('i16'),
  load_u32: loadAbs('u32'),
  load_i32: loadAbs('i32'),
  load_u64: loadAbs('u64'),
  store_u8: storeAbs('u8'),
  store_u16: storeAbs('u16'),
  store_u32: storeAbs('u32'),
  store_u64: storeAbs('u64'),
  store_imm_indirect_u8: storeImmIndirect('u8'),
  store_imm_indirect_u16: storeImmIndirect('u16'),
  store_imm_indirect_u32: storeImmIndirect('u32'),
  store_imm_indirect_u64: storeImmIndirect('u64'),
  load_imm_and_jump: (c, o) => `${c.reg(o.r1)} = ${o.imm1}, jump ${c.jump(o.target)}`,
  branch_eq_imm: branchImm('=='),
  branch_not_eq_imm: branchImm('!='),
  branch_less_unsigned_imm: branchImm('<u'),
  branch_less_or_equal_unsigned_imm: branchImm('<=u'),
  branch_greater_or_equal_unsigned_imm: branchImm('>=u'),
  branch_greater_unsigned_imm: branchImm('>u'),
  branch_less_signed_imm: branchImm('<s'),
  branch_less_or_equal_signed_imm: branchImm('<=s'),
  branch_greater_or_equal_signed_imm: branchImm('>=s'),
  branch_greater_signed_imm: branchImm('>s'),
  move_reg: unary(''),
  sbrk: unary('sbrk '),
  count_set_bits_64: unary('cpop '),
  count_set_bits_32: unary('cpop ', true),
  count_leading_zero_bits_64: unary('clz '),
  count_leading_zero_bits_32: unary('clz ', true),
  count_trailing_zero_bits_64: unary('ctz '),
  count_trailing_zero_bits_32: unary('ctz ', true),
  sign_extend_8: unary('sext8 '),
  sign_extend_16: unary('sext16 '),
  zero_extend_16: unary('zext16 '),
  reverse_byte: unary('reverse '),
  store_indirect_u8: storeIndirect('u8', true),
  store_indirect_u16: storeIndirect('u16'),
  store_indirect_u32: storeIndirect('u32'),
  store_indirect_u64: storeIndirect('u64'),
  load_indirect_u8: loadIndirect('u8'),
  load_indirect_i8: loadIndirect('i8'),
  // polkavm's text for a zero offset here has a stray space: `a0 = u16 [a0 ]`.
  load_indirect_u16: loadIndirect('u16', ' ]'),
  load_indirect_i16: loadIndirect('i16'),
  load_indirect_u32: loadIndirect('u32'),
  load_indirect_i32: loadIndirect('i32'),
  load_indirect_u64: loadIndirect('u64'),
  add_imm_32: addImm(true),
  and_imm: rri('&'),
  xor_imm: rri('^'),
  or_imm: rri('|'),
  mul_imm_32: rri('*', true),
  set_less_than_unsigned_imm: rri('<u'),
  set_less_than_signed_imm: rri('<s'),
  shift_logical_left_imm_32: rri('<<', true),
  shift_logical_right_imm_32: rri('>>', true),
  shift_arithmetic_right_imm_32: rri('>>a', true),
  negate_and_add_imm_32: negateAndAddImm(true),
  set_greater_than_unsigned_imm: rri('>u'),
  set_greater_than_signed_imm: rri('>s'),
  shift_logical_left_imm_alt_32: rriAlt('<<', true),
  shift_logical_right_imm_alt_32: rriAlt('>>', true),
  shift_arithmetic_right_imm_alt_32: rriAlt('>>a', true),
  cmov_if_zero_imm: (c, o) => `${c.reg(o.r1)} = ${c.imm(o.imm1)} if ${c.reg(o.r2)} == 0`,
  cmov_if_not_zero_imm: (c, o) => `${c.reg(o.r1)} = ${c.imm(o.imm1)} if ${c.reg(o.r2)} != 0`,
  add_imm_64: addImm(false),
  mul_imm_64: rri('*'),
  shift_logical_left_imm_64: rri('<<'),
  shift_logical_right_imm_64: rri('>>'),
  shift_arithmetic_right_imm_64: rri('>>a'),
  negate_and_add_imm_64: negateAndAddImm(false),
  shift_logical_left_imm_alt_64: rriAlt('<<'),
  shift_logical_right_imm_alt_64: rriAlt('>>'),
  shift_arithmetic_right_imm_alt_64: rriAlt('>>a'),
  rotate_right_imm_64: rri('>>r'),
  rotate_right_imm_alt_64: rriAlt('>>r'),
  rotate_right_imm_32: rotateRightImm32,
  rotate_right_imm_alt_32: rotateRightImmAlt32,
  branch_eq: branch('=='),
  branch_not_eq: branch('!='),
  branch_less_unsigned: branch('<u'),
  branch_less_signed: branch('<s'),
  branch_greater_or_equal_unsigned: branch('>=u'),
  branch_greater_or_equal_signed: branch('>=s'),
  load_imm_and_jump_indirect: (c, o) => {
    const ra = c.reg(o.r1);
    const base = c.reg(o.r2);
    const plain = !c.unaliased && o.imm2 === 0;
    // When the link register is also the base, the base is read before the write: polkavm spells that out.
    if (o.r1 !== o.r2) return plain ? `${ra} = ${o.imm1}, jump [${base}]` : `${ra} = ${o.imm1}, jump [${base} + ${c.imm(o.imm2)}]`;
    return plain ? `tmp = ${base}, ${ra} = ${o.imm1}, jump [tmp]` : `tmp = ${base}, ${ra} = ${o.imm1}, jump [tmp + ${c.imm(o.imm2)}]`;
  },
  add_32: rrr('+', true),
  sub_32: rrr('-', true),
  mul_32: rrr('*', true),
  div_unsigned_32: rrr('/u', true),
  div_signed_32: rrr('/s', true),
  rem_unsigned_32: rrr('%u', true),
  rem_signed_32: rrr('%s', true),
  shift_logical_left_32: rrr('<<', true),
  shift_logical_right_32: rrr('>>', true),
  shift_arithmetic_right_32: rrr('>>a', true),
  add_64: rrr('+'),
  sub_64: rrr('-'),
  mul_64: rrr('*'),
  div_unsigned_64: rrr('/u'),
  div_signed_64: rrr('/s'),
  rem_unsigned_64: rrr('%u'),
  rem_signed_64: rrr('%s'),
  shift_logical_left_64: rrr('<<'),
  shift_logical_right_64: rrr('>>'),
  shift_arithmetic_right_64: rrr('>>a'),
  and: rrr('&'),
  xor: rrr('^'),
  or: rrr('|'),
  mul_upper_signed_signed: rrr('mulh'),
  mul_upper_unsigned_unsigned: rrr('mulhu'),
  mul_upper_signed_unsigned: rrr('mulhsu'),
  set_less_than_unsigned: rrr('<u'),
  set_less_than_signed: rrr('<s'),
  cmov_if_zero: (c, o) => `${c.reg(o.r1)} = ${c.reg(o.r2)} if ${c.reg(o.r3)} == 0`,
  cmov_if_not_zero: (c, o) => `${c.reg(o.r1)} = ${c.reg(o.r2)} if ${c.reg(o.r3)} != 0`,
  rotate_left_64: rrr('<<r'),
  rotate_left_32: rrr('<<r', true),
  rotate_right_64: rrr('>>r'),
  rotate_right_32: rrr('>>r', true),
  and_inverted: (c, o) => `${c.reg(o.r1)} = ${c.reg(o.r2)} & ~${c.reg(o.r3)}`,
  or_inverted: (c, o) => `${c.reg(o.r1)} = ${c.reg(o.r2)} | ~${c.reg(o.r3)}`,
  xnor: (c, o) => `${c.reg(o.r1)} = ~(${c.reg(o.r2)} ^ ${c.reg(o.r3)})`,
  maximum: rrrCall('maxs'),
  maximum_unsigned: rrrCall('maxu'),
  minimum: rrrCall('mins'),
  minimum_unsigned: rrrCall('minu'),
};

const FORMATTER_BY_ID: readonly Formatter[] = OP_NAMES.map((name) => FORMATTERS[name as OpName]);

const contexts = new Map<string, Ctx>();
function context(is64Bit: boolean, options: FormatOptions): Ctx {
  const names = options.nonAbiRegNames ? REG_NAMES_NON_ABI : REG_NAMES;
  const jump = options.jumpTarget ?? ((pc: number) => String(pc));
  if (options.jumpTarget === undefined) {
    const key = `${is64Bit ? 1 : 0}${options.nonAbiRegNames ? 1 : 0}${options.unaliased ? 1 : 0}`;
    const cached = contexts.get(key);
    if (cached) return cached;
    const ctx = makeContext(is64Bit, names, jump, options.unaliased ?? false);
    contexts.set(key, ctx);
    return ctx;
  }
  return makeContext(is64Bit, names, jump, options.unaliased ?? false);
}

function makeContext(is64Bit: boolean, names: readonly string[], jump: (pc: number) => string, unaliased: boolean): Ctx {
  return {
    reg: (r) => names[r]!,
    imm: (v) => hexImm(v, is64Bit),
    jump,
    w32: is64Bit ? 'i32 ' : '',
    unaliased,
  };
}

/** polkavm's text for instruction `index` of `code` (`invalid` for unknown opcodes and implicit traps). */
export function formatInstruction(code: DecodedCode, index: number, options: FormatOptions = {}): string {
  const op = code.op[index]!;
  if (op === INVALID) return 'invalid';
  const ctx = context(options.is64Bit ?? code.is64Bit, options);
  return FORMATTER_BY_ID[op]!(ctx, {
    r1: code.r1[index]!,
    r2: code.r2[index]!,
    r3: code.r3[index]!,
    imm1: code.imm1[index]!,
    imm2: code.imm2[index]!,
    target: code.target[index]!,
  });
}

/** One line per instruction, `{pc right-aligned in 8}: {text}`, as polkavm's disassembler prints them. */
export function disassemble(code: DecodedCode, options: FormatOptions = {}): string[] {
  const lines = new Array<string>(code.count);
  for (let i = 0; i < code.count; i++) lines[i] = `${String(code.pc[i]).padStart(8)}: ${formatInstruction(code, i, options)}`;
  return lines;
}

/** The summary lines around the instruction listing in shared/vectors/disasm (a format of ours). */
export function disassemblySummary(blob: ProgramBlob, code: DecodedCode): { head: string[]; tail: string[] } {
  const head = [
    `isa: ${['ReviveV1', 'Latest32', 'Latest64', 'JamV1'][blob.isa]} (64-bit: ${blob.is64Bit})`,
    `ro_data_size: ${blob.roDataSize} (payload ${blob.roData.length}), rw_data_size: ${blob.rwDataSize} (payload ${blob.rwData.length}), stack_size: ${blob.stackSize}`,
    `code: ${blob.code.length} bytes, bitmask: ${blob.bitmask.length} bytes, jump table entries: ${blob.jumpTable.length}`,
  ];
  blob.imports.forEach((symbol, i) => head.push(`import #${i}: '${symbolText(symbol)}'`));
  for (const e of blob.exports) head.push(`export @${e.pc}: '${symbolText(e.symbol)}'`);
  let invalid = 0;
  for (let i = 0; i < code.count; i++) if (code.op[i] === INVALID) invalid++;
  return { head, tail: [`instructions (incl. implicit/invalid): ${code.count}, invalid: ${invalid}`] };
}
