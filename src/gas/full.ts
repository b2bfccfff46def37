// polkavm's full cost model (`CostModelKind::Full(CacheModel)`): each basic block is run through
// the pipeline simulator (pipeline.ts) and costs the cycles it takes. This file says what each
// instruction asks of the pipeline: its latency, decode slots, execution units and registers, as
// polkavm 0.35's simulator does, and walks blocks the way its interpreter's `compile_block` does
// (from a block start through its terminator, an implicit trap included).
import type { DecodedCode } from '../decoder/code.ts';
import { ENCODE_TABLES } from '../decoder/isa.ts';
import { END, INVALID, OP_FLAGS, Op, OP_NAMES, type OpName } from '../decoder/table.ts';
import type { CostModel } from './model.ts';
import { NO_REG, PipelineSimulator, units } from './pipeline.ts';

/** Which cache level loads hit (polkavm `CacheModel::L1Hit`/`L2Hit`/`L3Hit`). */
export type CacheLevel = 'l1' | 'l2' | 'l3';

/** Load latency in cycles per cache level (polkavm `CacheModel::memory_access_cost`). */
export const LOAD_LATENCY: Readonly<Record<CacheLevel, number>> = { l1: 4, l2: 25, l3: 37 };

/** Store latency, whatever the cache level. */
const STORE_LATENCY = 25;
/** Branch latency when the branch is predicted (one side is `trap` or `unlikely`), and otherwise. */
const BRANCH_HIT_LATENCY = 1;
const BRANCH_MISS_LATENCY = 20;

/**
 * How an instruction uses the pipeline. Names say the shape: `alu3` = d ← f(s1, s2) on one ALU,
 * `_32` = a 32-bit operation that costs an extra cycle and decode slot on 64-bit ISAs
 * (sign-extending the result), `2` = one register source.
 */
type PipelineClass =
  | 'alu3'
  | 'alu3_32'
  | 'alu2'
  | 'alu2_32'
  | 'bit_count'
  | 'trailing_zeros'
  | 'shift'
  | 'shift_32'
  | 'shift_imm_alt'
  | 'shift_imm_alt_32'
  | 'compare'
  | 'compare_imm'
  | 'cmov'
  | 'cmov_imm'
  | 'min_max'
  | 'inverted'
  | 'xnor'
  | 'negate_and_add_imm_64'
  | 'negate_and_add_imm_32'
  | 'mul_64'
  | 'mul_32'
  | 'mul_imm_64'
  | 'mul_imm_32'
  | 'mul_upper'
  | 'mul_upper_signed_unsigned'
  | 'division'
  | 'move_reg'
  | 'load_imm'
  | 'load_imm64'
  | 'load'
  | 'load_indirect'
  | 'store'
  | 'store_imm'
  | 'store_indirect'
  | 'store_imm_indirect'
  | 'branch'
  | 'branch_imm'
  | 'end'
  | 'jump'
  | 'jump_indirect'
  | 'unlikely'
  | 'host'
  | 'sbrk';

