import { raise } from './errors.ts';
import { DECODE_TABLES, Isa, is64Bit } from './isa.ts';
import { END, INVALID, NO_FALLTHROUGH, OP_FLAGS, OP_FORMS, type OperandForm, type OpId } from './table.ts';
import type { ProgramBlob } from './blob.ts';

/** polkavm `BITMASK_MAX`: the longest skip; a longer gap ends in an implicit trap. */
export const BITMASK_MAX = 24;

/**
 * Decoded instructions as parallel arrays (one slot per instruction, in code order), so that a
 * 160k-instruction program decodes into a handful of typed arrays instead of 160k objects.
 *
 * Operand fields by form:
 * | form            | r1   | r2   | r3 | imm1        | imm2        | target      |
 * | imm (ecalli)    |      |      |    | imm         |             |             |
 * | offset (jump)   |      |      |    |             |             | pc + imm    |
 * | imm_imm         |      |      |    | imm1        | imm2        |             |
 * | reg_imm         | reg  |      |    | imm         |             |             |
 * | reg_imm_imm     | reg  |      |    | imm1        | imm2        |             |
 * | reg_imm_offset  | reg  |      |    | imm         |             | pc + imm2   |
 * | reg_reg         | d    | s    |    |             |             |             |
 * | reg_reg_imm     | r1   | r2   |    | imm         |             |             |
 * | reg_reg_offset  | s1   | s2   |    |             |             | pc + imm    |
 * | reg_reg_reg     | d    | s1   | s2 |             |             |             |
 * | reg_reg_imm_imm | r1   | r2   |    | imm1        | imm2        |             |
 * | reg_imm64       | reg  |      |    | low 32 bits | high 32 bits|             |
 * Immediates are sign-extended 32-bit values; targets are u32 code offsets.
 */
export interface DecodedCode {
  readonly isa: Isa;
  readonly is64Bit: boolean;
  readonly code: Uint8Array;
  readonly bitmask: Uint8Array;
  readonly jumpTable: Uint32Array;
  readonly count: number;
  readonly op: Uint8Array;
  readonly pc: Uint32Array;
  readonly nextPc: Uint32Array;
  readonly r1: Uint8Array;
  readonly r2: Uint8Array;
  readonly r3: Uint8Array;
  readonly imm1: Int32Array;
  readonly imm2: Int32Array;
  readonly target: Uint32Array;
  /** 1 where the instruction was not in the code but implied (after a long gap or at the end). */
  readonly implicit: Uint8Array;
  /** pc → instruction index, -1 where no instruction starts; length code.length + 2. */
  readonly indexOfPc: Int32Array;
  /** pc → 1 if polkavm's `is_jump_target_valid` holds there; length code.length + 1. */
  readonly validJumpTarget: Uint8Array;
  /** Instruction index → 1 if a basic block starts there. */
  readonly blockStart: Uint8Array;
  /** Number of basic blocks. */
  readonly blockCount: number;
  /** Number of instructions whose opcode byte is unknown in this ISA (excluding implicit ones). */
  readonly unknownCount: number;
}

export function bitAt(bitmask: Uint8Array, codeLength: number, offset: number): boolean {
  if (offset > codeLength) return false;
  const byte = bitmask[offset >>> 3];
  return byte !== undefined && ((byte >>> (offset & 7)) & 1) === 1;
}

/** Work counter for a decode, so tests can prove the work is linear in the input size. */
export interface DecodeStats {
  /** Loop iterations of the decoder (instructions, bitmask bytes scanned, per-pc table entries). */
  steps: number;
}

export interface DecodeOptions {
  /** Reject programs containing an unknown opcode (the default for JamV1, as polkavm does). */
  rejectInvalid?: boolean;
  /** Offset of the code in the original input, for error locations. */
  codeOffset?: number;
  /** When given, `steps` is increased by the work done. */
  stats?: DecodeStats;
}

