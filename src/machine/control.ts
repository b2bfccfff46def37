import type { DecodedCode } from '../decoder/code.ts';
import { OP_FORMS, Op } from '../decoder/table.ts';

// Control-flow facts both backends derive from decoded code, in one place so they cannot drift apart.

/** The instruction index at `pc` if a jump may land there (polkavm `is_jump_target_valid`), else -1. */
export function validJumpIndex(code: DecodedCode, pc: number): number {
  return pc < code.code.length && code.validJumpTarget[pc] === 1 ? code.indexOfPc[pc]! : -1;
}

// Per op: how its static transfer is found (0: it has none). A table, not string compares of forms:
// these loops run once per program over every instruction, mostly before V8 optimises them.
const K_JUMP = 1;
const K_FALLTHROUGH = 2;
const K_BRANCH = 3;
const TRANSFER_KIND = Uint8Array.from(OP_FORMS, (form, op) =>
  op === Op.jump || op === Op.load_imm_and_jump ? K_JUMP : op === Op.fallthrough ? K_FALLTHROUGH : form === 'reg_imm_offset' || form === 'reg_reg_offset' ? K_BRANCH : 0,
);

/**
 * Per instruction: the instruction index a static transfer goes to, or -1 where polkavm traps instead.
 * `jump` / `load_imm_and_jump`: the target must be a valid jump target. Branches: BOTH the target and
 * the fall-through must be valid jump targets, or the branch traps even when not taken (polkavm
 * `emit_branch`). `fallthrough`: the next instruction; past the last instruction the decoder puts an
 * implicit `invalid` (its own block, at pc = code length), which polkavm charges and traps at, so a
 * trailing `fallthrough` goes there like any other.
 */
export function staticJumpTargets(code: DecodedCode): Int32Array {
  const n = code.count;
  const jumpIndex = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) if (TRANSFER_KIND[code.op[i]!]! !== 0) jumpIndex[i] = staticJumpIndex(code, i, code.target[i]!);
  return jumpIndex;
}

/**
 * `staticJumpTargets(code)[i]`, for one instruction whose `target` operand is given (the interpreter
 * fills its tables block by block, from operands it decodes itself).
 */
export function staticJumpIndex(code: DecodedCode, i: number, target: number): number {
  const kind = TRANSFER_KIND[code.op[i]!]!;
  if (kind === 0) return -1;
  if (kind === K_FALLTHROUGH) return i + 1 < code.count ? i + 1 : -1;
  const len = code.code.length;
  const valid = code.validJumpTarget;
  const t = target;
  const taken = t < len && valid[t] === 1 ? code.indexOfPc[t]! : -1;
  if (kind === K_JUMP) return taken;
  const q = code.nextPc[i]!;
  return taken >= 0 && q < len && valid[q] === 1 && code.indexOfPc[q]! >= 0 ? taken : -1;
}

/** Per instruction the index of its block's start, and per block start the block's instruction count. */
export function blockLayout(code: DecodedCode): { blockOf: Int32Array; blockLength: Uint32Array } {
  const n = code.count;
  const starts = code.blockStart;
  const blockOf = new Int32Array(n);
  const blockLength = new Uint32Array(n);
  let start = 0;
  for (let i = 0; i < n; i++) {
    if (starts[i] === 1) start = i;
    blockOf[i] = start;
    blockLength[start]!++;
  }
  return { blockOf, blockLength };
}
