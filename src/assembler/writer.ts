// Program parts → `.polkavm` blob bytes, byte for byte as polkavm's `ProgramBlobBuilder::to_vec`
// (writer.rs) lays them out: the same branch-offset fixpoint (starting from the same deliberately wrong
// guess, so the fixpoint reached is the same one), the same jump-table entry size rule, the same
// section order and omissions.
import { Section } from '../decoder/blob.ts';
import { ENCODE_TABLES, isaFlagName, type Isa } from '../decoder/isa.ts';
import { writeVarint } from '../decoder/reader.ts';
import { END, OP_FLAGS, OP_FORMS, OP_NAMES, type OpId } from '../decoder/table.ts';
import { MAX_INSTRUCTION_LENGTH, encodeInstruction, type EncodableInstruction } from './encode.ts';
import { ProgramBuildError } from './errors.ts';

/**
 * Where a jump, a branch, an export or a jump-table entry points.
 * - `block`: the n-th basic block (a new block starts after every END instruction), as polkavm's
 *   assembler records labels;
 * - `instruction`: the n-th instruction;
 * - `pc`: an absolute code offset, written as given even if no instruction starts there (how
 *   disassembled text, which has only numbers, comes back).
 */
export type Target = { kind: 'block'; index: number } | { kind: 'instruction'; index: number } | { kind: 'pc'; pc: number };

export interface ProgramInstruction {
  op: OpId;
  r1: number;
  r2: number;
  r3: number;
  imm1: number;
  imm2: number;
  /** Required for the forms with an offset (jumps and branches), ignored otherwise. */
  target?: Target;
}

export interface ProgramExport {
  symbol: Uint8Array;
  target: Target;
}

export interface ProgramParts {
  isa: Isa;
  roDataSize: number;
  rwDataSize: number;
  stackSize: number;
  roData: Uint8Array;
  rwData: Uint8Array;
  /** Symbols in import-index order (`ecalli n` calls the n-th). */
  imports: readonly Uint8Array[];
  /** In output order (polkavm's assembler sorts them by name before handing them over). */
  exports: readonly ProgramExport[];
  instructions: readonly ProgramInstruction[];
  jumpTable: readonly Target[];
  /** Extra sections (ids ≥ 128 are skipped by readers), written after the code in this order. */
  customSections?: readonly { id: number; bytes: Uint8Array }[];
}

export const hasTarget = (op: OpId): boolean => {
  const form = OP_FORMS[op];
  return form === 'offset' || form === 'reg_imm_offset' || form === 'reg_reg_offset';
};

interface Laid {
  inst: EncodableInstruction;
  /** Index of the instruction the target follows, or -1 for a fixed pc (or no target). */
  targetIndex: number;
  position: number;
  bytes: Uint8Array;
}

/** The laid-out code: bytes, bitmask, every instruction's offset, and a resolver for targets. */
export interface SerializedCode {
  code: Uint8Array;
  bitmask: Uint8Array;
  /** Code offset of each instruction. */
  positions: Uint32Array;
  /** Code offset a target resolves to. */
  resolve(target: Target): number;
}

/** Lays out the instructions exactly as writer.rs `serialize_code` does. */
export function serializeCode(isa: Isa, instructions: readonly ProgramInstruction[]): SerializedCode {
  const encode = ENCODE_TABLES[isa]!;
  const count = instructions.length;
  // Instruction index at which each basic block starts (block 0 at 0, then after every END).
  const blockStarts = [0];
  instructions.forEach((inst, i) => {
    if (encode[inst.op]! < 0)
      throw new ProgramBuildError(
        'unsupported-instruction',
        `the instruction '${OP_NAMES[inst.op]}' is not available in the '${isaFlagName(isa)}' instruction set`,
      );
    if (OP_FLAGS[inst.op]! & END) blockStarts.push(i + 1);
  });

  const instructionIndexOf = (target: Target, what: string): number => {
    const index = target.kind === 'block' ? blockStarts[target.index] : target.kind === 'instruction' ? target.index : undefined;
    if (index === undefined || !Number.isInteger(index) || index < 0 || index >= count)
      throw new ProgramBuildError('target-out-of-range', `${what} points past the end of the code (${describe(target)})`);
    return index;
  };

  const scratch = new Uint8Array(MAX_INSTRUCTION_LENGTH);
  const encodeAt = (inst: EncodableInstruction, position: number): Uint8Array =>
    scratch.slice(0, encodeInstruction(isa, inst, position, scratch));

  const laid: Laid[] = [];
  let position = 0;
  for (let nth = 0; nth < count; nth++) {
    const src = instructions[nth]!;
    const inst: EncodableInstruction = { op: src.op, r1: src.r1, r2: src.r2, r3: src.r3, imm1: src.imm1, imm2: src.imm2, target: 0 };
    let targetIndex = -1;
    if (hasTarget(src.op)) {
      if (!src.target) throw new ProgramBuildError('bad-operand', `instruction #${nth} (${OP_NAMES[src.op]}) has no target`);
      if (src.target.kind === 'pc') inst.target = src.target.pc >>> 0;
      else {
        targetIndex = instructionIndexOf(src.target, `the target of instruction #${nth} (${OP_NAMES[src.op]})`);
        // polkavm's first guess: as if every instruction were one byte long. Wrong, but the fixpoint
        // below starts from it, and starting elsewhere can settle on different (longer) encodings.
        inst.target = (position + (targetIndex - nth)) >>> 0;
      }
    }
    const bytes = encodeAt(inst, position);
    laid.push({ inst, targetIndex, position, bytes });
    position += bytes.length;
  }

  // Re-encode until no offset moves. Positions of later instructions are the previous round's, as in
  // writer.rs, which updates in place during the sweep.
  for (;;) {
    let anyModified = false;
    position = 0;
    for (const entry of laid) {
      let modified = entry.position !== position;
      entry.position = position;
      const hasFixedPc = entry.targetIndex < 0 && hasTarget(entry.inst.op);
      if (entry.targetIndex >= 0) {
        const newTarget = laid[entry.targetIndex]!.position;
        if (entry.inst.target !== newTarget) {
          entry.inst.target = newTarget;
          modified = true;
        }
        if (modified) entry.bytes = encodeAt(entry.inst, position);
      } else if (hasFixedPc && modified) {
        // Not a polkavm case: a fixed absolute target is relative to where the instruction lands.
        entry.bytes = encodeAt(entry.inst, position);
      }
      position += entry.bytes.length;
      anyModified ||= modified;
    }
    if (!anyModified) break;
  }
  if (position > 0xffffffff) throw new ProgramBuildError('too-large', 'the code is larger than 4 GiB');

  const code = new Uint8Array(position);
  const bitmask = new Uint8Array(Math.ceil(position / 8));
  const positions = new Uint32Array(count);
  laid.forEach((entry, i) => {
    code.set(entry.bytes, entry.position);
    bitmask[entry.position >>> 3]! |= 1 << (entry.position & 7);
    positions[i] = entry.position;
  });
  return {
    code,
    bitmask,
    positions,
    resolve: (target) => (target.kind === 'pc' ? target.pc >>> 0 : positions[instructionIndexOf(target, 'a jump table entry or export')]!),
  };
}

