// What each instruction asks of the simulated pipeline in polkavm's full cost model: its latency,
// decode slots, execution units and the registers it reads and writes (polkavm 0.35
// `polkavm-common/src/simulator.rs`, the `ParsingVisitor` impl). Instructions are grouped into classes
// of equal cost; `PIPELINE_CLASS` puts every instruction of the table in one, `CLASS_COST` says what a
// class costs, and the typed arrays at the bottom are the same facts indexed for the hot loop.
import { INVALID, OP_NAMES, type OpName } from '../decoder/table.ts';

// Execution units are packed into one integer, one field per unit kind with a guard bit above it:
// subtracting a demand borrows from a field's guard bit exactly when that unit is short, so one
// subtraction and one mask test check all five kinds at once.
const ALU_SHIFT = 0; // 3 bits (up to 4) + guard bit 3
const LOAD_SHIFT = 4; // 3 bits + guard bit 7
const STORE_SHIFT = 8; // 3 bits + guard bit 11
const MUL_SHIFT = 12; // 1 bit + guard bit 13
const DIV_SHIFT = 14; // 1 bit + guard bit 15
export const GUARD_BITS = (1 << 3) | (1 << 7) | (1 << 11) | (1 << 13) | (1 << 15);

/**
 * polkavm predicts a branch (latency 1 instead of 20) when the code byte at its fall-through pc or
 * at its target is `trap` or `unlikely`, a pc past the end of the code counting as such. It reads
 * raw bytes, so an ISA without `unlikely` compares against 255, polkavm's placeholder for an
 * unassigned opcode.
 */
export function branchPredicted(bytes: Uint8Array, next: number, target: number, trapByte: number, unlikelyByte: number): boolean {
  const len = bytes.length;
  if (next >= len || target >= len) return true;
  const a = bytes[next]!;
  const b = bytes[target]!;
  return a === trapByte || a === unlikelyByte || b === trapByte || b === unlikelyByte;
}

/** A demand on the execution units, packed as the units available are. */
export function units(alu: number, load = 0, store = 0, mul = 0, div = 0): number {
  return (alu << ALU_SHIFT) | (load << LOAD_SHIFT) | (store << STORE_SHIFT) | (mul << MUL_SHIFT) | (div << DIV_SHIFT);
}

/** All units free: 4 ALUs, 4 load units, 4 store units, 1 multiplier, 1 divider (with the guard bits). */
export const ALL_UNITS = units(4, 4, 4, 1, 1) | GUARD_BITS;

/**
 * Which operand fields (src/decoder/code.ts) are registers, as destination ← sources:
 * `r1_r2_r3` = r1 ← r2, r3; `r1_r2` = r1 ← r2; `r1` = r1 ← (nothing); `_r1` = reads r1 only;
 * `_r1_r2` = reads r1 and r2; `_r2` = reads r2 only; `none` = no registers.
 */
type RegisterUse = 'r1_r2_r3' | 'r1_r2' | 'r1' | '_r1' | '_r1_r2' | '_r2' | 'none';

interface ClassCost {
  regs: RegisterUse;
  /** Cycles from issue until the result is ready; `load` = the cache model's load latency, `branch` = 1 or 20 by prediction. */
  latency: number | 'load' | 'branch';
  decodeSlots: number;
  /**
   * One more decode slot when the destination is a register other than the source (`source`) or
   * other than both sources (`sources`): x86 needs a copy first for two-operand forms.
   */
  copy?: 'source' | 'sources';
  /** A 32-bit operation: on a 64-bit ISA it sign-extends its result, one more cycle and decode slot. */
  widen?: true;
  /** Execution units held while executing (`units(alu, load, store, mul, div)`). */
  units: number;
  /** Ends the block: the pipeline drains after it. */
  ends?: true;
}

const STORE_LATENCY = 25;
const ALU = units(1);