// Operand forms as small integers: a switch over them compiles to a jump table, a switch over strings does not.
const F_NONE = 0;
const F_IMM = 1;
const F_OFFSET = 2;
const F_IMM_IMM = 3;
const F_REG_IMM = 4;
const F_REG_IMM_IMM = 5;
const F_REG_IMM_OFFSET = 6;
const F_REG_REG = 7;
const F_REG_REG_IMM = 8;
const F_REG_REG_OFFSET = 9;
const F_REG_REG_REG = 10;
const F_REG_REG_IMM_IMM = 11;
const F_REG_IMM64 = 12;
const FORM_CODES: Readonly<Record<OperandForm, number>> = {
  none: F_NONE,
  imm: F_IMM,
  offset: F_OFFSET,
  imm_imm: F_IMM_IMM,
  reg_imm: F_REG_IMM,
  reg_imm_imm: F_REG_IMM_IMM,
  reg_imm_offset: F_REG_IMM_OFFSET,
  reg_reg: F_REG_REG,
  reg_reg_imm: F_REG_REG_IMM,
  reg_reg_offset: F_REG_REG_OFFSET,
  reg_reg_reg: F_REG_REG_REG,
  reg_reg_imm_imm: F_REG_REG_IMM_IMM,
  reg_imm64: F_REG_IMM64,
};

/** Per ISA, byte → operand form code of the opcode, or -1 for unknown opcodes. */
const FORM_BY_BYTE: readonly Int8Array[] = DECODE_TABLES.map((table) => {
  const forms = new Int8Array(256).fill(-1);
  for (let b = 0; b < 256; b++) if (table[b] !== INVALID) forms[b] = FORM_CODES[OP_FORMS[table[b]!]!];
  return forms;
});

const POPCOUNT = new Uint8Array(256).map((_, b) => {
  let n = 0;
  for (let x = b; x; x &= x - 1) n++;
  return n;
});

/** Registers are the low nibble, values above 12 meaning a5 (polkavm `RawReg::get`). */
function reg(b: number): number {
  const r = b & 15;
  return r > 12 ? 12 : r;
}

/**
 * `length` (0..4) bytes at `at`, little-endian, sign-extended to i32; bytes past the end of code read as
 * zero (the zero-padded argument window).
 */
function readImm(code: Uint8Array, len: number, at: number, length: number): number {
  if (length === 0) return 0;
  let v: number;
  if (at + 4 <= len) v = code[at]! | (code[at + 1]! << 8) | (code[at + 2]! << 16) | (code[at + 3]! << 24);
  else {
    v = 0;
    for (let k = 3; k >= 0; k--) v = (v << 8) | (at + k < len ? code[at + k]! : 0);
  }
  const shift = 32 - 8 * length;
  return (v << shift) >> shift;
}

function byteAt(code: Uint8Array, len: number, at: number): number {
  return at < len ? code[at]! : 0;
}

function clamp4(x: number): number {
  return x < 0 ? 0 : x > 4 ? 4 : x;
}

