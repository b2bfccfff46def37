import { raise } from './errors.ts';
import { DECODE_TABLES, Isa, is64Bit } from './isa.ts';
import { END, INVALID, NO_FALLTHROUGH, OP_FLAGS, OP_FORMS, type OpId } from './table.ts';
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

/** Next set bitmask bit at or after `offset`, or codeLength (polkavm `find_next_offset_unbounded`). */
function nextStart(bitmask: Uint8Array, codeLength: number, offset: number): number {
  while (offset < codeLength) {
    const byte = bitmask[offset >>> 3]!;
    const mask = byte >>> (offset & 7);
    if (mask === 0) offset += 8 - (offset & 7);
    else return Math.min(codeLength, offset + (31 - Math.clz32(mask & -mask)));
  }
  return codeLength;
}

const REG = (b: number): number => {
  const r = b & 15;
  return r > 12 ? 12 : r;
};

export interface DecodeOptions {
  /** Reject programs containing an unknown opcode (the default for JamV1, as polkavm does). */
  rejectInvalid?: boolean;
  /** Offset of the code in the original input, for error locations. */
  codeOffset?: number;
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
  // Upper bound: one per byte plus an implicit trap per real instruction.
  let cap = Math.min(2 * len + 2, 1024);
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

  const grow = (): void => {
    cap *= 2;
    const g = <T extends Uint8Array | Uint32Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    op = g(op);
    pcs = g(pcs);
    nextPcs = g(nextPcs);
    r1 = g(r1);
    r2 = g(r2);
    r3 = g(r3);
    imm1 = g(imm1);
    imm2 = g(imm2);
    target = g(target);
    implicit = g(implicit);
  };
  const pushInvalid = (at: number, next: number): void => {
    if (n === cap) grow();
    op[n] = INVALID;
    pcs[n] = at;
    nextPcs[n] = next;
    implicit[n] = 1;
    n++;
  };

  // Reads `length` (0..4) bytes at `at`, little-endian, sign-extended; zero past the end of code.
  const imm = (at: number, length: number): number => {
    if (length <= 0) return 0;
    if (length > 4) length = 4;
    let v = 0;
    for (let k = length - 1; k >= 0; k--) {
      const i = at + k;
      v = (v << 8) | (i < len ? code[i]! : 0);
    }
    const shift = 32 - 8 * length;
    return (v << shift) >> shift;
  };
  const byteAt = (i: number): number => (i < len ? code[i]! : 0);
  const clamp4 = (x: number): number => (x < 0 ? 0 : x > 4 ? 4 : x);

  let offset = 0;
  if (len > 0 && !bitAt(bitmask, len, 0)) {
    pushInvalid(0, nextStart(bitmask, len, 0));
    offset = nextPcs[0]!;
  }