function describe(target: Target): string {
  return target.kind === 'pc' ? `pc ${target.pc}` : `${target.kind} ${target.index}`;
}

/**
 * polkavm's jump-table entry size: the largest count of *leading non-zero* little-endian bytes over all
 * entries, not the byte length of the largest offset. An entry of 0x100 counts as 0 bytes, so a table
 * whose only entries are multiples of 256 gets entry size 0 (and every entry reads back as 0). This is
 * a polkavm quirk that changes bytes, so it is reproduced.
 */
export function jumpTableEntrySize(offsets: readonly number[]): number {
  let size = 0;
  for (const offset of offsets) {
    let n = 0;
    while (n < 4 && ((offset >>> (8 * n)) & 0xff) !== 0) n++;
    size = Math.max(size, n);
  }
  return size;
}

/** A growable byte buffer (number[] pushes were a third of the time of assembling a small program). */
class Bytes {
  buf = new Uint8Array(256);
  length = 0;
  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }
  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  varint(v: number): void {
    const tmp: number[] = [];
    writeVarint(v >>> 0, tmp);
    for (const b of tmp) this.byte(b);
  }
  u32(v: number): void {
    for (let k = 0; k < 4; k++) this.byte((v >>> (8 * k)) & 0xff);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function section(out: Bytes, id: number, payload: Uint8Array): void {
  if (payload.length === 0) return;
  out.byte(id);
  out.varint(payload.length);
  out.bytes(payload);
}

/** Writes a whole `.polkavm` blob (writer.rs `to_vec`). */
export function writeProgram(parts: ProgramParts): Uint8Array {
  const serialized = serializeCode(parts.isa, parts.instructions);
  const out = new Bytes();
  out.bytes(Uint8Array.of(0x50, 0x56, 0x4d, 0x00, parts.isa, 0, 0, 0, 0, 0, 0, 0, 0));

  if (parts.roDataSize > 0 || parts.rwDataSize > 0 || parts.stackSize > 0) {
    const payload = new Bytes();
    payload.varint(parts.roDataSize);
    payload.varint(parts.rwDataSize);
    payload.varint(parts.stackSize);
    section(out, Section.memoryConfig, payload.result());
  }
  section(out, Section.roData, parts.roData);
  section(out, Section.rwData, parts.rwData);

  if (parts.imports.length > 0) {
    const payload = new Bytes();
    payload.varint(parts.imports.length);
    let offset = 0;
    for (const symbol of parts.imports) {
      payload.u32(offset);
      offset += symbol.length;
    }
    for (const symbol of parts.imports) payload.bytes(symbol);
    section(out, Section.imports, payload.result());
  }

  if (parts.exports.length > 0) {
    const payload = new Bytes();
    payload.varint(parts.exports.length);
    for (const e of parts.exports) {
      payload.varint(serialized.resolve(e.target));
      payload.varint(e.symbol.length);
      payload.bytes(e.symbol);
    }
    section(out, Section.exports, payload.result());
  }

  const offsets = parts.jumpTable.map((t) => serialized.resolve(t));
  const entrySize = jumpTableEntrySize(offsets);
  const code = new Bytes();
  code.varint(offsets.length);
  code.byte(entrySize);
  code.varint(serialized.code.length);
  for (const offset of offsets) for (let k = 0; k < entrySize; k++) code.byte((offset >>> (8 * k)) & 0xff);
  code.bytes(serialized.code);
  code.bytes(serialized.bitmask);
  section(out, Section.codeAndJumpTable, code.result());

  for (const custom of parts.customSections ?? []) section(out, custom.id, custom.bytes);
  out.byte(Section.endOfFile);

  const bytes = out.result();
  new DataView(bytes.buffer).setBigUint64(5, BigInt(bytes.length), true);
  return bytes;
}
