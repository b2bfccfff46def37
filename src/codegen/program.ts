// What the code generator derives from decoded code before emitting anything: static transfer
// targets, block lengths, the jump table as instruction indices, the partition into regions (one JS
// function each) and the entry labels (switch cases) inside each region.

import { OP_FORMS, Op, INVALID } from '../decoder/table.ts';
import type { DecodedCode } from '../decoder/code.ts';
import type { ModuleImage } from '../machine/state.ts';

/** Exit codes a region function returns (>= 0 is a transfer to that instruction index in another region). */
export const Exit = Object.freeze({
  /** A trap at `c.at` (also an invalid jump or branch target). */
  trap: -1,
  /** A memory fault at `c.at`; the instruction is retried on resume. `memory.fault` says what. */
  fault: -2,
  /** `ecalli` at `c.at`. */
  ecalli: -3,
  /** `jump_indirect` to 0xFFFF0000 at `c.at`. */
  finished: -4,
  /** The block at `c.at` costs more gas than the hot counter holds (nothing charged). */
  gas: -5,
  /** The block at `c.at` would run past the instruction countdown (nothing counted). */
  steps: -6,
  /** `memset` at `c.at` ran out of gas partway. */
  memsetGas: -7,
} as const);

export interface CodegenProgram {
  readonly code: DecodedCode;
  /** Static transfer per instruction as an instruction index, -1 where it traps (see the interpreter's rules). */
  readonly jumpIndex: Int32Array;
  /** Instruction index of the block containing each instruction. */
  readonly blockOf: Int32Array;
  /** At block starts: instructions in the block. */
  readonly blockLength: Uint32Array;
  readonly blockCosts: Uint32Array;
  /** Per jump-table entry: the instruction index it leads to, or -1 when the target is not a valid jump target. */
  readonly jumpTableIndex: Int32Array;
  /** Per instruction: its region. */
  readonly regionOf: Int32Array;
  /** Per region: first and one-past-last instruction index. */
  readonly regionStart: Uint32Array;
  readonly regionEnd: Uint32Array;
  /** Per instruction: the case entering its block (with the block's charge), or -1 where no block starts. */
  readonly blockLabel: Int32Array;
  /** Per instruction: a case right before it (no charge), or -1: resume points after `ecalli` and retry
   * points of instructions that can fault resumably. */
  readonly innerLabel: Int32Array;
}

export interface PartitionOptions {
  /** Largest number of instructions in one region function. */
  readonly regionSize: number;
}

/** Instructions whose fault or stop is resumed by retrying the instruction itself. */
function retriesItself(op: number, dynamicPaging: boolean): boolean {
  if (op === Op.sbrk || op === Op.memset) return true;
  if (!dynamicPaging) return false;
  const form = OP_FORMS[op];
  return op !== INVALID && op !== Op.jump_indirect && op !== Op.load_imm && (form === 'reg_imm' || form === 'imm_imm' || form === 'reg_imm_imm' || (form === 'reg_reg_imm' && isMemoryOp(op)));
}

const MEMORY_OPS = new Set<number>([
  Op.load_u8, Op.load_i8, Op.load_u16, Op.load_i16, Op.load_u32, Op.load_i32, Op.load_u64,
  Op.store_u8, Op.store_u16, Op.store_u32, Op.store_u64,
  Op.store_imm_u8, Op.store_imm_u16, Op.store_imm_u32, Op.store_imm_u64,
  Op.store_imm_indirect_u8, Op.store_imm_indirect_u16, Op.store_imm_indirect_u32, Op.store_imm_indirect_u64,
  Op.store_indirect_u8, Op.store_indirect_u16, Op.store_indirect_u32, Op.store_indirect_u64,
  Op.load_indirect_u8, Op.load_indirect_i8, Op.load_indirect_u16, Op.load_indirect_i16,
  Op.load_indirect_u32, Op.load_indirect_i32, Op.load_indirect_u64,
]);
export const isMemoryOp = (op: number): boolean => MEMORY_OPS.has(op);

export function analyse(image: ModuleImage, options: PartitionOptions): CodegenProgram {
  const code = image.code;
  const n = code.count;
  const len = code.code.length;
  const validIndex = (pc: number): number => (pc < len && code.validJumpTarget[pc] === 1 ? code.indexOfPc[pc]! : -1);

  const jumpIndex = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const op = code.op[i]!;
    if (op === Op.jump || op === Op.load_imm_and_jump) jumpIndex[i] = validIndex(code.target[i]!);
    else if (op === Op.fallthrough) jumpIndex[i] = code.nextPc[i]! < len ? i + 1 : -1;
    else if (OP_FORMS[op] === 'reg_imm_offset' || OP_FORMS[op] === 'reg_reg_offset') {
      const taken = validIndex(code.target[i]!);
      jumpIndex[i] = taken >= 0 && validIndex(code.nextPc[i]!) >= 0 ? taken : -1;
    }
  }

  const blockOf = new Int32Array(n);
  const blockLength = new Uint32Array(n);
  let start = 0;
  for (let i = 0; i < n; i++) {
    if (code.blockStart[i]) start = i;
    blockOf[i] = start;
    blockLength[start]!++;
  }

  const jumpTableIndex = new Int32Array(code.jumpTable.length);
  for (let k = 0; k < code.jumpTable.length; k++) {
    const target = code.jumpTable[k]!;
    jumpTableIndex[k] = target < len && code.validJumpTarget[target] === 1 ? code.indexOfPc[target]! : -1;
  }

  // Regions: runs of whole blocks in code order, cut when the next block would make one too large.
  const regionOf = new Int32Array(n);
  const starts: number[] = [];
  const ends: number[] = [];
  let regionFirst = 0;
  for (let i = 0; i < n; i++) {
    if (code.blockStart[i] && i > regionFirst && i - regionFirst + blockLength[i]! > options.regionSize) {
      starts.push(regionFirst);
      ends.push(i);
      regionFirst = i;
    }
    regionOf[i] = starts.length;
  }
  if (n > 0) {
    starts.push(regionFirst);
    ends.push(n);
  }

  const blockLabel = new Int32Array(n).fill(-1);
  const innerLabel = new Int32Array(n).fill(-1);
  for (let r = 0; r < starts.length; r++) {
    let label = 0;
    for (let i = starts[r]!; i < ends[r]!; i++) {
      if (code.blockStart[i]) blockLabel[i] = label++;
      const afterEcalli = i > 0 && code.op[i - 1] === Op.ecalli && !code.blockStart[i];
      if (afterEcalli || retriesItself(code.op[i]!, image.dynamicPaging)) innerLabel[i] = label++;
    }
  }

  return {
    code,
    jumpIndex,
    blockOf,
    blockLength,
    blockCosts: image.blockCosts,
    jumpTableIndex,
    regionOf,
    regionStart: Uint32Array.from(starts),
    regionEnd: Uint32Array.from(ends),
    blockLabel,
    innerLabel,
  };
}
