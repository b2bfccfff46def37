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

/** Registers are the low nibble, values above 12 meaning a5 (polkavm `RawReg::get`); per byte, its low and high nibble's. */
const REG_LOW = new Uint8Array(256).map((_, b) => ((b & 15) > 12 ? 12 : b & 15));
const REG_HIGH = new Uint8Array(256).map((_, b) => ((b >>> 4) > 12 ? 12 : b >>> 4));
/** Per byte, the length (at most 4) of an immediate given by its low / high three bits. */
const LEN_LOW = new Uint8Array(256).map((_, b) => Math.min(4, b & 7));
const LEN_HIGH = new Uint8Array(256).map((_, b) => Math.min(4, (b >>> 4) & 7));
/** `CLAMP4[x + 8]` is x clamped to 0..4, for x from -8 (lengths left after the other operands) to 31. */
const CLAMP4 = new Uint8Array(40).map((_, i) => Math.max(0, Math.min(4, i - 8)));

/**
 * The operands of one instruction into `out` (r1, r2, r3, imm1, imm2, target; the target as its u32
 * bits), by its operand form, from `bytes` where its opcode is at `base` and at least 16 bytes follow
 * (zero past the end of code: polkavm's zero-padded argument window). `offset` is its code offset,
 * `skip` its argument length. Fields the form has no use for are left as they are.
 */
