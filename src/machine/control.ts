import type { DecodedCode } from '../decoder/code.ts';
import { OP_FORMS, Op } from '../decoder/table.ts';

// Control-flow facts both backends derive from decoded code, in one place so they cannot drift apart.

/**
 * Per instruction: the instruction index a static transfer goes to, or -1 where polkavm traps instead.
 * `jump` / `load_imm_and_jump`: the target must be a valid jump target. Branches: BOTH the target and
 * the fall-through must be valid jump targets, or the branch traps even when not taken (polkavm
 * `emit_branch`). `fallthrough`: the next instruction; past the last instruction the decoder puts an
 * implicit `invalid` (its own block, at pc = code length), which polkavm charges and traps at, so a
 * trailing `fallthrough` goes there like any other.
 */
/** The instruction index at `pc` if a jump may land there (polkavm `is_jump_target_valid`), else -1. */
export function validJumpIndex(code: DecodedCode, pc: number): number {
  return pc < code.code.length && code.validJumpTarget[pc] === 1 ? code.indexOfPc[pc]! : -1;
}

export function staticJumpTargets(code: DecodedCode): Int32Array {
  const n = code.count;
  const validIndex = (pc: number): number => validJumpIndex(code, pc);
  const jumpIndex = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const op = code.op[i]!;
    if (op === Op.jump || op === Op.load_imm_and_jump) jumpIndex[i] = validIndex(code.target[i]!);
    else if (op === Op.fallthrough) jumpIndex[i] = i + 1 < n ? i + 1 : -1;
    else if (OP_FORMS[op] === 'reg_imm_offset' || OP_FORMS[op] === 'reg_reg_offset') {
      const taken = validIndex(code.target[i]!);
      jumpIndex[i] = taken >= 0 && validIndex(code.nextPc[i]!) >= 0 ? taken : -1;
    }
  }
  return jumpIndex;
}

/** Per instruction the index of its block's start, and per block start the block's instruction count. */
export function blockLayout(code: DecodedCode): { blockOf: Int32Array; blockLength: Uint32Array } {
  const n = code.count;
  const blockOf = new Int32Array(n);
  const blockLength = new Uint32Array(n);
  let start = 0;
  for (let i = 0; i < n; i++) {
    if (code.blockStart[i]) start = i;
    blockOf[i] = start;
    blockLength[start]!++;
  }
  return { blockOf, blockLength };
}