export const CLASS_COST = {
  alu3: { regs: 'r1_r2_r3', latency: 1, decodeSlots: 1, copy: 'sources', units: ALU },
  alu3_32: { regs: 'r1_r2_r3', latency: 1, decodeSlots: 1, copy: 'sources', widen: true, units: ALU },
  alu2: { regs: 'r1_r2', latency: 1, decodeSlots: 1, copy: 'source', units: ALU },
  alu2_32: { regs: 'r1_r2', latency: 1, decodeSlots: 1, copy: 'source', widen: true, units: ALU },
  bit_count: { regs: 'r1_r2', latency: 1, decodeSlots: 1, units: ALU },
  trailing_zeros: { regs: 'r1_r2', latency: 2, decodeSlots: 1, units: units(2) },
  shift: { regs: 'r1_r2_r3', latency: 1, decodeSlots: 2, copy: 'source', units: ALU },
  shift_32: { regs: 'r1_r2_r3', latency: 1, decodeSlots: 2, copy: 'source', widen: true, units: ALU },
  shift_imm_alt: { regs: 'r1_r2', latency: 1, decodeSlots: 3, units: ALU },
  shift_imm_alt_32: { regs: 'r1_r2', latency: 2, decodeSlots: 4, units: ALU },
  compare: { regs: 'r1_r2_r3', latency: 3, decodeSlots: 3, units: ALU },
  compare_imm: { regs: 'r1_r2', latency: 3, decodeSlots: 3, units: ALU },
  cmov: { regs: 'r1_r2_r3', latency: 2, decodeSlots: 2, units: ALU },
  cmov_imm: { regs: 'r1_r2', latency: 2, decodeSlots: 3, units: ALU },
  min_max: { regs: 'r1_r2_r3', latency: 3, decodeSlots: 2, copy: 'sources', units: ALU },
  inverted: { regs: 'r1_r2_r3', latency: 2, decodeSlots: 3, units: ALU },
  xnor: { regs: 'r1_r2_r3', latency: 2, decodeSlots: 2, copy: 'sources', units: ALU },
  negate_and_add_imm_64: { regs: 'r1_r2', latency: 2, decodeSlots: 3, units: ALU },
  negate_and_add_imm_32: { regs: 'r1_r2', latency: 3, decodeSlots: 4, units: ALU },
  mul_64: { regs: 'r1_r2_r3', latency: 3, decodeSlots: 1, copy: 'sources', units: units(1, 0, 0, 1) },
  mul_32: { regs: 'r1_r2_r3', latency: 4, decodeSlots: 2, copy: 'sources', units: units(1, 0, 0, 1) },
  mul_imm_64: { regs: 'r1_r2', latency: 3, decodeSlots: 1, copy: 'source', units: units(1, 0, 0, 1) },
  mul_imm_32: { regs: 'r1_r2', latency: 4, decodeSlots: 2, copy: 'source', units: units(1, 0, 0, 1) },
  mul_upper: { regs: 'r1_r2_r3', latency: 4, decodeSlots: 4, units: units(1, 0, 0, 1) },
  mul_upper_signed_unsigned: { regs: 'r1_r2_r3', latency: 6, decodeSlots: 4, units: units(1, 0, 0, 1) },
  division: { regs: 'r1_r2_r3', latency: 60, decodeSlots: 4, units: units(1, 0, 0, 0, 1) },
  // Renamed away in the decoder: costs a decode slot, never enters the reorder buffer (see pipeline.ts).
  move_reg: { regs: 'r1_r2', latency: 0, decodeSlots: 1, units: 0 },
  load_imm: { regs: 'r1', latency: 1, decodeSlots: 1, units: 0 },
  load_imm64: { regs: 'r1', latency: 1, decodeSlots: 2, units: 0 },
  load: { regs: 'r1', latency: 'load', decodeSlots: 1, units: units(1, 1) },
  load_indirect: { regs: 'r1_r2', latency: 'load', decodeSlots: 1, units: units(1, 1) },
  store: { regs: '_r1', latency: STORE_LATENCY, decodeSlots: 1, units: units(1, 0, 1) },
  store_imm: { regs: 'none', latency: STORE_LATENCY, decodeSlots: 1, units: units(1, 0, 1) },
  store_indirect: { regs: '_r1_r2', latency: STORE_LATENCY, decodeSlots: 1, units: units(1, 0, 1) },
  store_imm_indirect: { regs: '_r1', latency: STORE_LATENCY, decodeSlots: 1, units: units(1, 0, 1) },
  branch: { regs: '_r1_r2', latency: 'branch', decodeSlots: 1, units: ALU, ends: true },
  branch_imm: { regs: '_r1', latency: 'branch', decodeSlots: 1, units: ALU, ends: true },
  // trap, fallthrough, and unknown opcodes or implicit traps (`invalid`).
  end: { regs: 'none', latency: 2, decodeSlots: 1, units: 0, ends: true },
  // load_imm_and_jump's register write is not modelled (the block ends anyway).
  jump: { regs: 'none', latency: 15, decodeSlots: 1, units: 0, ends: true },
  jump_indirect: { regs: '_r1', latency: 22, decodeSlots: 1, units: 0, ends: true },
  load_imm_and_jump_indirect: { regs: '_r2', latency: 22, decodeSlots: 1, units: 0, ends: true },
  unlikely: { regs: 'none', latency: 40, decodeSlots: 1, units: 0 },
  // ecalli and memset; polkavm marks these (and sbrk) as provisional guesses.
  host: { regs: 'none', latency: 100, decodeSlots: 4, units: ALU },
  sbrk: { regs: 'r1_r2', latency: 100, decodeSlots: 4, units: ALU },
} as const satisfies Readonly<Record<string, ClassCost>>;

