// Per-module tables the interpreter derives from the decoded code, so the run loop never resolves a
// static jump target or walks back to a block start at run time. The instruction words are filled a
// block at a time when the loop first enters the block: a program's first instructions (doom's first
// 1,000 run ~40 of its 35,000 blocks) do not wait for a pass over the whole program.

import { instructionOperands, type DecodedCode } from '../decoder/code.ts';
import type { ModuleImage } from '../machine/state.ts';
import { staticJumpIndex, validJumpIndex } from '../machine/control.ts';

export interface InterpreterProgram {
  readonly image: ModuleImage;
  readonly code: DecodedCode;
  /**
   * At a block start whose words are filled (`ready`): the number of instructions in the block; 0
   * elsewhere. `blockLengthAt` fills the block first.
   */
  readonly blockLength: Uint32Array;
  readonly blockCosts: Uint32Array;
  /**
   * Four int32 per instruction, so that the loops read one array: `op | r1 << 8 | r2 << 12 | r3 << 16`,
   * `imm1`, `imm2`, and the static transfer as an instruction index, or -1 where it traps
   * (machine/control.ts `staticJumpIndex`). Valid only in blocks `prepareBlock` has filled.
   */
  readonly packed: Int32Array;
  /** At a block start: 1 once `prepareBlock` has filled the block's words in `packed`. */
  readonly ready: Uint8Array;
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
  const indirectIndex = new Int32Array(code.jumpTable.length);
  for (let e = 0; e < code.jumpTable.length; e++) indirectIndex[e] = validJumpIndex(code, code.jumpTable[e]!);
  return {
    image,
    code,
    blockLength: new Uint32Array(n),
    blockCosts: image.blockCosts,
    packed: new Int32Array(4 * n),
    ready: new Uint8Array(n),
    indirectIndex,
    blockRuns: new Uint8Array(n),
  };
}

/** r1, r2, r3, imm1, imm2, target of one instruction (`instructionOperands`). */
const OPERANDS = new Int32Array(6);

/** Fills the words of the block starting at instruction `start` (the loops call it on first entry). */
export function prepareBlock(p: InterpreterProgram, start: number): void {
  const code = p.code;
  const op = code.op;
  const packed = p.packed;
  const n = code.count;
  const blockStart = code.blockStart;
  // From the code bytes, not the operand arrays, which decode the whole program on first read.
  const o = OPERANDS;
  let i = start;
  do {
    instructionOperands(code, i, o);
    const j = 4 * i;
    packed[j] = op[i]! | (o[0]! << 8) | (o[1]! << 12) | (o[2]! << 16);
    packed[j + 1] = o[3]!;
    packed[j + 2] = o[4]!;
    packed[j + 3] = staticJumpIndex(code, i, o[5]! >>> 0);
    i++;
  } while (i < n && blockStart[i] !== 1);
  p.blockLength[start] = i - start;
  p.ready[start] = 1;
}

/** The length of the block starting at instruction `j` (0 if no block starts there), its words filled. */
export function blockLengthAt(p: InterpreterProgram, j: number): number {
  if (p.code.blockStart[j] !== 1) return 0;
  if (p.ready[j] === 0) prepareBlock(p, j);
  return p.blockLength[j]!;
}

/** The start of the block containing instruction `j` (a walk back: only entries inside a block and final stops ask). */
export function blockStartOf(p: InterpreterProgram, j: number): number {
  const blockStart = p.code.blockStart;
  while (j > 0 && blockStart[j] !== 1) j--;
  return j;
}