function growU8(a: Uint8Array, cap: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(cap);
  b.set(a);
  return b;
}
function growU32(a: Uint32Array, cap: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}
function growI32(a: Int32Array, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

/**
 * Decodes every instruction of a program, exactly as polkavm's `Instructions` iterator walks the
 * code (POLKAVM.md §2.1): skip from the bitmask capped at 24, a 16-byte zero-padded argument
 * window, and an implicit `invalid` after a long gap or after a last instruction that can fall through.
 */
export function decodeCode(
  isa: Isa,
  code: Uint8Array,
  bitmask: Uint8Array,
  jumpTable: Uint32Array,
  options: DecodeOptions = {},
): DecodedCode {
  const len = code.length;
  const table = DECODE_TABLES[isa]!;
  const forms = FORM_BY_BYTE[isa]!;
  const bitmaskLength = bitmask.length;
  const rejectInvalid = options.rejectInvalid === true;

  // Every set bit below `len` starts one real instruction; implicit traps are rare (one per long gap,
  // one at the end), so this capacity almost never grows.
  let starts = 0;
  const fullBytes = len >>> 3;
  for (let i = 0; i < fullBytes && i < bitmaskLength; i++) starts += POPCOUNT[bitmask[i]!]!;
  if ((len & 7) !== 0 && fullBytes < bitmaskLength) starts += POPCOUNT[bitmask[fullBytes]! & ((1 << (len & 7)) - 1)]!;
  let steps = bitmaskLength;

  let cap = starts + 8;
  let op = new Uint8Array(cap);
  let pcs = new Uint32Array(cap);
  let nextPcs = new Uint32Array(cap);
  let r1 = new Uint8Array(cap);
  let r2 = new Uint8Array(cap);
  let r3 = new Uint8Array(cap);
  let imm1 = new Int32Array(cap);
  let imm2 = new Int32Array(cap);
  let target = new Uint32Array(cap);
  let implicit = new Uint8Array(cap);
  let n = 0;
  let unknownCount = 0;

  let offset = 0;
  if (!bitAt(bitmask, len, 0)) {
    // polkavm starts with an `invalid` at 0 when no instruction is there (even for empty code, where it ends at 0).
    let resume = 0;
    while (resume < len) {
      steps++;
      const mask = bitmask[resume >>> 3]! >>> (resume & 7);
      if (mask === 0) resume += 8 - (resume & 7);
      else {
        resume += 31 - Math.clz32(mask & -mask);
        break;
      }
    }
    if (resume > len) resume = len;
    op[0] = INVALID;
    nextPcs[0] = resume;
    implicit[0] = 1;
    n = 1;
    offset = resume;
  }

  while (offset < len) {
    steps++;
    // skip = bytes of arguments; nextIsInvalid = no instruction starts right after them.
    let skip: number;
    let nextIsInvalid: boolean;
    if (offset + 32 <= len) {
      // polkavm's fast path: one 32-bit window of the bitmask, the gap capped by a sentinel bit at 24.
      const from = offset + 1;
      const at = from >>> 3;
      const window = (bitmask[at]! | (bitmask[at + 1]! << 8) | (bitmask[at + 2]! << 16) | (bitmask[at + 3]! << 24)) >>> (from & 7);
      const mask = window | (1 << BITMASK_MAX);
      skip = 31 - Math.clz32(mask & -mask);
      nextIsInvalid = skip === BITMASK_MAX && ((bitmask[(from + BITMASK_MAX) >>> 3]! >>> ((from + BITMASK_MAX) & 7)) & 1) === 0;
    } else {
      // polkavm's slow path near the end of code, reproduced byte step by byte step: when the scan starts on a
      // byte boundary it stops after three empty bytes without looking at bit 24, so an instruction exactly
      // 25 bytes later is treated as not following (an implicit trap is inserted before it).
      const origin = offset + 1;
      let at = origin;
      nextIsInvalid = true;
      while ((at >>> 3) < bitmaskLength) {
        steps++;
        const shift = at & 7;
        const mask = bitmask[at >>> 3]! >>> shift;
        if (mask === 0) {
          at += 8 - shift;
          if (at - origin < BITMASK_MAX) continue;
        } else {
          at += 31 - Math.clz32(mask & -mask);
          nextIsInvalid = at >= len || at - origin > BITMASK_MAX;
        }
        break;
      }
      if (at > len) at = len;
      skip = at - origin;
      if (skip > BITMASK_MAX) skip = BITMASK_MAX;
    }
    const next = offset + 1 + skip;
    const byte = code[offset]!;
    const id = table[byte]!;
    if (n === cap) {
      cap *= 2;
      op = growU8(op, cap);
      pcs = growU32(pcs, cap);
      nextPcs = growU32(nextPcs, cap);
      r1 = growU8(r1, cap);
      r2 = growU8(r2, cap);
      r3 = growU8(r3, cap);
      imm1 = growI32(imm1, cap);
      imm2 = growI32(imm2, cap);
      target = growU32(target, cap);
      implicit = growU8(implicit, cap);
    }
    const k = n++;
    op[k] = id;
    pcs[k] = offset;
    nextPcs[k] = next;
    const a = offset + 1;
    switch (forms[byte]) {
      case -1:
        unknownCount++;
        if (rejectInvalid)
          raise('invalid-instruction', (options.codeOffset ?? 0) + offset, `invalid instruction (opcode ${byte}) at code offset ${offset}`);
        break;
      case F_NONE:
        break;
      case F_IMM:
        imm1[k] = readImm(code, len, a, skip > 4 ? 4 : skip);
        break;
      case F_OFFSET:
        target[k] = (offset + readImm(code, len, a, skip > 4 ? 4 : skip)) >>> 0;
        break;
      case F_IMM_IMM: {
        const l1 = Math.min(4, byteAt(code, len, a) & 7);
        imm1[k] = readImm(code, len, a + 1, l1);
        imm2[k] = readImm(code, len, a + 1 + l1, clamp4(skip - l1 - 1));
        break;
      }
      case F_REG_IMM:
        r1[k] = reg(byteAt(code, len, a));
        imm1[k] = readImm(code, len, a + 1, clamp4(skip - 1));
        break;
      case F_REG_IMM_IMM: {
        const b0 = byteAt(code, len, a);
        const l1 = Math.min(4, (b0 >>> 4) & 7);
        r1[k] = reg(b0);
        imm1[k] = readImm(code, len, a + 1, l1);
        imm2[k] = readImm(code, len, a + 1 + l1, clamp4(skip - l1 - 1));
        break;
      }
      case F_REG_IMM_OFFSET: {
        const b0 = byteAt(code, len, a);
        const l1 = Math.min(4, (b0 >>> 4) & 7);
        r1[k] = reg(b0);
        imm1[k] = readImm(code, len, a + 1, l1);
        target[k] = (offset + readImm(code, len, a + 1 + l1, clamp4(skip - l1 - 1))) >>> 0;
        break;
      }
      case F_REG_REG: {
        const b0 = byteAt(code, len, a);
        r1[k] = reg(b0);
        r2[k] = reg(b0 >>> 4);
        break;
      }
      case F_REG_REG_IMM: {
        const b0 = byteAt(code, len, a);
        r1[k] = reg(b0);
        r2[k] = reg(b0 >>> 4);
        imm1[k] = readImm(code, len, a + 1, clamp4(skip - 1));
        break;
      }
      case F_REG_REG_OFFSET: {
        const b0 = byteAt(code, len, a);
        r1[k] = reg(b0);
        r2[k] = reg(b0 >>> 4);
        target[k] = (offset + readImm(code, len, a + 1, clamp4(skip - 1))) >>> 0;
        break;
      }
      case F_REG_REG_REG: {
        const b0 = byteAt(code, len, a);
        r2[k] = reg(b0);
        r3[k] = reg(b0 >>> 4);
        r1[k] = reg(byteAt(code, len, a + 1));
        break;
      }
      case F_REG_REG_IMM_IMM: {
        const b0 = byteAt(code, len, a);
        r1[k] = reg(b0);
        r2[k] = reg(b0 >>> 4);
        const l1 = Math.min(4, byteAt(code, len, a + 1) & 7);
        imm1[k] = readImm(code, len, a + 2, l1);
        imm2[k] = readImm(code, len, a + 2 + l1, clamp4(skip - l1 - 2));
        break;
      }
      case F_REG_IMM64:
        // Always 8 bytes, whatever the skip says (polkavm reads them from the 16-byte window).
        r1[k] = reg(byteAt(code, len, a));
        imm1[k] = readImm(code, len, a + 1, 4);
        imm2[k] = readImm(code, len, a + 5, 4);
        break;
    }
    if (!nextIsInvalid) {
      offset = next;
      continue;
    }
    // An implicit `invalid` follows only an instruction that can fall through; decoding resumes at the
    // next instruction start (polkavm `find_next_offset_unbounded`), or stops after the end of code.
    let resume: number;
    if (next >= len) resume = len + 1;
    else {
      resume = next;
      while (resume < len) {
        steps++;
        const mask = bitmask[resume >>> 3]! >>> (resume & 7);
        if (mask === 0) resume += 8 - (resume & 7);
        else {
          resume += 31 - Math.clz32(mask & -mask);
          break;
        }
      }
      if (resume > len) resume = len;
    }
    if ((OP_FLAGS[id]! & NO_FALLTHROUGH) === 0) {
      if (n === cap) {
        cap *= 2;
        op = growU8(op, cap);
        pcs = growU32(pcs, cap);
        nextPcs = growU32(nextPcs, cap);
        r1 = growU8(r1, cap);
        r2 = growU8(r2, cap);
        r3 = growU8(r3, cap);
        imm1 = growI32(imm1, cap);
        imm2 = growI32(imm2, cap);
        target = growU32(target, cap);
        implicit = growU8(implicit, cap);
      }
      op[n] = INVALID;
      pcs[n] = next;
      nextPcs[n] = resume;
      implicit[n] = 1;
      n++;
    }
    offset = resume;
  }

  // Jump target validity (polkavm `is_jump_target_valid`): an instruction starts there and the
  // previous one (within 25 bytes) is a known terminator.
  const validJumpTarget = new Uint8Array(len + 1);
  const indexOfPc = new Int32Array(len + 2).fill(-1);
  const blockStart = new Uint8Array(n);
  let blockCount = 0;
  steps += len + n;
  if (bitAt(bitmask, len, 0)) validJumpTarget[0] = 1;
  let previousEnds = true;
  for (let i = 0; i < n; i++) {
    const p = pcs[i]!;
    // Last wins: where an implicit trap shares its pc with the real instruction after it (the slow-path quirk
    // above), a jump there runs the real instruction.
    indexOfPc[p] = i;
    if (previousEnds) {
      blockStart[i] = 1;
      blockCount++;
    }
    const flags = OP_FLAGS[op[i]!]!;
    previousEnds = (flags & END) !== 0;
    if (op[i] === INVALID || !previousEnds) continue;
    const q = nextPcs[i]!;
    if (q - p - 1 <= BITMASK_MAX && q < len && bitAt(bitmask, len, q)) validJumpTarget[q] = 1;
  }
  if (options.stats) options.stats.steps += steps;

  // Views, not copies: the capacity is the exact instruction-start count plus a few, so little is wasted.
  return {
    isa,
    is64Bit: is64Bit(isa),
    code,
    bitmask,
    jumpTable,
    count: n,
    op: op.subarray(0, n),
    pc: pcs.subarray(0, n),
    nextPc: nextPcs.subarray(0, n),
    r1: r1.subarray(0, n),
    r2: r2.subarray(0, n),
    r3: r3.subarray(0, n),
    imm1: imm1.subarray(0, n),
    imm2: imm2.subarray(0, n),
    target: target.subarray(0, n),
    implicit: implicit.subarray(0, n),
    indexOfPc,
    validJumpTarget,
    blockStart,
    blockCount,
    unknownCount,
  };
}

/** Decodes the code of a parsed blob; JamV1 programs with an unknown opcode are rejected, as polkavm does. */
export function decodeProgram(blob: ProgramBlob, options: DecodeOptions = {}): DecodedCode {
  return decodeCode(blob.isa, blob.code, blob.bitmask, blob.jumpTable, {
    rejectInvalid: blob.isa === Isa.JamV1,
    codeOffset: blob.codeOffset,
    ...options,
  });
}

/**
 * polkavm `find_start_of_basic_block`: walks back from `pc` over instructions that are not
 * terminators. Used when the host enters mid-block (the whole containing block is charged).
 */
export function findStartOfBasicBlock(code: DecodedCode, pc: number): number | undefined {
  const len = code.code.length;
  if (!bitAt(code.bitmask, len, pc)) return undefined;
  const table = DECODE_TABLES[code.isa]!;
  for (;;) {
    if (pc === 0) return 0;
    let prev = -1;
    for (let back = 1; back <= BITMASK_MAX + 1 && pc - back >= 0; back++) {
      if (bitAt(code.bitmask, len, pc - back)) {
        prev = pc - back;
        break;
      }
    }
    if (prev < 0) return undefined;
    const id = table[code.code[prev]!]!;
    if (id === INVALID || OP_FLAGS[id]! & END) return pc;
    pc = prev;
  }
}

export function isTerminator(op: OpId): boolean {
  return (OP_FLAGS[op]! & END) !== 0;
}