export type PipelineClass = keyof typeof CLASS_COST;

/** The pipeline class of every instruction. */
export const PIPELINE_CLASS = {
  trap: 'end',
  fallthrough: 'end',
  memset: 'host',
  unlikely: 'unlikely',
  ecalli: 'host',
  load_imm64: 'load_imm64',
  store_imm_u8: 'store_imm',
  store_imm_u16: 'store_imm',
  store_imm_u32: 'store_imm',
  store_imm_u64: 'store_imm',
  jump: 'jump',
  jump_indirect: 'jump_indirect',
  load_imm: 'load_imm',
  load_u8: 'load',
  load_i8: 'load',
  load_u16: 'load',
  load_i16: 'load',
  load_u32: 'load',
  load_i32: 'load',
  load_u64: 'load',
  store_u8: 'store',
  store_u16: 'store',
  store_u32: 'store',
  store_u64: 'store',
  store_imm_indirect_u8: 'store_imm_indirect',
  store_imm_indirect_u16: 'store_imm_indirect',
  store_imm_indirect_u32: 'store_imm_indirect',
  store_imm_indirect_u64: 'store_imm_indirect',
  load_imm_and_jump: 'jump',
  branch_eq_imm: 'branch_imm',
  branch_not_eq_imm: 'branch_imm',
  branch_less_unsigned_imm: 'branch_imm',
  branch_less_or_equal_unsigned_imm: 'branch_imm',
  branch_greater_or_equal_unsigned_imm: 'branch_imm',
  branch_greater_unsigned_imm: 'branch_imm',
  branch_less_signed_imm: 'branch_imm',
  branch_less_or_equal_signed_imm: 'branch_imm',
  branch_greater_or_equal_signed_imm: 'branch_imm',
  branch_greater_signed_imm: 'branch_imm',
  move_reg: 'move_reg',
  sbrk: 'sbrk',
  count_set_bits_64: 'bit_count',
  count_set_bits_32: 'bit_count',
  count_leading_zero_bits_64: 'bit_count',
  count_leading_zero_bits_32: 'bit_count',
  count_trailing_zero_bits_64: 'trailing_zeros',
  count_trailing_zero_bits_32: 'trailing_zeros',
  sign_extend_8: 'bit_count',
  sign_extend_16: 'bit_count',
  zero_extend_16: 'bit_count',
  reverse_byte: 'alu2',
  store_indirect_u8: 'store_indirect',
  store_indirect_u16: 'store_indirect',
  store_indirect_u32: 'store_indirect',
  store_indirect_u64: 'store_indirect',
  load_indirect_u8: 'load_indirect',
  load_indirect_i8: 'load_indirect',
  load_indirect_u16: 'load_indirect',
  load_indirect_i16: 'load_indirect',
  load_indirect_u32: 'load_indirect',
  load_indirect_i32: 'load_indirect',
  load_indirect_u64: 'load_indirect',
  add_imm_32: 'alu2_32',
  and_imm: 'alu2',
  xor_imm: 'alu2',
  or_imm: 'alu2',
  mul_imm_32: 'mul_imm_32',
  set_less_than_unsigned_imm: 'compare_imm',
  set_less_than_signed_imm: 'compare_imm',
  shift_logical_left_imm_32: 'alu2_32',
  shift_logical_right_imm_32: 'alu2_32',
  shift_arithmetic_right_imm_32: 'alu2_32',
  negate_and_add_imm_32: 'negate_and_add_imm_32',
  set_greater_than_unsigned_imm: 'compare_imm',
  set_greater_than_signed_imm: 'compare_imm',
  shift_logical_left_imm_alt_32: 'shift_imm_alt_32',
  shift_logical_right_imm_alt_32: 'shift_imm_alt_32',
  shift_arithmetic_right_imm_alt_32: 'shift_imm_alt_32',
  cmov_if_zero_imm: 'cmov_imm',
  cmov_if_not_zero_imm: 'cmov_imm',
  add_imm_64: 'alu2',
  mul_imm_64: 'mul_imm_64',
  shift_logical_left_imm_64: 'alu2',
  shift_logical_right_imm_64: 'alu2',
  shift_arithmetic_right_imm_64: 'alu2',
  negate_and_add_imm_64: 'negate_and_add_imm_64',
  shift_logical_left_imm_alt_64: 'shift_imm_alt',
  shift_logical_right_imm_alt_64: 'shift_imm_alt',
  shift_arithmetic_right_imm_alt_64: 'shift_imm_alt',
  rotate_right_imm_64: 'alu2',
  rotate_right_imm_alt_64: 'shift_imm_alt',
  rotate_right_imm_32: 'alu2_32',
  rotate_right_imm_alt_32: 'shift_imm_alt_32',
  branch_eq: 'branch',
  branch_not_eq: 'branch',
  branch_less_unsigned: 'branch',
  branch_less_signed: 'branch',
  branch_greater_or_equal_unsigned: 'branch',
  branch_greater_or_equal_signed: 'branch',
  load_imm_and_jump_indirect: 'load_imm_and_jump_indirect',
  add_32: 'alu3_32',
  sub_32: 'alu3_32',
  mul_32: 'mul_32',
  div_unsigned_32: 'division',
  div_signed_32: 'division',
  rem_unsigned_32: 'division',
  rem_signed_32: 'division',
  shift_logical_left_32: 'shift_32',
  shift_logical_right_32: 'shift_32',
  shift_arithmetic_right_32: 'shift_32',
  add_64: 'alu3',
  sub_64: 'alu3',
  mul_64: 'mul_64',
  div_unsigned_64: 'division',
  div_signed_64: 'division',
  rem_unsigned_64: 'division',
  rem_signed_64: 'division',
  shift_logical_left_64: 'shift',
  shift_logical_right_64: 'shift',
  shift_arithmetic_right_64: 'shift',
  and: 'alu3',
  xor: 'alu3',
  or: 'alu3',
  mul_upper_signed_signed: 'mul_upper',
  mul_upper_unsigned_unsigned: 'mul_upper',
  mul_upper_signed_unsigned: 'mul_upper_signed_unsigned',
  set_less_than_unsigned: 'compare',
  set_less_than_signed: 'compare',
  cmov_if_zero: 'cmov',
  cmov_if_not_zero: 'cmov',
  rotate_left_64: 'shift',
  rotate_left_32: 'shift_32',
  rotate_right_64: 'shift',
  rotate_right_32: 'shift_32',
  and_inverted: 'inverted',
  or_inverted: 'inverted',
  xnor: 'xnor',
  maximum: 'min_max',
  maximum_unsigned: 'min_max',
  minimum: 'min_max',
  minimum_unsigned: 'min_max',
} as const satisfies { readonly [K in OpName]: PipelineClass };