const PIPELINE_CLASS = {
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
  load_imm_and_jump_indirect: 'jump_indirect',
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

const CLASSES = [
  'alu3',
  'alu3_32',
  'alu2',
  'alu2_32',
  'bit_count',
  'trailing_zeros',
  'shift',
  'shift_32',
  'shift_imm_alt',
  'shift_imm_alt_32',
  'compare',
  'compare_imm',
  'cmov',
  'cmov_imm',
  'min_max',
  'inverted',
  'xnor',
  'negate_and_add_imm_64',
  'negate_and_add_imm_32',
  'mul_64',
  'mul_32',
  'mul_imm_64',
  'mul_imm_32',
  'mul_upper',
  'mul_upper_signed_unsigned',
  'division',
  'move_reg',
  'load_imm',
  'load_imm64',
  'load',
  'load_indirect',
  'store',
  'store_imm',
  'store_indirect',
  'store_imm_indirect',
  'branch',
  'branch_imm',
  'end',
  'jump',
  'jump_indirect',
  'unlikely',
  'host',
  'sbrk',
] as const satisfies readonly PipelineClass[];

/** Class numbers for the hot switch: `C.alu3` is the index of 'alu3' in CLASSES. */
const C = Object.fromEntries(CLASSES.map((name, i) => [name, i])) as { readonly [K in PipelineClass]: number };

/** Op id → class number; an unknown opcode or implicit trap (`invalid`) ends the block like `trap`. */
const OP_CLASS: Uint8Array = (() => {
  const table = new Uint8Array(256).fill(C.end);
  OP_NAMES.forEach((name, id) => (table[id] = C[PIPELINE_CLASS[name as OpName]]));
  table[INVALID] = C.end;
  return table;
})();

const ALU1 = units(1);
const ALU2 = units(2);
const LOAD_UNITS = units(1, 1);
const STORE_UNITS = units(1, 0, 1);
const MUL_UNITS = units(1, 0, 0, 1);
const DIV_UNITS = units(1, 0, 0, 0, 1);

/**
 * The cost of the basic block starting at instruction `start`, simulated on `sim` (which is reset).
 * `loadLatency` is the cache model's load latency.
 */
export function fullBlockCost(code: DecodedCode, start: number, loadLatency: number, sim: PipelineSimulator = new PipelineSimulator()): number {
  sim.reset();
  const { op, r1, r2, r3, nextPc, target, count } = code;
  const bytes = code.code;
  // A 32-bit operation on a 64-bit ISA pays for sign-extending its result.
  const x = code.is64Bit ? 1 : 0;
  // Branch prediction is judged on raw code bytes, as polkavm does: the byte at the fall-through
  // pc and at the target, past the end of code counting as predicted. An ISA without `unlikely`
  // compares against 255 (polkavm's placeholder for an unassigned opcode).
  const trapByte = ENCODE_TABLES[code.isa]![Op.trap]!;
  const unlikelyRaw = ENCODE_TABLES[code.isa]![Op.unlikely]!;
  const unlikelyByte = unlikelyRaw < 0 ? 255 : unlikelyRaw;
  const predicted = (at: number): boolean => {
    if (at >= bytes.length) return true;
    const b = bytes[at]!;
    return b === trapByte || b === unlikelyByte;
  };
  const branchLatency = (i: number): number =>
    predicted(nextPc[i]!) || predicted(target[i]!) ? BRANCH_HIT_LATENCY : BRANCH_MISS_LATENCY;

  for (let i = start; i < count; i++) {
    const o = op[i]!;
    const a = r1[i]!;
    const b = r2[i]!;
    const c = r3[i]!;
    // Two-register forms whose destination differs from its sources need an extra move.
    const copy2 = a !== b ? 1 : 0;
    const copy3 = a !== b && a !== c ? 1 : 0;
    switch (OP_CLASS[o]!) {
      case C.alu3:
        sim.dispatch(a, b, c, 1, 1 + copy3, ALU1);
        break;
      case C.alu3_32:
        sim.dispatch(a, b, c, 1 + x, 1 + copy3 + x, ALU1);
        break;
      case C.alu2:
        sim.dispatch(a, b, NO_REG, 1, 1 + copy2, ALU1);
        break;
      case C.alu2_32:
        sim.dispatch(a, b, NO_REG, 1 + x, 1 + copy2 + x, ALU1);
        break;
      case C.bit_count:
        sim.dispatch(a, b, NO_REG, 1, 1, ALU1);
        break;
      case C.trailing_zeros:
        sim.dispatch(a, b, NO_REG, 2, 1, ALU2);
        break;
      case C.shift:
        sim.dispatch(a, b, c, 1, 2 + copy2, ALU1);
        break;
      case C.shift_32:
        sim.dispatch(a, b, c, 1 + x, 2 + copy2 + x, ALU1);
        break;
      case C.shift_imm_alt:
        sim.dispatch(a, b, NO_REG, 1, 3, ALU1);
        break;
      case C.shift_imm_alt_32:
        sim.dispatch(a, b, NO_REG, 2, 4, ALU1);
        break;
      case C.compare:
        sim.dispatch(a, b, c, 3, 3, ALU1);
        break;
      case C.compare_imm:
        sim.dispatch(a, b, NO_REG, 3, 3, ALU1);
        break;
      case C.cmov:
        sim.dispatch(a, b, c, 2, 2, ALU1);
        break;
      case C.cmov_imm:
        sim.dispatch(a, b, NO_REG, 2, 3, ALU1);
        break;
      case C.min_max:
        sim.dispatch(a, b, c, 3, 2 + copy3, ALU1);
        break;
      case C.inverted:
        sim.dispatch(a, b, c, 2, 3, ALU1);
        break;
      case C.xnor:
        sim.dispatch(a, b, c, 2, 2 + copy3, ALU1);
        break;
      case C.negate_and_add_imm_64:
        sim.dispatch(a, b, NO_REG, 2, 3, ALU1);
        break;
      case C.negate_and_add_imm_32:
        sim.dispatch(a, b, NO_REG, 3, 4, ALU1);
        break;
      case C.mul_64:
        sim.dispatch(a, b, c, 3, 1 + copy3, MUL_UNITS);
        break;
      case C.mul_32:
        sim.dispatch(a, b, c, 4, 2 + copy3, MUL_UNITS);
        break;
      case C.mul_imm_64:
        sim.dispatch(a, b, NO_REG, 3, 1 + copy2, MUL_UNITS);
        break;
      case C.mul_imm_32:
        sim.dispatch(a, b, NO_REG, 4, 2 + copy2, MUL_UNITS);
        break;
      case C.mul_upper:
        sim.dispatch(a, b, c, 4, 4, MUL_UNITS);
        break;
      case C.mul_upper_signed_unsigned:
        sim.dispatch(a, b, c, 6, 4, MUL_UNITS);
        break;
      case C.division:
        sim.dispatch(a, b, c, 60, 4, DIV_UNITS);
        break;
      case C.move_reg:
        sim.moveReg(a, b);
        break;
      case C.load_imm:
        sim.dispatch(a, NO_REG, NO_REG, 1, 1, 0);
        break;
      case C.load_imm64:
        sim.dispatch(a, NO_REG, NO_REG, 1, 2, 0);
        break;
      case C.load:
        sim.dispatch(a, NO_REG, NO_REG, loadLatency, 1, LOAD_UNITS);
        break;
      case C.load_indirect:
        sim.dispatch(a, b, NO_REG, loadLatency, 1, LOAD_UNITS);
        break;
      case C.store:
        sim.dispatch(NO_REG, a, NO_REG, STORE_LATENCY, 1, STORE_UNITS);
        break;
      case C.store_imm:
        sim.dispatch(NO_REG, NO_REG, NO_REG, STORE_LATENCY, 1, STORE_UNITS);
        break;
      case C.store_indirect:
        sim.dispatch(NO_REG, a, b, STORE_LATENCY, 1, STORE_UNITS);
        break;
      case C.store_imm_indirect:
        sim.dispatch(NO_REG, a, NO_REG, STORE_LATENCY, 1, STORE_UNITS);
        break;
      case C.branch:
        sim.dispatch(NO_REG, a, b, branchLatency(i), 1, ALU1);
        sim.drain();
        break;
      case C.branch_imm:
        sim.dispatch(NO_REG, a, NO_REG, branchLatency(i), 1, ALU1);
        sim.drain();
        break;
      case C.end:
        sim.dispatch(NO_REG, NO_REG, NO_REG, 2, 1, 0);
        sim.drain();
        break;
      case C.jump:
        sim.dispatch(NO_REG, NO_REG, NO_REG, 15, 1, 0);
        sim.drain();
        break;
      case C.jump_indirect:
        // load_imm_and_jump_indirect's base is its second register; jump_indirect's is its first.
        sim.dispatch(NO_REG, o === Op.jump_indirect ? a : b, NO_REG, 22, 1, 0);
        sim.drain();
        break;
      case C.unlikely:
        sim.dispatch(NO_REG, NO_REG, NO_REG, 40, 1, 0);
        break;
      case C.host:
        sim.dispatch(NO_REG, NO_REG, NO_REG, 100, 4, ALU1);
        break;
      case C.sbrk:
        sim.dispatch(a, b, NO_REG, 100, 4, ALU1);
        break;
    }
    if (OP_FLAGS[o]! & END) break;
  }
  return sim.blockCost();
}

/** Per-block costs of polkavm's full model for one cache level; see `fullCostModel`. */
function computeFullCosts(code: DecodedCode, loadLatency: number): Uint32Array {
  const costs = new Uint32Array(code.count);
  const sim = new PipelineSimulator();
  const { blockStart, count } = code;
  for (let i = 0; i < count; i++) if (blockStart[i]) costs[i] = fullBlockCost(code, i, loadLatency, sim);
  return costs;
}

function makeFullCostModel(level: CacheLevel): CostModel {
  const loadLatency = LOAD_LATENCY[level];
  const cache = new WeakMap<DecodedCode, Uint32Array>();
  return Object.freeze({
    name: `full-${level}`,
    blockCosts(code: DecodedCode): Uint32Array {
      let costs = cache.get(code);
      if (costs === undefined) {
        costs = computeFullCosts(code, loadLatency);
        cache.set(code, costs);
      }
      return costs;
    },
  });
}

const FULL_MODELS: Readonly<Record<CacheLevel, CostModel>> = {
  l1: makeFullCostModel('l1'),
  l2: makeFullCostModel('l2'),
  l3: makeFullCostModel('l3'),
};

/**
 * polkavm's `CostModelKind::Full(CacheModel)` as its interpreter charges it, for every ISA (32-bit
 * operations cost more on 64-bit ISAs). One shared model per cache level; it computes a program's
 * costs once and returns the same array for the same DecodedCode afterwards, so callers must not
 * modify it.
 */
export function fullCostModel(level: CacheLevel): CostModel {
  const model = FULL_MODELS[level];
  if (model === undefined) throw new TypeError(`unknown cache level: ${String(level)} (expected l1, l2 or l3)`);
  return model;
}