  while (offset < len) {
    // skip = distance to the next set bit, capped at 24 and at the end of code.
    let skip = 0;
    let nextIsInvalid = true;
    for (let i = offset + 1; ; i++) {
      if (i >= len) {
        skip = Math.min(len - offset - 1, BITMASK_MAX);
        nextIsInvalid = true;
        break;
      }
      if ((bitmask[i >>> 3]! >>> (i & 7)) & 1) {
        skip = i - offset - 1;
        if (skip > BITMASK_MAX) {
          skip = BITMASK_MAX;
          nextIsInvalid = true;
        } else nextIsInvalid = false;
        break;
      }
      if (i - offset - 1 >= BITMASK_MAX) {
        skip = BITMASK_MAX;
        nextIsInvalid = true;
        break;
      }
    }
    const next = offset + 1 + skip;
    const byte = code[offset]!;
    const id = table[byte]!;
    if (n === cap) grow();
    const k = n++;
    op[k] = id;
    pcs[k] = offset;
    nextPcs[k] = next;
    if (id === INVALID) {
      unknownCount++;
      if (options.rejectInvalid)
        raise('invalid-instruction', (options.codeOffset ?? 0) + offset, `invalid instruction (opcode ${byte}) at code offset ${offset}`);
    } else {
      const a = offset + 1;
      switch (OP_FORMS[id]) {
        case 'none':
          break;
        case 'imm':
          imm1[k] = imm(a, skip);
          break;
        case 'offset':
          target[k] = (offset + imm(a, skip)) >>> 0;
          break;
        case 'imm_imm': {
          const l1 = Math.min(4, byteAt(a) & 7);
          imm1[k] = imm(a + 1, l1);
          imm2[k] = imm(a + 1 + l1, clamp4(skip - l1 - 1));
          break;
        }
        case 'reg_imm':
          r1[k] = REG(byteAt(a));
          imm1[k] = imm(a + 1, clamp4(skip - 1));
          break;
        case 'reg_imm_imm':
        case 'reg_imm_offset': {
          const b0 = byteAt(a);
          const l1 = Math.min(4, (b0 >>> 4) & 7);
          r1[k] = REG(b0);
          imm1[k] = imm(a + 1, l1);
          const second = imm(a + 1 + l1, clamp4(skip - l1 - 1));
          if (OP_FORMS[id] === 'reg_imm_imm') imm2[k] = second;
          else target[k] = (offset + second) >>> 0;
          break;
        }
        case 'reg_reg': {
          const b0 = byteAt(a);
          r1[k] = REG(b0);
          r2[k] = REG(b0 >>> 4);
          break;
        }
        case 'reg_reg_imm':
        case 'reg_reg_offset': {
          const b0 = byteAt(a);
          r1[k] = REG(b0);
          r2[k] = REG(b0 >>> 4);
          const v = imm(a + 1, clamp4(skip - 1));
          if (OP_FORMS[id] === 'reg_reg_imm') imm1[k] = v;
          else target[k] = (offset + v) >>> 0;
          break;
        }
        case 'reg_reg_reg': {
          const b0 = byteAt(a);
          r2[k] = REG(b0);
          r3[k] = REG(b0 >>> 4);
          r1[k] = REG(byteAt(a + 1));
          break;
        }
        case 'reg_reg_imm_imm': {
          const b0 = byteAt(a);
          r1[k] = REG(b0);
          r2[k] = REG(b0 >>> 4);
          const l1 = Math.min(4, byteAt(a + 1) & 7);
          imm1[k] = imm(a + 2, l1);
          imm2[k] = imm(a + 2 + l1, clamp4(skip - l1 - 2));
          break;
        }
        case 'reg_imm64':
          r1[k] = REG(byteAt(a));
          imm1[k] = imm(a + 1, 4);
          imm2[k] = imm(a + 5, 4);
          break;
      }
    }
    const canFallThrough = (OP_FLAGS[id]! & NO_FALLTHROUGH) === 0;
    if (!nextIsInvalid) {
      offset = next;
    } else {
      // polkavm's iterator: an implicit `invalid` follows only an instruction that can fall through.
      const resume = next >= len ? len + 1 : nextStart(bitmask, len, next);
      if (canFallThrough) pushInvalid(next, resume);
      offset = resume;
    }
  }

  // Jump target validity (polkavm `is_jump_target_valid`): an instruction starts there and the
  // previous one (within 24 bytes) is a known terminator.
  const validJumpTarget = new Uint8Array(len + 1);
  const indexOfPc = new Int32Array(len + 2).fill(-1);
  const blockStart = new Uint8Array(n);
  let blockCount = 0;
  if (bitAt(bitmask, len, 0)) validJumpTarget[0] = 1;
  for (let i = 0; i < n; i++) {
    const p = pcs[i]!;
    if (indexOfPc[p] === -1) indexOfPc[p] = i;
    if (i === 0 || OP_FLAGS[op[i - 1]!]! & END) {
      blockStart[i] = 1;
      blockCount++;
    }
    if (implicit[i] || op[i] === INVALID) continue;
    if (OP_FLAGS[op[i]!]! & END) {
      const q = p + 1 + (nextPcs[i]! - p - 1);
      if (q - p - 1 <= BITMASK_MAX && bitAt(bitmask, len, q) && q < len) validJumpTarget[q] = 1;
    }
  }

  const trim = <T extends Uint8Array | Uint32Array | Int32Array>(a: T): T => a.slice(0, n) as T;
  return {
    isa,
    is64Bit: is64Bit(isa),
    code,
    bitmask,
    jumpTable,
    count: n,
    op: trim(op),
    pc: trim(pcs),
    nextPc: trim(nextPcs),
    r1: trim(r1),
    r2: trim(r2),
    r3: trim(r3),
    imm1: trim(imm1),
    imm2: trim(imm2),
    target: trim(target),
    implicit: trim(implicit),
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