// ---- The same facts as typed arrays, indexed by class number (CLASSES order) or op id. ----

export const CLASSES = Object.keys(CLASS_COST) as PipelineClass[];
const classNumber = new Map<PipelineClass, number>(CLASSES.map((name, i) => [name, i]));

/** Op id → class number; unknown opcodes and implicit traps (`INVALID`) cost like `trap`. */
export const OP_CLASS: Uint8Array = (() => {
  const table = new Uint8Array(256).fill(classNumber.get('end')!);
  OP_NAMES.forEach((name, id) => (table[id] = classNumber.get(PIPELINE_CLASS[name as OpName])!));
  table[INVALID] = classNumber.get('end')!;
  return table;
})();

/** Register field per operand position: 0 = none, 1 = r1, 2 = r2, 3 = r3. */
const FIELDS: Readonly<Record<RegisterUse, readonly [dst: number, src1: number, src2: number]>> = {
  r1_r2_r3: [1, 2, 3],
  r1_r2: [1, 2, 0],
  r1: [1, 0, 0],
  _r1: [0, 1, 0],
  _r1_r2: [0, 1, 2],
  _r2: [0, 2, 0],
  none: [0, 0, 0],
};

// Per op id, everything the simulator needs packed into one integer (one load per instruction):
/** Bits 0-6: the latency in cycles (when neither INFO_LOAD nor INFO_BRANCH). */
export const INFO_LATENCY_MASK = 0x7f;
/** The latency is the cache model's load latency. */
export const INFO_LOAD = 1 << 7;
/** The latency is 1 if the branch is predicted, else 20. */
export const INFO_BRANCH = 1 << 8;
/** Bits 9-11: decode slots. */
export const INFO_SLOTS_SHIFT = 9;
/** One more decode slot when r1 ≠ r2. */
export const INFO_COPY_SOURCE = 1 << 12;
/** One more decode slot when r1 ≠ r2 and r1 ≠ r3. */
export const INFO_COPY_SOURCES = 1 << 13;
/** A 32-bit operation: one more cycle and decode slot on 64-bit ISAs. */
export const INFO_WIDEN = 1 << 14;
/** Writes r1. */
export const INFO_DST = 1 << 15;
/** Bits 16-17: the first source register's field (0 = none, 1 = r1, 2 = r2). */
export const INFO_SRC1_SHIFT = 16;
/** Bits 18-19: the second source register's field (0 = none, 2 = r2, 3 = r3). */
export const INFO_SRC2_SHIFT = 18;
/** Ends the block: the pipeline drains after it. */
export const INFO_DRAIN = 1 << 20;
/** A register move, renamed away (no reorder buffer entry). */
export const INFO_MOVE = 1 << 21;

function packInfo(name: PipelineClass): number {
  const c: ClassCost = CLASS_COST[name];
  const [dst, src1, src2] = FIELDS[c.regs];
  return (
    (c.latency === 'load' ? INFO_LOAD : c.latency === 'branch' ? INFO_BRANCH : c.latency) |
    (c.decodeSlots << INFO_SLOTS_SHIFT) |
    (c.copy === 'source' ? INFO_COPY_SOURCE : c.copy === 'sources' ? INFO_COPY_SOURCES : 0) |
    (c.widen ? INFO_WIDEN : 0) |
    (dst ? INFO_DST : 0) |
    (src1 << INFO_SRC1_SHIFT) |
    (src2 << INFO_SRC2_SHIFT) |
    (c.ends ? INFO_DRAIN : 0) |
    (name === 'move_reg' ? INFO_MOVE : 0)
  );
}

/** Op id → packed INFO_* bits. */
export const OP_INFO: Int32Array = Int32Array.from(OP_CLASS, (k) => packInfo(CLASSES[k]!));
/** Op id → units held while executing. */
export const OP_UNITS: Int32Array = Int32Array.from(OP_CLASS, (k) => CLASS_COST[CLASSES[k]!].units);