function readOperands(bytes: Uint8Array, base: number, form: number, offset: number, skip: number, out: Int32Array): void {
  // Operands: `l` is an immediate's length (0..4); `(v << s) >> s` with s = 32 - 8l keeps its l
  // bytes, sign-extended (a zero length reads as 0, not as the shift by 32 that JS takes modulo 32).
  const a = base + 1;
  const b0 = bytes[a]!;
  switch (form) {
    case F_IMM: {
      const l = skip > 4 ? 4 : skip;
      const s = 32 - 8 * l;
      out[3] = l === 0 ? 0 : ((b0 | (bytes[a + 1]! << 8) | (bytes[a + 2]! << 16) | (bytes[a + 3]! << 24)) << s) >> s;
      break;
    }
    case F_OFFSET: {
      const l = skip > 4 ? 4 : skip;
      const s = 32 - 8 * l;
      out[5] = (offset + (l === 0 ? 0 : ((b0 | (bytes[a + 1]! << 8) | (bytes[a + 2]! << 16) | (bytes[a + 3]! << 24)) << s) >> s)) >>> 0;
      break;
    }
    case F_IMM_IMM: {
      const l1 = LEN_LOW[b0]!;
      const s1 = 32 - 8 * l1;
      const x = a + 1;
      out[3] = l1 === 0 ? 0 : ((bytes[x]! | (bytes[x + 1]! << 8) | (bytes[x + 2]! << 16) | (bytes[x + 3]! << 24)) << s1) >> s1;
      const l2 = CLAMP4[skip - l1 + 7]!;
      const s2 = 32 - 8 * l2;
      const y = x + l1;
      out[4] = l2 === 0 ? 0 : ((bytes[y]! | (bytes[y + 1]! << 8) | (bytes[y + 2]! << 16) | (bytes[y + 3]! << 24)) << s2) >> s2;
      break;
    }
    case F_REG_IMM: {
      out[0] = REG_LOW[b0]!;
      const l = CLAMP4[skip + 7]!;
      const s = 32 - 8 * l;
      const x = a + 1;
      out[3] = l === 0 ? 0 : ((bytes[x]! | (bytes[x + 1]! << 8) | (bytes[x + 2]! << 16) | (bytes[x + 3]! << 24)) << s) >> s;
      break;
    }
    case F_REG_IMM_IMM:
    case F_REG_IMM_OFFSET: {
      const l1 = LEN_HIGH[b0]!;
      const s1 = 32 - 8 * l1;
      out[0] = REG_LOW[b0]!;
      const x = a + 1;
      out[3] = l1 === 0 ? 0 : ((bytes[x]! | (bytes[x + 1]! << 8) | (bytes[x + 2]! << 16) | (bytes[x + 3]! << 24)) << s1) >> s1;
      const l2 = CLAMP4[skip - l1 + 7]!;
      const s2 = 32 - 8 * l2;
      const y = x + l1;
      const v2 = l2 === 0 ? 0 : ((bytes[y]! | (bytes[y + 1]! << 8) | (bytes[y + 2]! << 16) | (bytes[y + 3]! << 24)) << s2) >> s2;
      if (form === F_REG_IMM_IMM) out[4] = v2;
      else out[5] = (offset + v2) >>> 0;
      break;
    }
    case F_REG_REG:
      out[0] = REG_LOW[b0]!;
      out[1] = REG_HIGH[b0]!;
      break;
    case F_REG_REG_IMM:
    case F_REG_REG_OFFSET: {
      out[0] = REG_LOW[b0]!;
      out[1] = REG_HIGH[b0]!;
      const l = CLAMP4[skip + 7]!;
      const s = 32 - 8 * l;
      const x = a + 1;
      const v = l === 0 ? 0 : ((bytes[x]! | (bytes[x + 1]! << 8) | (bytes[x + 2]! << 16) | (bytes[x + 3]! << 24)) << s) >> s;
      if (form === F_REG_REG_IMM) out[3] = v;
      else out[5] = (offset + v) >>> 0;
      break;
    }
    case F_REG_REG_REG:
      out[1] = REG_LOW[b0]!;
      out[2] = REG_HIGH[b0]!;
      out[0] = REG_LOW[bytes[a + 1]!]!;
      break;
    case F_REG_REG_IMM_IMM: {
      out[0] = REG_LOW[b0]!;
      out[1] = REG_HIGH[b0]!;
      const l1 = LEN_LOW[bytes[a + 1]!]!;
      const s1 = 32 - 8 * l1;
      const x = a + 2;
      out[3] = l1 === 0 ? 0 : ((bytes[x]! | (bytes[x + 1]! << 8) | (bytes[x + 2]! << 16) | (bytes[x + 3]! << 24)) << s1) >> s1;
      const l2 = CLAMP4[skip - l1 + 6]!;
      const s2 = 32 - 8 * l2;
      const y = x + l1;
      out[4] = l2 === 0 ? 0 : ((bytes[y]! | (bytes[y + 1]! << 8) | (bytes[y + 2]! << 16) | (bytes[y + 3]! << 24)) << s2) >> s2;
      break;
    }
    case F_REG_IMM64:
      // Always 8 bytes, whatever the skip says (polkavm reads them from the 16-byte window).
      out[0] = REG_LOW[b0]!;
      out[3] = bytes[a + 1]! | (bytes[a + 2]! << 8) | (bytes[a + 3]! << 16) | (bytes[a + 4]! << 24);
      out[4] = bytes[a + 5]! | (bytes[a + 6]! << 8) | (bytes[a + 7]! << 16) | (bytes[a + 8]! << 24);
      break;
  }
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

  // Every set bit below `len` starts at most one real instruction. An implicit trap follows either a
  // gap of 24 bytes (an instruction and its 24 argument bytes, at most len / 25 of them) or one of the
  // last 32 bytes' instructions (the slow path below), or stands at 0: that bounds the count, so the
  // arrays never grow.
  let starts = 0;
  const fullBytes = len >>> 3;
  for (let i = 0; i < fullBytes && i < bitmaskLength; i++) starts += POPCOUNT[bitmask[i]!]!;
  if ((len & 7) !== 0 && fullBytes < bitmaskLength) starts += POPCOUNT[bitmask[fullBytes]! & ((1 << (len & 7)) - 1)]!;
  let steps = bitmaskLength;

  const cap = starts + Math.ceil(len / (BITMASK_MAX + 1)) + 40;
  const op = new Uint8Array(cap);
  const pcs = new Uint32Array(cap);
  const nextPcs = new Uint32Array(cap);
  const implicit = new Uint8Array(cap);
  const blockStartAll = new Uint8Array(cap);
  // Jump target validity (polkavm `is_jump_target_valid`): an instruction starts there and the
  // previous one (within 25 bytes) is a known terminator. Built in the same pass as the instructions.
  const validJumpTarget = new Uint8Array(len + 1);
  const indexOfPc = new Int32Array(len + 2).fill(-1);
  let blockCount = 0;
  let previousEnds = true;
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
    indexOfPc[0] = 0;
    blockStartAll[0] = 1;
    blockCount = 1;
    previousEnds = (OP_FLAGS[INVALID]! & END) !== 0;
    n = 1;
    offset = resume;
  } else validJumpTarget[0] = 1;

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
    const k = n++;
    op[k] = id;
    pcs[k] = offset;
    nextPcs[k] = next;
    // Last wins: where an implicit trap shares its pc with the real instruction after it (the slow-path quirk
    // above), a jump there runs the real instruction.
    indexOfPc[offset] = k;
    if (previousEnds) {
      blockStartAll[k] = 1;
      blockCount++;
    }
    const flags = OP_FLAGS[id]!;
    previousEnds = (flags & END) !== 0;
    if (previousEnds && id !== INVALID && next < len && ((bitmask[next >>> 3]! >>> (next & 7)) & 1) === 1) validJumpTarget[next] = 1;
    if (forms[byte] === -1) {
      unknownCount++;
      if (rejectInvalid)
        raise('invalid-instruction', (options.codeOffset ?? 0) + offset, `invalid instruction (opcode ${byte}) at code offset ${offset}`);
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
    if ((flags & NO_FALLTHROUGH) === 0) {
      op[n] = INVALID;
      pcs[n] = next;
      nextPcs[n] = resume;
      implicit[n] = 1;
      indexOfPc[next] = n;
      if (previousEnds) {
        blockStartAll[n] = 1;
        blockCount++;
      }
      previousEnds = (OP_FLAGS[INVALID]! & END) !== 0;
      n++;
    }
    offset = resume;
  }
  if (n > cap) throw new Error(`decoder: ${n} instructions exceed the bound ${cap}`);
  steps += len + n;
  if (options.stats) options.stats.steps += steps;

  // Views, not copies: the capacity is the exact instruction-start count plus a few, so little is wasted.
  const decoded = {
    isa,
    is64Bit: is64Bit(isa),
    code,
    bitmask,
    jumpTable,
    count: n,
    op: op.subarray(0, n),
    pc: pcs.subarray(0, n),
    nextPc: nextPcs.subarray(0, n),
    implicit: implicit.subarray(0, n),
    indexOfPc,
    validJumpTarget,
    blockStart: blockStartAll.subarray(0, n),
    blockCount,
    unknownCount,
  };
  return withLazyOperands(decoded, forms);
}

