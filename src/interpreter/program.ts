// Per-module tables the interpreter derives once from the decoded code, so the run loop never
// resolves a static jump target or walks back to a block start at run time.

import { Op, OP_FORMS } from '../decoder/table.ts';
import type { DecodedCode } from '../decoder/code.ts';
import type { ModuleImage } from '../machine/state.ts';
import { blockLayout, staticJumpTargets, validJumpIndex } from '../machine/control.ts';

export interface InterpreterProgram {
  readonly image: ModuleImage;
  readonly code: DecodedCode;
  /**
   * Static control transfer per instruction, as an instruction index, or -1 where it traps:
   * `jump` / `load_imm_and_jump` → the target if it is a valid jump target; branches → the target
   * if both the target and the fall-through are valid jump targets (polkavm traps a branch with a
   * bad side even when it is not taken); `fallthrough` → the next instruction if it is inside the code.
   */
  readonly jumpIndex: Int32Array;
  /** Per instruction: the index of the block containing it. */
  readonly blockOf: Int32Array;
  /** At a block start: the number of instructions in the block (0 elsewhere). */
  readonly blockLength: Uint32Array;
  readonly blockCosts: Uint32Array;
  /**
   * Four int32 per instruction, so that the loops read one array: `op | r1 << 8 | r2 << 12 | r3 << 16`,
   * `imm1`, `imm2`, `jumpIndex`.
   */
  readonly packed: Int32Array;
  /** Per jump-table entry: the instruction index it jumps to, or -1 where that is not a valid jump target. */
  readonly indirectIndex: Int32Array;
  /**
   * Per instruction: how many times the block starting there has been entered (charged) on this
   * program, up to 255. The tiered backend's profile: code generated for a region leaves out the
   * blocks that had run only a few times (codegen `RegionOptions.blockRuns`), since V8 optimises a
   * function before its rarely run code has type feedback, and deoptimises it when that code runs.
   */
  readonly blockRuns: Uint8Array;
}

export function prepareProgram(image: ModuleImage): InterpreterProgram {
  const code = image.code;
  const n = code.count;
  const jumpIndex = staticJumpTargets(code);
  const { blockOf, blockLength } = blockLayout(code);

  const packed = new Int32Array(4 * n);
  // Arrays in locals: this loop runs once, mostly before V8 optimises it, where each `code.x` is a lookup.
  const { op, r1, r2, r3, imm1, imm2 } = code;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    packed[j] = op[i]! | (r1[i]! << 8) | (r2[i]! << 12) | (r3[i]! << 16);
    packed[j + 1] = imm1[i]!;
    packed[j + 2] = imm2[i]!;
    packed[j + 3] = jumpIndex[i]!;
  }
  const indirectIndex = new Int32Array(code.jumpTable.length);
  for (let e = 0; e < code.jumpTable.length; e++) indirectIndex[e] = validJumpIndex(code, code.jumpTable[e]!);

  return { image, code, jumpIndex, blockOf, blockLength, blockCosts: image.blockCosts, packed, indirectIndex, blockRuns: new Uint8Array(n) };
}

