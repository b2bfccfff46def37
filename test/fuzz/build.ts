// Generated blocks → blob bytes through the project's blob writer (src/assembler/writer.ts), so the
// fuzzer's programs are laid out exactly as polkavm's assembler would lay them out. Targets that are
// deliberately not instruction starts (inside an instruction, past the end) are absolute pcs, found by
// laying the code out until those pcs stop moving.
import { END, INVALID, OP_FLAGS, OP_FORMS, type OpId } from '../../src/decoder/table.ts';
import type { DecodedCode } from '../../src/decoder/code.ts';
import type { Isa } from '../../src/decoder/isa.ts';
import { serializeCode, writeProgram, type ProgramInstruction, type Target } from '../../src/assembler/writer.ts';

/** Where a jump, branch or jump-table entry points. */
export type TargetRef =
  /** The first instruction of a block (a valid jump target). */
  | { readonly kind: 'block'; readonly block: number }
  /** `delta` bytes after the start of instruction `inst` of `block` (a mid-block or mid-instruction pc). */
  | { readonly kind: 'inst'; readonly block: number; readonly inst: number; readonly delta: number }
  /** `delta` bytes after the end of the code. */
  | { readonly kind: 'end'; readonly delta: number }
  /** A fixed code offset. */
  | { readonly kind: 'pc'; readonly pc: number };

/** One instruction, with operands in the decoder's layout (src/decoder/code.ts). */
export interface GenInstruction {
  readonly op: OpId;
  readonly r1: number;
  readonly r2: number;
  readonly r3: number;
  readonly imm1: number;
  readonly imm2: number;
  readonly target?: TargetRef;
}

export interface BuiltProgram {
  readonly blob: Uint8Array;
  readonly codeLength: number;
  /** Code offset of every instruction, per block. */
  readonly pcs: readonly (readonly number[])[];
}

export interface MemoryParts {
  readonly roDataSize: number;
  readonly rwDataSize: number;
  readonly stackSize: number;
  readonly roData: Uint8Array;
  readonly rwData: Uint8Array;
}

export function buildBlob(isa: Isa, blocks: readonly (readonly GenInstruction[])[], jumpTable: readonly TargetRef[], memory: MemoryParts): BuiltProgram {
  const first: number[] = [];
  let n = 0;
  for (const block of blocks) {
    first.push(n);
    n += block.length;
  }
  const flat = blocks.flat();
  let positions: Uint32Array = new Uint32Array(n);
  let codeLength = 0;
  const toTarget = (t: TargetRef): Target => {
    switch (t.kind) {
      case 'block':
        return { kind: 'instruction', index: first[t.block]! };
      case 'inst':
        if (t.delta === 0) return { kind: 'instruction', index: first[t.block]! + t.inst };
        return { kind: 'pc', pc: (positions[first[t.block]! + t.inst]! + t.delta) >>> 0 };
      case 'end':
        return { kind: 'pc', pc: (codeLength + t.delta) >>> 0 };
      case 'pc':
        return { kind: 'pc', pc: t.pc >>> 0 };
    }
  };
  let instructions: ProgramInstruction[] = [];
  for (let round = 0; round < 8; round++) {
    instructions = flat.map((i) => ({ op: i.op, r1: i.r1, r2: i.r2, r3: i.r3, imm1: i.imm1, imm2: i.imm2, ...(i.target ? { target: toTarget(i.target) } : {}) }));
    const laid = serializeCode(isa, instructions);
    const stable = laid.code.length === codeLength && laid.positions.every((p, k) => p === positions[k]);
    positions = laid.positions;
    codeLength = laid.code.length;
    if (stable) break;
  }
  const blob = writeProgram({
    isa,
    ...memory,
    imports: [],
    exports: [],
    instructions,
    jumpTable: jumpTable.map(toTarget),
  });
  return { blob, codeLength, pcs: blocks.map((b, k) => b.map((_, i) => positions[first[k]! + i]!)) };
}

/** The code offset a target reference lands on in a built program. */
export function resolveTarget(built: BuiltProgram, t: TargetRef): number {
  switch (t.kind) {
    case 'block':
      return built.pcs[t.block]![0] ?? built.codeLength;
    case 'inst':
      return (built.pcs[t.block]![t.inst]! + t.delta) >>> 0;
    case 'end':
      return (built.codeLength + t.delta) >>> 0;
    case 'pc':
      return t.pc >>> 0;
  }
}

/**
 * Checks on the decoded program that every backward edge lands on a fuel check (or is not a valid
 * jump target, so it traps): then every loop burns fuel and a run without gas still ends. Guards the
 * generator against layout surprises such as polkavm's jump-table entry-size quirk.
 */
export function assertFuelBounded(code: DecodedCode, checkedPcs: ReadonlySet<number>, id: string): void {
  const valid = (to: number): boolean => to < code.code.length && code.validJumpTarget[to] === 1;
  const safe = (from: number, to: number): boolean => !valid(to) || to > from || checkedPcs.has(to);
  for (let i = 0; i < code.count; i++) {
    const op = code.op[i]!;
    if (op === INVALID || !(OP_FLAGS[op]! & END)) continue;
    const form = OP_FORMS[op];
    if ((form === 'offset' || form === 'reg_imm_offset' || form === 'reg_reg_offset') && !safe(code.pc[i]!, code.target[i]!))
      throw new Error(`fuzz generator bug (${id}): unfuelled backward edge ${code.pc[i]} -> ${code.target[i]}`);
  }
  for (const t of code.jumpTable)
    if (valid(t) && !checkedPcs.has(t)) throw new Error(`fuzz generator bug (${id}): jump table entry ${t} is an unfuelled target`);
}