type OperandField = 'r1' | 'r2' | 'r3' | 'imm1' | 'imm2' | 'target';
const OPERAND_FIELDS: readonly OperandField[] = ['r1', 'r2', 'r3', 'imm1', 'imm2', 'target'];

/** The operand forms of a program whose operands are not decoded yet, by its decoded code. */
const pendingOperands = new WeakMap<object, Int8Array>();

/**
 * The getters of the operand arrays, on a prototype every decoded program shares: getters of its
 * own (a closure each) gave each program's code object a shape of its own, so every function that
 * read the code of a few programs (the code generator compiling doom again) went megamorphic on it
 * and deoptimised. The first read decodes all of them and makes them plain own properties, the same
 * on every program.
 */
const LAZY_OPERANDS: object = Object.create(
  Object.prototype,
  Object.fromEntries(
    OPERAND_FIELDS.map((name) => [
      name,
      {
        get(this: DecodedCode): unknown {
          materialise(this);
          return this[name];
        },
        enumerable: true,
        configurable: false,
      },
    ]),
  ),
);

/**
 * The operand arrays are decoded on first read, all together, and then stay plain properties. Loading
 * a program for the interpreter (and the tiered backend's start) reads none of them: it decodes the
 * operands of a block when the block first runs (`instructionOperands`), so doom's first instructions do
 * not wait for the operands of all 163k.
 */
function withLazyOperands(fields: Omit<DecodedCode, OperandField>, forms: Int8Array): DecodedCode {
  // Made from the prototype and then given its fields: an object given its prototype afterwards
  // (`Object.setPrototypeOf`, a literal's `__proto__`) shares no shapes with the next one once its
  // operands become own properties.
  const decoded = Object.assign(Object.create(LAZY_OPERANDS) as object, fields) as DecodedCode;
  pendingOperands.set(decoded, forms);
  return decoded;
}

function materialise(decoded: DecodedCode): void {
  const forms = pendingOperands.get(decoded)!;
  pendingOperands.delete(decoded);
  const { count: n, code, pc, nextPc, implicit } = decoded;
  const len = code.length;
  // A zero-padded copy: polkavm's zero-padded argument window, with no bounds test per read.
  const bytes = new Uint8Array(len + 16);
  bytes.set(code);
  const r1 = new Uint8Array(n);
  const r2 = new Uint8Array(n);
  const r3 = new Uint8Array(n);
  const imm1 = new Int32Array(n);
  const imm2 = new Int32Array(n);
  const target = new Uint32Array(n);
  const out = new Int32Array(6);
  for (let i = 0; i < n; i++) {
    if (implicit[i] === 1) continue;
    const offset = pc[i]!;
    const form = forms[bytes[offset]!]!;
    if (form <= F_NONE) continue;
    out.fill(0);
    readOperands(bytes, offset, form, offset, nextPc[i]! - offset - 1, out);
    r1[i] = out[0]!;
    r2[i] = out[1]!;
    r3[i] = out[2]!;
    imm1[i] = out[3]!;
    imm2[i] = out[4]!;
    target[i] = out[5]!;
  }
  const values = { r1, r2, r3, imm1, imm2, target };
  for (const name of OPERAND_FIELDS) Object.defineProperty(decoded, name, { value: values[name], enumerable: true, writable: false, configurable: false });
}

/** A 16-byte argument window for `instructionOperands`, zero past the end of code. */
const WINDOW = new Uint8Array(32);

/**
 * The operands of instruction `i` into `out` (r1, r2, r3, imm1, imm2, target as u32 bits, the fields of
 * `DecodedCode`), decoded from the code bytes without reading the operand arrays: what the
 * interpreter uses to prepare a block on its first run.
 */
export function instructionOperands(code: DecodedCode, i: number, out: Int32Array): void {
  out.fill(0);
  if (code.implicit[i] === 1) return;
  const offset = code.pc[i]!;
  const bytes = code.code;
  const form = FORM_BY_BYTE[code.isa]![bytes[offset]!]!;
  if (form <= F_NONE) return;
  const end = Math.min(bytes.length, offset + 17);
  WINDOW.fill(0);
  for (let k = offset; k < end; k++) WINDOW[k - offset] = bytes[k]!;
  readOperands(WINDOW, 0, form, offset, code.nextPc[i]! - offset - 1, out);
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
